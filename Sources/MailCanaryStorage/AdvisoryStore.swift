/// One version of a provider's service-health issue as polled: every status change, new post or
/// edit is a version, kept for good (the provider's own timeline of the incident).
public struct AdvisoryVersion: Sendable, Equatable {
    public var id: Int64
    /// The configured tenant it was polled from.
    public var tenant: String
    public var issueID: String
    /// The issue id and a digest of its content: equal content, equal key.
    public var versionKey: String
    public var polledAtMs: Int64
    public var status: String
    /// The issue as Graph sent it (JSON).
    public var body: String

    public init(id: Int64 = 0, tenant: String, issueID: String, versionKey: String, polledAtMs: Int64, status: String, body: String) {
        self.id = id
        self.tenant = tenant
        self.issueID = issueID
        self.versionKey = versionKey
        self.polledAtMs = polledAtMs
        self.status = status
        self.body = body
    }
}

/// A planned change from the provider's message center (maintenance), as last polled.
public struct PlannedChangeRecord: Sendable, Equatable {
    public var tenant: String
    public var id: String
    public var title: String
    public var services: [String]
    public var startMs: Int64
    public var endMs: Int64

    public init(tenant: String, id: String, title: String, services: [String], startMs: Int64, endMs: Int64) {
        self.tenant = tenant
        self.id = id
        self.title = title
        self.services = services
        self.startMs = startMs
        self.endMs = endMs
    }
}

/// Provider advisories in domain terms: versions appended once each, read back in polling order.
public protocol AdvisoryStore: Sendable {
    /// Stores a version unless its (tenant, version key) is stored already; true when it was new.
    func appendAdvisoryVersion(_ version: AdvisoryVersion) async throws -> Bool
    /// Versions polled at or after a time with an id above `afterID`, in id order.
    func advisoryVersions(polledFromMs: Int64, afterID: Int64, limit: Int) async throws -> [AdvisoryVersion]
    /// One issue's versions, oldest first.
    func advisoryVersions(issueID: String) async throws -> [AdvisoryVersion]
    /// Replaces a tenant's planned changes with what the message center says now.
    func replacePlannedChanges(tenant: String, _ changes: [PlannedChangeRecord]) async throws
    /// Planned changes that have not ended by a time.
    func plannedChanges(endingAfterMs: Int64) async throws -> [PlannedChangeRecord]
}
