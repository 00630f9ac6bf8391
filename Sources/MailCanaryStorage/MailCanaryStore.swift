import Foundation

/// What one append did: new results kept, and results already there (same origin and sequence).
public struct AppendOutcome: Sendable, Equatable {
    public var inserted: Int
    public var duplicates: Int
    public init(inserted: Int, duplicates: Int) {
        self.inserted = inserted
        self.duplicates = duplicates
    }
}

/// What a retention pass removed.
public struct PruneOutcome: Sendable, Equatable {
    public var results: Int
    public var minuteRollups: Int
    public var hourRollups: Int
    public var claims: Int
}

/// Cut-off times for each resolution; rows older than these go.
public struct RetentionCutoffs: Sendable {
    public var rawBeforeMs: Int64
    public var minuteBeforeMs: Int64
    public var hourBeforeMs: Int64
    public init(rawBeforeMs: Int64, minuteBeforeMs: Int64, hourBeforeMs: Int64) {
        self.rawBeforeMs = rawBeforeMs
        self.minuteBeforeMs = minuteBeforeMs
        self.hourBeforeMs = hourBeforeMs
    }
}

/// Probe results: append (idempotent per origin and sequence), read, roll up, prune.
public protocol ResultStore: Sendable {
    /// Appends results durably; a result whose (origin, sequence) is already stored is skipped.
    func append(_ results: [StoredResult]) async throws -> AppendOutcome
    /// The newest result per (probe, region), optionally of one service.
    func latest(service: String?) async throws -> [StoredResult]
    /// Raw results of one probe in one region, newest first, started in [from, to).
    func results(probeID: String, region: String, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [StoredResult]
    /// Results started in [from, to) with an id above `afterID`, in id order, with their ids (page
    /// with the last id): detection's warm-up reads its window this way, in one pass.
    func results(startedFromMs: Int64, toMs: Int64, afterID: Int64, limit: Int) async throws -> [(id: Int64, result: StoredResult)]
    /// Results of one origin (an agent), in sequence order; for checks and audits.
    func results(origin: String, afterSequence: Int64, limit: Int) async throws -> [StoredResult]
    func count() async throws -> Int
    /// Rollups of one series at a resolution, oldest first, with buckets in [from, to).
    func history(series: SeriesKey, resolution: Resolution, fromMs: Int64, toMs: Int64) async throws -> [Rollup]
    /// Brings the rollups up to date with every result appended since the last call (late
    /// results included: their buckets are recomputed). Returns the number of buckets written.
    @discardableResult
    func rollUp() async throws -> Int
    func prune(_ cutoffs: RetentionCutoffs) async throws -> PruneOutcome
}

/// Agents and their credentials: only a token's hash is stored.
public protocol AgentStore: Sendable {
    /// Sets (or replaces) an agent's token hash; the old token stops working.
    func setAgentToken(agent: String, tokenHash: String, nowMs: Int64) async throws
    /// The agent a token hash belongs to.
    func agent(tokenHash: String) async throws -> String?
    /// Records that an agent was heard from.
    func touchAgent(_ agent: String, region: String, nowMs: Int64) async throws
    func agents() async throws -> [AgentRecord]
}

public struct AgentRecord: Sendable, Equatable, Codable {
    public var id: String
    public var region: String?
    public var lastSeenMs: Int64?
    public var createdMs: Int64
}

/// Several server replicas agree on who runs each planned probe run: the first claim wins.
public protocol RunClaimStore: Sendable {
    /// True when this replica won the run of `probeID` in `region` planned at `plannedAtMs`.
    func claimRun(probeID: String, region: String, plannedAtMs: Int64, replica: String) async throws -> Bool
}

/// The whole store, as the server uses it.
public protocol MailCanaryStore: ResultStore, AgentStore, RunClaimStore, SignalStore, IncidentStore, AccountStore, NotificationStore, AdvisoryStore,
                                 DetectionFeedStore {
    /// Applies the migrations not yet applied; safe to call from several replicas at once.
    func migrate() async throws
    /// The highest migration applied.
    func schemaVersion() async throws -> Int
    /// A cheap query that proves the store answers (for /healthz).
    func ping() async throws
}
