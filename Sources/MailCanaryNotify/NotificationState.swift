/// What has been said about one incident, kept with the outbox so a restart or a second replica
/// plans from the same place (stored as JSON in `notification_marks`).
public struct NotificationState: Sendable, Equatable, Codable {
    /// The highest severity announced (opened or escalated at).
    public var severity: Int = 0
    /// Access paths and regions announced so far.
    public var paths: [String] = []
    public var regions: [String] = []
    public var escalations = 0
    public var reminders = 0
    /// Times the incident recovered and relapsed (each recovery announced at most once per relapse).
    public var recoveries = 0
    public var recovering = false
    public var resolved = false
    /// When the last transition was planned (reminders count from it).
    public var lastMs: Int64 = 0
    /// A transition was muted by a maintenance window while the incident stayed open.
    public var mutedOpen = false
    /// The time of the operator's status note last announced (optional: states stored before it
    /// was kept read without it).
    public var operatorStatusAtMs: Int64?
    /// Times an operator re-opened the incident after it was announced resolved (optional, as above).
    public var reopenings: Int?

    public init() {}
}
