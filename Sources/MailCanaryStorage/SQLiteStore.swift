import Foundation
import GRDB
import MailCanaryCore

/// The embedded store: one SQLite file in WAL mode, `synchronous=FULL` so that an append that
/// returned survives a crash of the process or of the machine.
public final class SQLiteStore: MailCanaryStore {
    let pool: DatabasePool
    public let path: String

    /// Opens (and creates, with its folder) `DIRECTORY/mailcanary.sqlite`. `foldChunk` is how many
    /// new results the maintenance job takes in per transaction (see `rollUp`).
    public init(directory: String, foldChunk: Int = 50_000) throws {
        self.foldChunk = max(1, foldChunk)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent("mailcanary.sqlite")
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.label = "mailcanary"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -32768")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        self.pool = pool
        appends = GroupCommit { batches in
            try await pool.write { db in
                let insert = try ResultInsert(db)
                return try batches.map { try Self.write($0, insert: insert, db: db) }
            }
        }
    }

    public func migrate() async throws {
        try await migrate(through: .max)
    }

    /// Applies the migrations up to `last` (the migration tests stop at an older schema).
    func migrate(through last: Int) async throws {
        try await pool.write { db in
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS mailcanary_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
            let applied = try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM mailcanary_schema") ?? 0
            for migration in Migration.all where migration.version > applied && migration.version <= last {
                for statement in migration.sql(for: .sqlite) { try db.execute(sql: statement) }
                try db.execute(sql: "INSERT INTO mailcanary_schema (version, name, applied_at) VALUES (?, ?, ?)",
                               arguments: [migration.version, migration.name, Date().millisecondsSince1970])
            }
        }
    }

    public func schemaVersion() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COALESCE(MAX(version), 0) FROM mailcanary_schema") ?? 0 }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: - Results

    public func append(_ results: [StoredResult]) async throws -> AppendOutcome {
        guard !results.isEmpty else { return AppendOutcome(inserted: 0, duplicates: 0) }
        return try await appends.submit(PreparedAppend(results))
    }

    /// Concurrent appends (uploads from several agents, the server's own writer) share commits.
    private let appends: GroupCommit<PreparedAppend, AppendOutcome>

    /// One batch with its steps' JSON written before the write: the writer is one thread for the
    /// whole store, and an append inserts the results and nothing else. The newest result per
    /// (probe, region) and the minutes to roll up are worked out later by `fold`, from the results
    /// above the `folded` mark (upserting the newest result and marking each series' minute for
    /// every batch took the writer as long as the inserts themselves).
    struct PreparedAppend: Sendable {
        var results: [StoredResult]
        var steps: [String]

        init(_ results: [StoredResult]) {
            self.results = results
            steps = results.map(\.stepsJSON)
        }
    }

    private static func write(_ batch: PreparedAppend, insert: ResultInsert, db: Database) throws -> AppendOutcome {
        var inserted = 0
        for (index, result) in batch.results.enumerated() where try insert.insert(result, steps: batch.steps[index], db: db) {
            inserted += 1
        }
        return AppendOutcome(inserted: inserted, duplicates: batch.results.count - inserted)
    }

    struct LatestKey: Hashable {
        var probeID: String
        var region: String
    }

    /// A result's place in the "newest" order: start time, then the later append.
    struct Recency: Comparable {
        var startedAtMs: Int64
        var id: Int64

        static func < (lhs: Recency, rhs: Recency) -> Bool {
            (lhs.startedAtMs, lhs.id) < (rhs.startedAtMs, rhs.id)
        }
    }

