/// One change worth telling people about. `key` is stable per incident and transition, so the
/// same transition planned twice (a restart, a second replica) is queued once.
public struct NotificationTransition: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case opened, escalated, recovering, resolved, reminder
        /// An operator set a status other than a restored one (routed as `escalated`).
        case statusSet
        /// Still open when the maintenance window that muted it ended.
        case unmuted
        /// `mailcanary notify test`.
        case test
    }

    public var kind: Kind
    public var key: String
    public var atMs: Int64
    /// In a line, without target text: "now a service interruption", "new path ews in apac".
    public var summary: String

    public init(kind: Kind, key: String, atMs: Int64, summary: String) {
        self.kind = kind
        self.key = key
        self.atMs = atMs
        self.summary = summary
    }
}
