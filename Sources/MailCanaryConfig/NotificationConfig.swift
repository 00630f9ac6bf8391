import MailCanaryCore

/// Who hears about incidents, how, and when not (`notifications:` in the configuration).
public struct NotificationConfig: Sendable, Hashable {
    public var channels: [NotificationChannelConfig] = []
    public var routes: [NotificationRouteConfig] = []
    public var maintenance: [MaintenanceWindowConfig] = []
    /// While an incident stays open, a reminder this long after the last message; nil for none.
    public var remindEvery: Duration? = .seconds(4 * 3_600)
    public var retry = RetryConfig()
    /// The dashboard's address as people reach it, for links in messages (nil: no links).
    public var dashboardURL: String?
    /// Delivery records are kept this long.
    public var keep: Duration = .seconds(90 * 86_400)

    public init() {}

    public var isEnabled: Bool { !channels.isEmpty }

    public func channel(_ id: String) -> NotificationChannelConfig? { channels.first { $0.id == id } }
}

public struct RetryConfig: Sendable, Hashable {
    /// The wait after the first failed attempt; it doubles with each attempt up to `maximum`.
    public var initial: Duration = .seconds(10)
    public var maximum: Duration = .seconds(900)
    /// A message not accepted this long after it was planned is abandoned (and recorded as such).
    public var giveUpAfter: Duration = .seconds(2 * 86_400)
    /// The longest Retry-After honoured as given; longer ones are capped to it.
    public var maximumRetryAfter: Duration = .seconds(3_600)
    public init() {}
}

public struct NotificationChannelConfig: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// JSON to any HTTPS endpoint, signed with HMAC-SHA256.
        case webhook
        /// A Slack incoming webhook.
        case slack
        /// A Microsoft Teams incoming webhook (Workflows or the older connector): an Adaptive Card.
        case teams
        /// E-mail through an SMTP relay.
        case email
    }

    public var id: String
    public var kind: Kind
    /// Webhook, Slack and Teams: where to POST. A Slack or Teams URL carries its own credential,
    /// so it may (and should) be a secret reference.
    public var url: URLSource?
    /// Webhook: the HMAC key.
    public var signingSecret: SecretReference?
    public var timeout: Duration = .seconds(10)
    public var caFile: String?
    public var email: EmailChannelConfig?

    public init(id: String, kind: Kind) {
        self.id = id
        self.kind = kind
    }
}

/// A URL written in the configuration or kept as a secret.
public enum URLSource: Sendable, Hashable {
    case inline(String)
    case secret(SecretReference)
}

public struct EmailChannelConfig: Sendable, Hashable {
    public enum Security: String, Sendable, Hashable, CaseIterable {
        case starttls, tls, none
    }

    public var host = "localhost"
    public var port = 587
    public var security: Security = .starttls
    public var user: String?
    public var password: SecretReference?
    public var from = ""
    public var to: [String] = []
    public var ehloName: String?

    public init() {}
}

public struct NotificationRouteConfig: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable, CaseIterable {
        case opened, escalated, recovering, resolved, reminder
    }

    public enum Severity: String, Sendable, Hashable, CaseIterable {
        /// Every incident, from its opening.
        case any
        /// Once it is at least a degradation.
        case degradation
        /// Only service interruptions.
        case interruption
    }

    public var channels: [String] = []
    /// Empty: every service.
    public var services: [String] = []
    /// Empty: every access path.
    public var paths: [AccessPath] = []
    public var minimumSeverity: Severity = .any
    public var events: Set<Event> = [.opened, .escalated, .resolved, .reminder]

    public init() {}
}

/// A time when changes are expected: transitions of matching incidents are recorded, not sent.
public struct MaintenanceWindowConfig: Sendable, Hashable {
    public var name: String
    public var startMs: Int64
    public var endMs: Int64
    /// Empty: every service.
    public var services: [String] = []
    /// Empty: every access path.
    public var paths: [AccessPath] = []

    public init(name: String, startMs: Int64, endMs: Int64) {
        self.name = name
        self.startMs = startMs
        self.endMs = endMs
    }
}
