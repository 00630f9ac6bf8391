/// A kind of mail client (DESIGN.md, "client"): which access paths it uses, and how a workaround
/// names it. An open set, like ``AccessPath``: telemetry may name clients this list does not know.
public struct ClientKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible, Comparable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let outlookClassic = ClientKind("outlook-classic")
    public static let outlookNew = ClientKind("outlook-new")
    public static let owa = ClientKind("owa")
    public static let outlookMobile = ClientKind("outlook-mobile")
    public static let outlookMac = ClientKind("outlook-mac")
    public static let imapClient = ClientKind("imap-client")
    public static let smtpClient = ClientKind("smtp-client")

    public var description: String { rawValue }

    public static func < (lhs: ClientKind, rhs: ClientKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The access paths this client needs, besides the shared `dns` and `token`.
    /// `outlook-classic` uses Autodiscover and MAPI over HTTP, and EWS for some features.
    public var paths: Set<AccessPath> {
        switch self {
        case .outlookClassic: [.autodiscover, .mapiHTTP, .ews]
        case .outlookMac: [.autodiscover, .ews]
        case .outlookNew, .owa: [.owa, .graph]
        case .outlookMobile: [.activesync, .graph]
        case .imapClient: [.imap, .smtpSubmission]
        case .smtpClient: [.smtpSubmission]
        default: []
        }
    }

    /// The order in which a workaround is advised (DESIGN.md, "Workaround"): Outlook on the web
    /// first (nothing to install), then the mobile app, then the desktop clients, then IMAP/SMTP.
    /// The clients a user report may name.
    public static let reportable: [ClientKind] = [.outlookClassic, .outlookNew, .owa, .outlookMobile, .outlookMac, .imapClient, .smtpClient]

    public static let workaroundOrder: [ClientKind] = [.owa, .outlookMobile, .outlookNew, .outlookClassic, .outlookMac, .imapClient]

    /// The name people know the client by, for workarounds and the status page.
    public var displayName: String {
        switch self {
        case .outlookClassic: "classic Outlook for Windows"
        case .outlookNew: "the new Outlook for Windows"
        case .owa: "Outlook on the web"
        case .outlookMobile: "the Outlook mobile app"
        case .outlookMac: "Outlook for Mac"
        case .imapClient: "an IMAP/SMTP mail client"
        case .smtpClient: "an SMTP client"
        default: rawValue
        }
    }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
