/// One message for one channel about one incident transition: the outbox row and, once sent or
/// given up, the record of it. `(key, channel)` is unique, so planning the same transition twice
/// (a restart, a second replica) queues it once.
public struct OutboxEntry: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        /// Waiting for its first or next attempt.
        case pending
        /// Accepted by the receiver.
        case delivered
        /// Refused for good (a 4xx other than 408/429, a 5xx SMTP reply): retrying cannot help.
        case failed
        /// Still not accepted when its retry period ended.
        case abandoned
        /// Planned inside a maintenance window: recorded, never sent.
        case muted
    }

    public var id: Int64
    /// The transition's stable key (`INCIDENT/opened`, `INCIDENT/resolved`, …).
    public var key: String
    public var channel: String
    public var incidentID: String
    /// What happened: opened, escalated, statusSet, recovering, resolved, reminder, unmuted, test.
    public var kind: String
    public var createdMs: Int64
    /// The channel-neutral message as JSON; each channel renders it at send time.
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptMs: Int64
    /// The last attempt's outcome in a line (never a secret: URLs are not included).
    public var lastResult: String?
    public var deliveredMs: Int64?

    public init(id: Int64 = 0, key: String, channel: String, incidentID: String, kind: String, createdMs: Int64, payload: String,
                status: Status = .pending, attempts: Int = 0, nextAttemptMs: Int64, lastResult: String? = nil, deliveredMs: Int64? = nil) {
        self.id = id
        self.key = key
        self.channel = channel
        self.incidentID = incidentID
        self.kind = kind
        self.createdMs = createdMs
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.nextAttemptMs = nextAttemptMs
        self.lastResult = lastResult
        self.deliveredMs = deliveredMs
    }
}

/// What one attempt changed about an outbox entry.
public struct DeliveryUpdate: Sendable, Equatable {
    public var status: OutboxEntry.Status
    public var attempts: Int
    public var nextAttemptMs: Int64
    public var lastResult: String
    public var deliveredMs: Int64?

    public init(status: OutboxEntry.Status, attempts: Int, nextAttemptMs: Int64, lastResult: String, deliveredMs: Int64? = nil) {
        self.status = status
        self.attempts = attempts
        self.nextAttemptMs = nextAttemptMs
        self.lastResult = lastResult
        self.deliveredMs = deliveredMs
    }
}

/// What notification has already said about an incident, with a version for compare-and-set.
public struct NotificationMark: Sendable, Equatable {
    public var incidentID: String
    public var version: Int
    /// The planner's state as JSON.
    public var state: String

    public init(incidentID: String, version: Int, state: String) {
        self.incidentID = incidentID
        self.version = version
        self.state = state
    }
}

/// The notification outbox in domain terms: transitions are planned into it atomically with the
/// planner's state, claimed with a lease by one sender at a time, and kept as the record of
/// what was sent.
public protocol NotificationStore: Sendable {
    /// Incidents saved at or after a time, newest last (what the planner looks at each pass).
    func incidents(updatedSinceMs: Int64, limit: Int) async throws -> [IncidentRecord]
    /// A named time mark (the planner's cursor); nil before the first set.
    func mark(_ name: String) async throws -> Int64?
    func setMark(_ name: String, _ value: Int64) async throws
    func notificationMark(incidentID: String) async throws -> NotificationMark?
    /// Stores the planner's new state and queues the entries in one transaction, if the state is
    /// still at `expectedVersion` (nil: none yet). Entries whose `(key, channel)` exists already
    /// are skipped. False when another planner moved the state first (nothing is written).
    func commitNotifications(incidentID: String, expectedVersion: Int?, state: String, entries: [OutboxEntry]) async throws -> Bool
    /// Due pending entries, leased to `owner` until `nowMs + leaseMs` so no other sender takes them.
    /// Per incident and channel in order: an entry waits while an earlier one is still pending
    /// (a resolution never overtakes its opening).
    func claimDeliveries(nowMs: Int64, owner: String, leaseMs: Int64, limit: Int) async throws -> [OutboxEntry]
    /// Records an attempt and ends the lease.
    func finishDelivery(id: Int64, _ update: DeliveryUpdate) async throws
    /// The record, newest first; one incident's or every incident's.
    func deliveries(incidentID: String?, limit: Int) async throws -> [OutboxEntry]
    /// Removes settled entries created before a time; pending ones stay.
    func pruneDeliveries(createdBeforeMs: Int64) async throws -> Int
}
