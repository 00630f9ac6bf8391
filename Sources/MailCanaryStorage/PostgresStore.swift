import Foundation
import Logging
import MailCanaryCore
import PostgresNIO
import ServiceLifecycle

/// The shared store for several server replicas: PostgreSQL through postgres-nio's pooled client.
///
/// Its connection pool is a service (`run()`), so it goes first in the server's service group.
/// Migrations and rollups take advisory locks, so replicas can start and roll up at once.
public final class PostgresStore: MailCanaryStore, Service {
    let client: PostgresClient
    let logger: Logger
    let lease: DetectionLeaseHolder

    /// Advisory lock keys (arbitrary, fixed): one for migrations, one for the rollup job.
    static let migrationLock: Int64 = 0x4D43_0001
    static let rollupLock: Int64 = 0x4D43_0002

    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        public init(host: String, port: Int, user: String, password: String?, database: String) {
            self.host = host
            self.port = port
            self.user = user
            self.password = password
            self.database = database
        }
    }

    public init(_ settings: Settings, logger: Logger) {
        var configuration = PostgresClient.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                         password: settings.password, database: settings.database, tls: .disable)
        configuration.options.maximumConnections = 8
        configuration.options.connectTimeout = .seconds(5)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        lease = DetectionLeaseHolder(configuration: PostgresConnection.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: .disable), logger: logger)
    }

    /// Runs the connection pool until the task is cancelled (graceful shutdown).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
        await lease.release()
    }

    public func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: self.logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS mailcanary_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)", logger: self.logger)
            let rows = try await connection.query("SELECT COALESCE(MAX(version), 0)::INT8 FROM mailcanary_schema", logger: self.logger)
            var applied = 0
            for try await version in rows.decode(Int64.self) { applied = Int(version) }
            for migration in Migration.all where migration.version > applied {
                for statement in migration.sql(for: .postgres) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                }
                let now = Date().millisecondsSince1970
                try await connection.query("INSERT INTO mailcanary_schema (version, name, applied_at) VALUES (\(migration.version), \(migration.name), \(now))",
                                           logger: self.logger)
            }
        }
    }

    public func schemaVersion() async throws -> Int {
        let rows = try await client.query("SELECT COALESCE(MAX(version), 0)::INT8 FROM mailcanary_schema", logger: logger)
        for try await version in rows.decode(Int64.self) { return Int(version) }
        return 0
    }

    /// Within `pingDeadline`: while PostgreSQL is unreachable, postgres-nio's pool keeps a query
    /// waiting for a connection until its circuit breaker trips after a minute (not configurable
    /// through `PostgresClient`), and `/healthz` would hang that long instead of answering 503.
    public func ping() async throws {
        let client = client
        let logger = logger
        try await Deadline.within(Self.pingDeadline) { _ = try await client.query("SELECT 1", logger: logger).collect() }
    }

    static let pingDeadline: Duration = .seconds(3)

    // MARK: - Results

    public func append(_ results: [StoredResult]) async throws -> AppendOutcome {
        guard !results.isEmpty else { return AppendOutcome(inserted: 0, duplicates: 0) }
        // Columns as arrays, one UNNEST; NULLs travel as sentinels ('' and -1) and come back with NULLIF.
        let origin = results.map(\.origin)
        let sequence = results.map { $0.sequence ?? -1 }
        let probe = results.map(\.probeID)
        let service = results.map(\.service)
        let path = results.map(\.path)
        let region = results.map(\.region)
        let started = results.map(\.startedAtMs)
        let planned = results.map(\.plannedAtMs)
        let duration = results.map(\.durationMs)
        let outcome = results.map(\.outcome.rawValue)
        let failureClass = results.map { $0.failureClass?.rawValue ?? "" }
        let reason = results.map { $0.failureReason ?? "" }
        let step = results.map { $0.failedStep ?? "" }
        let error = results.map { $0.error ?? "" }
        let days = results.map { Int64($0.certificateDaysLeft ?? Int.min) }
        let steps = results.map(\.stepsJSON)
        let query: PostgresQuery = """
            WITH ins AS (
              INSERT INTO results (origin, sequence, probe_id, service, path, region, started_at, planned_at, duration_ms,
                                   outcome, failure_class, failure_reason, failed_step, error, cert_days_left, steps)
              SELECT o, NULLIF(sq, -1), p, sv, pa, rg, st, pl, du, oc, NULLIF(fc, ''), NULLIF(fr, ''), NULLIF(fs, ''),
                     NULLIF(er, ''), NULLIF(cd, \(Int64(Int.min)))::INT4, sp
              FROM UNNEST(\(origin)::TEXT[], \(sequence)::INT8[], \(probe)::TEXT[], \(service)::TEXT[], \(path)::TEXT[],
                          \(region)::TEXT[], \(started)::INT8[], \(planned)::INT8[], \(duration)::FLOAT8[], \(outcome)::TEXT[],
                          \(failureClass)::TEXT[], \(reason)::TEXT[], \(step)::TEXT[], \(error)::TEXT[], \(days)::INT8[], \(steps)::TEXT[])
                   AS u(o, sq, p, sv, pa, rg, st, pl, du, oc, fc, fr, fs, er, cd, sp)
              ON CONFLICT (origin, sequence) DO NOTHING
              RETURNING id, probe_id, region, started_at, service, path
            ), latest AS (
              INSERT INTO latest_results (probe_id, region, result_id, started_at)
              SELECT DISTINCT ON (probe_id, region) probe_id, region, id, started_at FROM ins
              ORDER BY probe_id, region, started_at DESC, id DESC
              ON CONFLICT (probe_id, region) DO UPDATE SET result_id = excluded.result_id, started_at = excluded.started_at
              WHERE excluded.started_at >= latest_results.started_at
            ), dirty AS (
              INSERT INTO rollup_dirty (service, path, region, source, bucket)
              SELECT DISTINCT service, path, region, 'probe', (started_at / 60000) * 60000 FROM ins
              ON CONFLICT DO NOTHING
            )
            SELECT COUNT(*)::INT8 FROM ins
            """
        let rows = try await client.query(query, logger: logger)
        var inserted = 0
        for try await count in rows.decode(Int64.self) { inserted = Int(count) }
        return AppendOutcome(inserted: inserted, duplicates: results.count - inserted)
    }

    public func latest(service: String?) async throws -> [StoredResult] {
        let rows = try await client.query("""
            SELECT r.* FROM latest_results l JOIN results r ON r.id = l.result_id
            WHERE \(service)::TEXT IS NULL OR r.service = \(service) ORDER BY r.service, r.probe_id, r.region
            """, logger: logger)
        return try await Self.results(rows)
    }

    public func results(probeID: String, region: String, fromMs: Int64, toMs: Int64, limit: Int) async throws -> [StoredResult] {
        // By minute first, as on SQLite (`results_minute_probe`): the window's stored minutes, newest
        // first. (LEAST and GREATEST skip NULLs here: an empty table must give no minutes, not the
        // whole window's.)
        let rows = try await client.query("""
            SELECT r.* FROM generate_series(
                (SELECT CASE WHEN MAX(started_at) IS NULL THEN NULL ELSE LEAST(\(toMs) - 1, MAX(started_at)) END FROM results) / 60000,
                (SELECT CASE WHEN MIN(started_at) IS NULL THEN NULL ELSE GREATEST(\(fromMs), MIN(started_at)) END FROM results) / 60000,
                -1) AS minute(m)
            JOIN results r ON (r.started_at / 60000) = minute.m AND r.probe_id = \(probeID) AND r.region = \(region)
            WHERE r.started_at >= \(fromMs) AND r.started_at < \(toMs)
            ORDER BY r.started_at DESC LIMIT \(Int64(limit))
            """, logger: logger)
        return try await Self.results(rows)
    }

    public func results(origin: String, afterSequence: Int64, limit: Int) async throws -> [StoredResult] {
        let rows = try await client.query("""
            SELECT * FROM results WHERE origin = \(origin) AND sequence > \(afterSequence) ORDER BY sequence LIMIT \(Int64(limit))
            """, logger: logger)
        return try await Self.results(rows)
    }

    public func count() async throws -> Int {
        let rows = try await client.query("SELECT COUNT(*)::INT8 FROM results", logger: logger)
        for try await count in rows.decode(Int64.self) { return Int(count) }
        return 0
    }

    public func results(startedFromMs: Int64, toMs: Int64, afterID: Int64, limit: Int) async throws -> [(id: Int64, result: StoredResult)] {
        let rows = try await client.query("""
            SELECT * FROM results WHERE id > \(afterID) AND started_at >= \(startedFromMs) AND started_at < \(toMs)
            ORDER BY id LIMIT \(Int64(limit))
            """, logger: logger)
        var results: [(id: Int64, result: StoredResult)] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            results.append((id: try cells["id"].decode(Int64.self), result: try Self.result(cells)))
        }
        return results
    }

    static func results(_ rows: PostgresRowSequence) async throws -> [StoredResult] {
        var results: [StoredResult] = []
        for try await row in rows { results.append(try result(row.makeRandomAccess())) }
        return results
    }

    static func result(_ cells: PostgresRandomAccessRow) throws -> StoredResult {
        StoredResult(
            origin: try cells["origin"].decode(String.self),
            sequence: try cells["sequence"].decode(Int64?.self),
            probeID: try cells["probe_id"].decode(String.self),
            service: try cells["service"].decode(String.self),
            path: try cells["path"].decode(String.self),
            region: try cells["region"].decode(String.self),
            startedAtMs: try cells["started_at"].decode(Int64.self),
            plannedAtMs: try cells["planned_at"].decode(Int64.self),
            durationMs: try cells["duration_ms"].decode(Double.self),
            outcome: ProbeOutcome(rawValue: try cells["outcome"].decode(String.self)) ?? .failed,
            failureClass: try cells["failure_class"].decode(String?.self).flatMap(FailureClass.init(rawValue:)),
            failureReason: try cells["failure_reason"].decode(String?.self),
            failedStep: try cells["failed_step"].decode(String?.self),
            error: try cells["error"].decode(String?.self),
            certificateDaysLeft: try cells["cert_days_left"].decode(Int32?.self).map(Int.init),
            checkedStepsJSON: try cells["steps"].decode(String.self))
    }

    // MARK: - Rollups

    public func history(series: SeriesKey, resolution: Resolution, fromMs: Int64, toMs: Int64) async throws -> [Rollup] {
        let rows = try await client.query("""
            SELECT bucket, total, ok, failed, classes, latency FROM rollups
            WHERE resolution = \(resolution.rawValue) AND service = \(series.service) AND path = \(series.path)
            AND region = \(series.region) AND source = \(series.source) AND bucket >= \(fromMs) AND bucket < \(toMs)
            ORDER BY bucket
            """, logger: logger)
        var rollups: [Rollup] = []
        for try await (bucket, total, ok, failed, classes, latency) in rows.decode((Int64, Int64, Int64, Int64, String, String).self) {
            rollups.append(Rollup(series: series, resolution: resolution, bucketMs: bucket, total: total, ok: ok,
                                  failed: failed, classes: classes, latency: latency))
        }
        return rollups
    }

    public func rollUp() async throws -> Int {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            // One replica rolls up at a time; the others skip this round.
            var locked = false
            for try await got in try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.rollupLock))", logger: logger).decode(Bool.self) {
                locked = got
            }
            guard locked else { return 0 }
            var dirty: [RollupBucketKey] = []
            let rows = try await connection.query("DELETE FROM rollup_dirty RETURNING service, path, region, source, bucket", logger: logger)
            for try await (service, path, region, source, bucket) in rows.decode((String, String, String, String, Int64).self) {
                dirty.append(.init(series: SeriesKey(service: service, path: path, region: region, source: source), bucket: bucket))
            }
            var minutes = MinuteRollups(dirty: dirty)
            for bucket in minutes.buckets {
                let raw = try await connection.query("""
                    SELECT service, path, region, outcome, failure_class, duration_ms FROM results
                    WHERE started_at >= \(bucket) AND started_at < \(bucket + 60_000)
                    """, logger: logger)
                for try await (service, path, region, outcome, failureClass, duration) in raw.decode((String, String, String, String, String?, Double).self) {
                    minutes.add(bucket: bucket, service: service, path: path, region: region, outcome: outcome, failureClass: failureClass,
                                durationMs: duration)
                }
            }
            for rollup in minutes.rollups { try await Self.upsert(rollup, connection, logger) }
            let hours = Set(dirty.map(\.hour))
            for key in hours {
                var hour = Rollup(series: key.series, resolution: .hour, bucketMs: key.bucket)
                let minutes = try await connection.query("""
                    SELECT bucket, total, ok, failed, classes, latency FROM rollups WHERE resolution = 'minute'
                    AND service = \(key.series.service) AND path = \(key.series.path) AND region = \(key.series.region)
                    AND source = \(key.series.source) AND bucket >= \(key.bucket) AND bucket < \(key.bucket + 3_600_000)
                    """, logger: logger)
                for try await (bucket, total, ok, failed, classes, latency) in minutes.decode((Int64, Int64, Int64, Int64, String, String).self) {
                    hour.merge(Rollup(series: key.series, resolution: .minute, bucketMs: bucket, total: total, ok: ok,
                                      failed: failed, classes: classes, latency: latency))
                }
                try await Self.upsert(hour, connection, logger)
            }
            return dirty.count + hours.count
        }
    }

    static func upsert(_ rollup: Rollup, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO rollups (resolution, service, path, region, source, bucket, total, ok, failed, classes, latency, p50, p90, p99)
            VALUES (\(rollup.resolution.rawValue), \(rollup.series.service), \(rollup.series.path), \(rollup.series.region),
                    \(rollup.series.source), \(rollup.bucketMs), \(rollup.total), \(rollup.ok), \(rollup.failed),
                    \(rollup.encodedClasses), \(rollup.latency.encoded), \(rollup.latency.quantile(0.5)),
                    \(rollup.latency.quantile(0.9)), \(rollup.latency.quantile(0.99)))
            ON CONFLICT (resolution, service, path, region, source, bucket) DO UPDATE SET
              total = excluded.total, ok = excluded.ok, failed = excluded.failed, classes = excluded.classes,
              latency = excluded.latency, p50 = excluded.p50, p90 = excluded.p90, p99 = excluded.p99
            """, logger: logger)
    }

    public func prune(_ cutoffs: RetentionCutoffs) async throws -> PruneOutcome {
        // Raw results go only once they are rolled up (as on SQLite, where both share a transaction).
        _ = try await rollUp()
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection in
            func count(_ query: PostgresQuery) async throws -> Int {
                var total = 0
                for try await value in try await connection.query(query, logger: logger).decode(Int64.self) { total = Int(value) }
                return total
            }
            let results = try await count("""
                WITH d AS (DELETE FROM results WHERE started_at < \(cutoffs.rawBeforeMs)
                           AND id NOT IN (SELECT result_id FROM latest_results) RETURNING 1) SELECT COUNT(*)::INT8 FROM d
                """)
            let minutes = try await count("WITH d AS (DELETE FROM rollups WHERE resolution = 'minute' AND bucket < \(cutoffs.minuteBeforeMs) RETURNING 1) SELECT COUNT(*)::INT8 FROM d")
            let hours = try await count("WITH d AS (DELETE FROM rollups WHERE resolution = 'hour' AND bucket < \(cutoffs.hourBeforeMs) RETURNING 1) SELECT COUNT(*)::INT8 FROM d")
            let claims = try await count("WITH d AS (DELETE FROM run_claims WHERE planned_at < \(cutoffs.rawBeforeMs) RETURNING 1) SELECT COUNT(*)::INT8 FROM d")
            return PruneOutcome(results: results, minuteRollups: minutes, hourRollups: hours, claims: claims)
        }
    }

    // MARK: - Agents

    public func setAgentToken(agent: String, tokenHash: String, nowMs: Int64) async throws {
        try await client.query("""
            INSERT INTO agents (id, token_hash, created_at) VALUES (\(agent), \(tokenHash), \(nowMs))
            ON CONFLICT (id) DO UPDATE SET token_hash = excluded.token_hash
            """, logger: logger)
    }

    public func agent(tokenHash: String) async throws -> String? {
        let rows = try await client.query("SELECT id FROM agents WHERE token_hash = \(tokenHash)", logger: logger)
        for try await id in rows.decode(String.self) { return id }
        return nil
    }

    public func touchAgent(_ agent: String, region: String, nowMs: Int64) async throws {
        try await client.query("UPDATE agents SET last_seen = \(nowMs), region = \(region) WHERE id = \(agent)", logger: logger)
    }

    public func agents() async throws -> [AgentRecord] {
        let rows = try await client.query("SELECT id, region, last_seen, created_at FROM agents ORDER BY id", logger: logger)
        var agents: [AgentRecord] = []
        for try await (id, region, lastSeen, created) in rows.decode((String, String?, Int64?, Int64).self) {
            agents.append(AgentRecord(id: id, region: region, lastSeenMs: lastSeen, createdMs: created))
        }
        return agents
    }

    // MARK: - Run claims

    public func claimRun(probeID: String, region: String, plannedAtMs: Int64, replica: String) async throws -> Bool {
        let rows = try await client.query("""
            INSERT INTO run_claims (probe_id, region, planned_at, replica) VALUES (\(probeID), \(region), \(plannedAtMs), \(replica))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        return try await rows.collect().count == 1
    }
}
