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
                    """, arguments: [startedFromMs / 60_000, (toMs - 1) / 60_000]) else { return [] }
                after = max(after, first - 1)
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

    /// Folds in chunks of `foldChunk` results, each its own transaction, so that a large backlog
    /// (an agent's spool after an outage) holds appends for one chunk at a time, not for all of it.
    public func rollUp() async throws -> Int {
        var written = 0
        while true {
            let chunk = foldChunk
            let step = try await pool.write { db in try Self.fold(db, limit: chunk) }
            written += step.rollups
            guard step.more else { return written }
        }
    }

    /// Results folded per transaction.
    let foldChunk: Int

    /// Takes in what was appended since the last fold: each (probe, region)'s newest result into
    /// `latest_results`, and the rollups of every minute those results fell in (all series of the
    /// minute, read through the minute index), then of their hours. One pass over the new rows, in
    /// rowid order; the mark moves to the last of them. Marks an older schema left in
    /// `rollup_dirty` are taken in too. At most `limit` results at a time: returns the rollups
    /// written and whether more results wait.
    @discardableResult
    static func fold(_ db: Database, limit: Int = .max) throws -> (rollups: Int, more: Bool) {
        let folded = try Int64.fetchOne(db, sql: "SELECT id FROM store_marks WHERE name = 'folded'") ?? 0
        let stored = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM results") ?? 0
        let last = limit == .max ? stored : try Int64.fetchOne(db, sql: """
            SELECT COALESCE(MAX(id), ?) FROM (SELECT id FROM results WHERE id > ? ORDER BY id LIMIT ?)
            """, arguments: [folded, folded, limit]) ?? stored
        let marked = try Row.fetchAll(db, sql: "SELECT * FROM rollup_dirty").map { row in
            RollupBucketKey(series: SeriesKey(service: row["service"], path: row["path"], region: row["region"], source: row["source"]),
                            bucket: row["bucket"])
        }
        guard last > folded || !marked.isEmpty else { return (0, false) }
        if !marked.isEmpty { try db.execute(sql: "DELETE FROM rollup_dirty") }
        var wholeMinutes: Set<Int64> = []
        var newest: [LatestKey: Recency] = [:]
        let fresh = try Row.fetchCursor(db, sql: "SELECT id, probe_id, region, started_at FROM results WHERE id > ? AND id <= ?",
                                        arguments: [folded, last])
        while let row = try fresh.next() {
            let recency = Recency(startedAtMs: row[3], id: row[0])
            wholeMinutes.insert(Resolution.minute.bucket(containing: recency.startedAtMs))
            let key = LatestKey(probeID: row[1], region: row[2])
            if newest[key].map({ $0 < recency }) ?? true { newest[key] = recency }
        }
        let latest = try db.cachedStatement(sql: """
            INSERT INTO latest_results (probe_id, region, result_id, started_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (probe_id, region) DO UPDATE SET result_id = excluded.result_id, started_at = excluded.started_at
            WHERE excluded.started_at >= latest_results.started_at
            """)
        for (key, recency) in newest {
            try latest.execute(arguments: [key.probeID, key.region, recency.id, recency.startedAtMs])
        }
        var minutes = MinuteRollups(dirty: marked, wholeMinutes: wholeMinutes)
        for bucket in minutes.buckets {
            // The index divides with truncation: one index minute per bucket, two before 1970.
            let rows = try Row.fetchCursor(db, sql: """
                SELECT service, path, region, outcome, failure_class, duration_ms FROM results
                WHERE (started_at / 60000) >= ? AND (started_at / 60000) <= ? AND started_at >= ? AND started_at < ?
                """, arguments: [bucket / 60_000, (bucket + 59_999) / 60_000, bucket, bucket + 60_000])
            while let raw = try rows.next() {
                minutes.add(bucket: bucket, service: raw[0], path: raw[1], region: raw[2], outcome: raw[3], failureClass: raw[4], durationMs: raw[5])
            }
        }
        let rollups = minutes.rollups
        for rollup in rollups { try Self.upsert(rollup, db) }
        let hours = Set(rollups.map { RollupBucketKey(series: $0.series, bucket: $0.bucketMs).hour })
        for key in hours {
            var hour = Rollup(series: key.series, resolution: .hour, bucketMs: key.bucket)
            let minutes = try Row.fetchAll(db, sql: """
                SELECT * FROM rollups WHERE resolution = 'minute' AND service = ? AND path = ? AND region = ? AND source = ?
                AND bucket >= ? AND bucket < ?
                """, arguments: [key.series.service, key.series.path, key.series.region, key.series.source, key.bucket, key.bucket + 3_600_000])
            for minute in minutes { hour.merge(Self.rollup(minute, series: key.series, resolution: .minute)) }
            try Self.upsert(hour, db)
        }
        try db.execute(sql: "UPDATE store_marks SET id = ? WHERE name = 'folded'", arguments: [last])
        return (rollups.count + hours.count, last < stored)
    }

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
            // Raw results go only once they are rolled up and the newest of each probe is known.
            while try Self.fold(db, limit: chunk).more {}
            try db.execute(sql: """
                DELETE FROM results WHERE (started_at / 60000) <= ? AND started_at < ? AND id NOT IN (SELECT result_id FROM latest_results)
                """, arguments: [(max(cutoffs.rawBeforeMs, .min + 1) - 1) / 60_000, cutoffs.rawBeforeMs])
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