    /// The folded newest results, overtaken by any newer one appended since the last fold.
    public func latest(service: String?) async throws -> [StoredResult] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.*, 1 AS rank FROM latest_results l JOIN results r ON r.id = l.result_id WHERE :service IS NULL OR r.service = :service
                UNION ALL
                SELECT * FROM (
                  SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.probe_id, r.region ORDER BY r.started_at DESC, r.id DESC) AS rank
                  FROM results r WHERE r.id > (SELECT id FROM store_marks WHERE name = 'folded') AND (:service IS NULL OR r.service = :service)
                ) WHERE rank = 1
                """, arguments: ["service": service])
            var newest: [LatestKey: (recency: Recency, result: StoredResult)] = [:]
            for row in rows {
                let result = Self.result(row)
                let recency = Recency(startedAtMs: result.startedAtMs, id: row["id"])
                let key = LatestKey(probeID: result.probeID, region: result.region)
                if newest[key].map({ $0.recency < recency }) ?? true { newest[key] = (recency, result) }
            }
            return newest.values.map(\.result).sorted { ($0.service, $0.probeID, $0.region) < ($1.service, $1.probeID, $1.region) }
        }
    }

    /// A probe's results are indexed by minute first (`results_minute_probe`, migration 9), so
    /// that appends land in the current minute's part of the index instead of at 10,000 random
    /// places: the query walks the window's minutes (clamped to the stored ones), newest first,
    /// and looks the probe up in each.
    public func results(probeID: String, region: String, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [StoredResult] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                WITH RECURSIVE minute(m) AS (
                  SELECT MIN(:to - 1, (SELECT MAX(started_at) FROM results)) / 60000
                  UNION ALL
                  SELECT m - 1 FROM minute WHERE m > MAX(:from, (SELECT MIN(started_at) FROM results)) / 60000
                )
                SELECT r.* FROM minute CROSS JOIN results r
                WHERE (r.started_at / 60000) = minute.m AND r.probe_id = :probe AND r.region = :region
                  AND r.started_at >= :from AND r.started_at < :to
                ORDER BY r.started_at DESC LIMIT :limit
                """, arguments: ["probe": probeID, "region": region, "from": fromMs, "to": toMs, "limit": limit]).map(Self.result)
        }
    }

    /// Results in append order. The first page starts at the lowest rowid the window's minutes hold
    /// (found in the minute index), so that it does not walk the table from its first row.
    public func results(startedFromMs: Int64, toMs: Int64, afterID: Int64, limit: Int) async throws -> [(id: Int64, result: StoredResult)] {
        guard toMs > startedFromMs else { return [] }
        return try await pool.read { db in
            var after = afterID
            if after <= 0 {
                // Integer division truncates in SQLite as in Swift; both keep the order of times.
                guard let first = try Int64.fetchOne(db, sql: """
                    SELECT MIN(id) FROM results WHERE (started_at / 60000) >= ? AND (started_at / 60000) <= ?
                    """, arguments: [startedFromMs / 60_000, toMs / 60_000]) else { return [] }
                after = first - 1
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM results WHERE id > ? AND started_at >= ? AND started_at < ? ORDER BY id LIMIT ?",
                                    arguments: [after, startedFromMs, toMs, limit]).map { row in (id: row["id"], result: Self.result(row)) }
        }
    }

    public func results(origin: String, afterSequence: Int64, limit: Int) async throws -> [StoredResult] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM results WHERE origin = ? AND sequence > ? ORDER BY sequence LIMIT ?",
                             arguments: [origin, afterSequence, limit]).map(Self.result)
        }
    }

    public func count() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM results") ?? 0 }
    }

    static func result(_ row: Row) -> StoredResult {
        StoredResult(
            origin: row["origin"], sequence: row["sequence"], probeID: row["probe_id"], service: row["service"],
            path: row["path"], region: row["region"], startedAtMs: row["started_at"], plannedAtMs: row["planned_at"],
            durationMs: row["duration_ms"], outcome: ProbeOutcome(rawValue: row["outcome"]) ?? .failed,
            failureClass: (row["failure_class"] as String?).flatMap(FailureClass.init(rawValue:)),
            failureReason: row["failure_reason"], failedStep: row["failed_step"], error: row["error"],
            certificateDaysLeft: row["cert_days_left"], checkedStepsJSON: row["steps"])
    }

    // MARK: - Rollups

    public func history(series: SeriesKey, resolution: Resolution, fromMs: Int64, toMs: Int64) async throws -> [Rollup] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM rollups WHERE resolution = ? AND service = ? AND path = ? AND region = ? AND source = ?
                AND bucket >= ? AND bucket < ? ORDER BY bucket
                """, arguments: [resolution.rawValue, series.service, series.path, series.region, series.source, fromMs, toMs])
                .map { row in Self.rollup(row, series: series, resolution: resolution) }
        }
    }

    /// Folds in what was appended since the last fold (``SQLiteFold``), `foldChunk` results at a
    /// time: each chunk is read on a reader connection, so appends go on meanwhile, and applied in
    /// a short write of its own.
    public func rollUp() async throws -> Int {
        var written = 0
        let chunk = foldChunk
        while true {
            guard let plan = try await pool.read({ db in try SQLiteFold(db, limit: chunk) }) else { return written }
            // nil: another fold moved the mark meanwhile; plan again from there.
            guard let rollups = try await pool.write({ db in try plan.apply(db) }) else { continue }
            written += rollups
            guard plan.more else { return written }
        }
    }

    /// Results folded per chunk.
    let foldChunk: Int

    static func upsert(_ rollup: Rollup, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO rollups (resolution, service, path, region, source, bucket, total, ok, failed, classes, latency, p50, p90, p99)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (resolution, service, path, region, source, bucket) DO UPDATE SET
              total = excluded.total, ok = excluded.ok, failed = excluded.failed, classes = excluded.classes,
              latency = excluded.latency, p50 = excluded.p50, p90 = excluded.p90, p99 = excluded.p99
            """, arguments: [
                rollup.resolution.rawValue, rollup.series.service, rollup.series.path, rollup.series.region, rollup.series.source,
                rollup.bucketMs, rollup.total, rollup.ok, rollup.failed, rollup.encodedClasses, rollup.latency.encoded,
                rollup.latency.quantile(0.5), rollup.latency.quantile(0.9), rollup.latency.quantile(0.99),
            ])
    }

    static func rollup(_ row: Row, series: SeriesKey, resolution: Resolution) -> Rollup {
        Rollup(series: series, resolution: resolution, bucketMs: row["bucket"], total: row["total"], ok: row["ok"],
               failed: row["failed"], classes: row["classes"], latency: row["latency"])
    }

    public func prune(_ cutoffs: RetentionCutoffs) async throws -> PruneOutcome {
        let chunk = foldChunk
        return try await pool.write { db in
            // Raw results go only once they are rolled up and the newest of each probe is known (all
            // of the backlog, in this one transaction: nothing may be deleted before it is folded).
            while let plan = try SQLiteFold(db, limit: chunk) {
                _ = try plan.apply(db)
                if !plan.more { break }
            }
            // The minute bound lets the minute index find the rows (truncating division keeps order).
            try db.execute(sql: """
                DELETE FROM results WHERE (started_at / 60000) <= ? AND started_at < ? AND id NOT IN (SELECT result_id FROM latest_results)
                """, arguments: [cutoffs.rawBeforeMs / 60_000, cutoffs.rawBeforeMs])
            let results = db.changesCount
            try db.execute(sql: "DELETE FROM rollups WHERE resolution = 'minute' AND bucket < ?", arguments: [cutoffs.minuteBeforeMs])
            let minutes = db.changesCount
            try db.execute(sql: "DELETE FROM rollups WHERE resolution = 'hour' AND bucket < ?", arguments: [cutoffs.hourBeforeMs])
            let hours = db.changesCount
            try db.execute(sql: "DELETE FROM run_claims WHERE planned_at < ?", arguments: [cutoffs.rawBeforeMs])
            return PruneOutcome(results: results, minuteRollups: minutes, hourRollups: hours, claims: db.changesCount)
        }
    }

    // MARK: - Agents

    public func setAgentToken(agent: String, tokenHash: String, nowMs: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO agents (id, token_hash, created_at) VALUES (?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash
                """, arguments: [agent, tokenHash, nowMs])
        }
    }

    public func agent(tokenHash: String) async throws -> String? {
        try await pool.read { db in try String.fetchOne(db, sql: "SELECT id FROM agents WHERE token_hash = ?", arguments: [tokenHash]) }
    }

    public func touchAgent(_ agent: String, region: String, nowMs: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE agents SET last_seen = ?, region = ? WHERE id = ?", arguments: [nowMs, region, agent])
        }
    }

    public func agents() async throws -> [AgentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agents ORDER BY id").map { row in
                AgentRecord(id: row["id"], region: row["region"], lastSeenMs: row["last_seen"], createdMs: row["created_at"])
            }
        }
    }

    // MARK: - Run claims

    public func claimRun(probeID: String, region: String, plannedAtMs: Int64, replica: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO run_claims (probe_id, region, planned_at, replica) VALUES (?, ?, ?, ?)",
                           arguments: [probeID, region, plannedAtMs, replica])
            return db.changesCount == 1
        }
    }
}
