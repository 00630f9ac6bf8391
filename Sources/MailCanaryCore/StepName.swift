/// One layer of a probe (DESIGN.md, "step"). Open set: later probers add their own names.
public struct StepName: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let resolve = StepName("resolve")
    public static let connect = StepName("connect")
    public static let tls = StepName("tls")
    public static let greeting = StepName("greeting")
    public static let starttls = StepName("starttls")
    public static let capability = StepName("capability")
    public static let token = StepName("token")
    public static let auth = StepName("auth")
    public static let operation = StepName("operation")
    public static let mailflow = StepName("mailflow")
    public static let logout = StepName("logout")
    public static let redirect = StepName("redirect")
    /// The anonymous request of an HTTP access path: a 401 with a challenge means the front end is alive.
    public static let challenge = StepName("challenge")
    /// One Autodiscover method tried (domain, autodiscover host, HTTP redirect, SRV).
    public static let discover = StepName("discover")
    /// One `healthcheck.htm` of an on-premises virtual directory.
    public static let healthcheck = StepName("healthcheck")
    /// The hosts an MX or SRV answer points at, resolved.
    public static let targets = StepName("targets")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
