import MailCanaryCore

/// One client connection outcome read from a mail server's log.
public struct MailLogEvent: Sendable, Equatable {
    public var timeMs: Int64
    public var path: AccessPath
    public var client: ClientKind
    public var failed: Bool
    /// What went wrong, in words the cause rules know (`authentication failed`, `TLS handshake failed: …`).
    public var error: String?
    public var user: String?
    public var latencyMs: Double?

    public init(timeMs: Int64, path: AccessPath, client: ClientKind, failed: Bool, error: String? = nil, user: String? = nil,
                latencyMs: Double? = nil) {
        self.timeMs = timeMs
        self.path = path
        self.client = client
        self.failed = failed
        self.error = error
        self.user = user
        self.latencyMs = latencyMs
    }
}

/// What a log reader made of one line.
public enum LogLineResult: Sendable, Equatable {
    case event(MailLogEvent)
    /// A line of the server's log that says nothing about a client's outcome (connects, the
    /// master process, delivery), or a header.
    case ignored
    /// Not a line this reader knows: counted, never fatal.
    case unknown
}

/// The log formats MailCanary reads.
public enum MailLogFormat: String, Sendable, CaseIterable {
    case dovecot
    case postfix
    /// Exchange's IIS logs (W3C extended format).
    case iis
}

/// A reader of one log format; IIS's is stateful (its `#Fields:` header names the columns).
public protocol MailLogParser: Sendable {
    mutating func parse(_ line: Substring, referenceMs: Int64) -> LogLineResult
}

extension MailLogFormat {
    public func makeParser() -> any MailLogParser {
        switch self {
        case .dovecot: DovecotLogParser()
        case .postfix: PostfixLogParser()
        case .iis: IISLogParser()
        }
    }
}
