/// How a class of clients reaches the mailbox (DESIGN.md, "access path").
///
/// An open set: unknown values read from stored data are kept, not rejected.
public struct AccessPath: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let autodiscover = AccessPath("autodiscover")
    public static let mapiHTTP = AccessPath("mapi-http")
    public static let ews = AccessPath("ews")
    public static let activesync = AccessPath("activesync")
    public static let owa = AccessPath("owa")
    public static let graph = AccessPath("graph")
    public static let imap = AccessPath("imap")
    public static let pop3 = AccessPath("pop3")
    public static let smtpSubmission = AccessPath("smtp-submission")
    public static let smtpInbound = AccessPath("smtp-inbound")
    public static let dns = AccessPath("dns")
    public static let token = AccessPath("token")
    /// Transport-only checks (`tcp://`, `tls://`) and plain web checks (`http(s)://`).
    public static let tcp = AccessPath("tcp")
    public static let tls = AccessPath("tls")
    public static let http = AccessPath("http")

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
