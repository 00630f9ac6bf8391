import Foundation
import GRDB
import Logging
import MailCanaryCore
@testable import MailCanaryStorage
import PostgresNIO
import Testing

@Suite("Store conformance")
struct StoreConformanceTests {
    static let checkNames = StoreConformance.checks.map(\.0)

    /// A SQLite store in a scratch folder, migrated (or up to `migratedThrough`), removed afterwards.
    static func withScratchSQLite(foldChunk: Int = 50_000, migratedThrough version: Int = .max,
                                  _ body: (SQLiteStore) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-store-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory, foldChunk: foldChunk)
        try await store.migrate(through: version)
        try await body(store)
    }

    @Test("SQLite", arguments: checkNames)
    func sqlite(check: String) async throws {
        try await Self.withScratchSQLite { store in
            try await StoreConformance.checks.first { $0.0 == check }!.1(store)
        }
    }

    @Test("SQLite creates its folder and file in WAL mode")
    func sqliteFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-store-\(UUID().uuidString)/nested").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        try await store.migrate()
        _ = try await store.append([StoreConformance.result(at: 0)])
        #expect(FileManager.default.fileExists(atPath: directory + "/mailcanary.sqlite"))
        #expect(FileManager.default.fileExists(atPath: directory + "/mailcanary.sqlite-wal"))
    }

    @Test("upgrading to the operator's status on the incident fills it from each incident's latest status note")
    func operatorStatusBackfill() async throws {
        try await Self.withScratchSQLite(migratedThrough: 6) { store in   // before the operator's status was kept on the incident
            try await store.pool.write { db in
                for id in ["A", "B"] {
                    try db.execute(sql: """
                        INSERT INTO incidents (id, fingerprint, service, status, opened_at, resolved_at, updated_at, body)
                        VALUES (?, ?, 'contoso', 'serviceDegradation', 0, NULL, 0, '{}')
                        """, arguments: [id, id])
                }
                for (at, author, status) in [(300, "bob", "serviceRestored"), (100, "alice", "investigating"), (400, "carol", nil as String?)] {
                    try db.execute(sql: "INSERT INTO incident_notes (incident_id, at, author, status, text) VALUES ('A', ?, ?, ?, 'x')",
                                   arguments: [at, author, status])
                }
            }
            try await store.migrate()
            #expect(try await store.incident(id: "A")?.operatorStatus == OperatorStatus(atMs: 300, author: "bob", status: .serviceRestored))
            #expect(try await store.incident(id: "B")?.operatorStatus == nil)
        }
    }

    @Test("upgrading to appends that insert only: marks and newest results written before it are kept, nothing is counted twice")
    func foldUpgrade() async throws {
        try await Self.withScratchSQLite(migratedThrough: 9) { store in   // appends still upserted the newest result and marked minutes
            try await store.pool.write { db in
                for (offset, outcome) in [(0, "ok"), (1_000, "failed"), (61_000, "ok")] {
                    try db.execute(sql: """
                        INSERT INTO results (origin, probe_id, service, path, region, started_at, planned_at, duration_ms, outcome, steps)
                        VALUES ('server', 'lab/imap', 'lab', 'imap', 'local', ?, ?, 5, ?, '[]')
                        """, arguments: [StoreConformance.base + Int64(offset), StoreConformance.base + Int64(offset), outcome])
                }
                try db.execute(sql: "INSERT INTO latest_results (probe_id, region, result_id, started_at) VALUES ('lab/imap', 'local', 3, ?)",
                               arguments: [StoreConformance.base + 61_000])
                // One minute rolled up already, the next still marked.
                try db.execute(sql: "INSERT INTO rollup_dirty (service, path, region, source, bucket) VALUES ('lab', 'imap', 'local', 'probe', ?)",
                               arguments: [StoreConformance.base])
            }
            try await store.migrate()
            #expect(try await store.latest(service: nil).map(\.startedAtMs) == [StoreConformance.base + 61_000])
            #expect(try await store.rollUp() == 2)   // the marked minute and its hour; the rows below the mark are not read again
            let series = SeriesKey(service: "lab", path: "imap", region: "local")
            let minutes = try await store.history(series: series, resolution: .minute, fromMs: StoreConformance.base, toMs: StoreConformance.base + 120_000)
            #expect(minutes.map(\.total) == [2] && minutes.first?.failed == 1)
            #expect(try await store.rollUp() == 0)
            _ = try await store.append([StoreConformance.result(at: 62_000)])
            #expect(try await store.rollUp() == 2)
            #expect(try await store.history(series: series, resolution: .minute, fromMs: StoreConformance.base + 60_000,
                                            toMs: StoreConformance.base + 120_000).map(\.total) == [2])
        }
    }

    @Test("a backlog is folded in chunks of their own transactions, with the same rollups and newest results as at once")
    func foldInChunks() async throws {
        try await Self.withScratchSQLite(foldChunk: 4) { store in
            var batch: [StoredResult] = []
            for step in 0..<15 {
                batch.append(StoreConformance.result(at: Int64(step) * 10_000, failed: step % 5 == 0 ? .timeout : nil))
                batch.append(StoreConformance.result("lab/smtp", at: 150_000 - Int64(step) * 10_000))
            }
            _ = try await store.append(batch)
            #expect(try await store.rollUp() > 0)
            #expect(try await store.rollUp() == 0)
            let minutes = try await store.history(series: SeriesKey(service: "lab", path: "imap", region: "local"), resolution: .minute,
                                                  fromMs: StoreConformance.base, toMs: StoreConformance.base + 3_600_000)
            #expect(minutes.map(\.total) == [6, 6, 3] && minutes.map(\.failed) == [2, 1, 0])
            let hour = try await store.history(series: SeriesKey(service: "lab", path: "smtp", region: "local"), resolution: .hour,
                                               fromMs: StoreConformance.base, toMs: StoreConformance.base + 3_600_000)
            #expect(hour.map(\.total) == [15])
            #expect(try await store.latest(service: nil).map(\.startedAtMs) == [140_000, 150_000].map { StoreConformance.base + $0 })
        }
    }

    @Test("folds running at once, with appends between them, count every result once")
    func concurrentFolds() async throws {
        try await Self.withScratchSQLite(foldChunk: 7) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for step in 0..<25 {
                            _ = try await store.append([StoreConformance.result(origin: "agent:w\(writer)", sequence: Int64(step + 1),
                                                                                at: Int64(step % 5) * 60_000 + Int64(writer) * 1_000)])
                            if step % 3 == 0 { _ = try await store.rollUp() }
                        }
                    }
                }
                for _ in 0..<3 { group.addTask { for _ in 0..<10 { _ = try await store.rollUp() } } }
                try await group.waitForAll()
            }
            _ = try await store.rollUp()
            let series = SeriesKey(service: "lab", path: "imap", region: "local")
            let minutes = try await store.history(series: series, resolution: .minute, fromMs: StoreConformance.base,
                                                  toMs: StoreConformance.base + 3_600_000)
            #expect(minutes.map(\.total) == [20, 20, 20, 20, 20])
            let hour = try await store.history(series: series, resolution: .hour, fromMs: StoreConformance.base, toMs: StoreConformance.base + 3_600_000)
            #expect(hour.map(\.total) == [100])
            #expect(try await store.latest(service: nil).map(\.startedAtMs) == [StoreConformance.base + 4 * 60_000 + 3_000])
        }
    }

    @Test("a fold planned before another fold ran is not applied: it would write older minutes and move the mark back")
    func stalePlan() async throws {
        try await Self.withScratchSQLite { store in
            _ = try await store.append((0..<3).map { StoreConformance.result(at: Int64($0) * 1_000) })
            let stale = try #require(try await store.pool.read { db in try SQLiteFold(db, limit: 100) })
            _ = try await store.append((3..<5).map { StoreConformance.result(at: Int64($0) * 1_000) })
            #expect(try await store.rollUp() == 2)
            #expect(try await store.pool.write { db in try stale.apply(db) } == nil)
            let series = SeriesKey(service: "lab", path: "imap", region: "local")
            #expect(try await store.history(series: series, resolution: .minute, fromMs: StoreConformance.base,
                                            toMs: StoreConformance.base + 60_000).map(\.total) == [5])
            #expect(try await store.rollUp() == 0)
        }
    }

    @Test("PostgreSQL", .enabled(if: PostgresLab.available), arguments: checkNames)
    func postgres(check: String) async throws {
        try await PostgresLab.withFreshDatabase { store in
            try await StoreConformance.checks.first { $0.0 == check }!.1(store)
        }
    }

    @Test("a PostgreSQL failure reads as PostgreSQL's message and SQLSTATE, never the query's values", .enabled(if: PostgresLab.available))
    func postgresErrorText() async throws {
        try await PostgresLab.withFreshDatabase { store in
            let secret = "tokenhash-\(UUID().uuidString)"
            do {
                _ = try await store.client.query("SELECT 1 FROM no_such_table WHERE token = \(secret)", logger: store.logger).collect()
                Issue.record("the query should have failed")
            } catch {
                let text = StoreErrorText.describe(error)
                #expect(text.contains("PostgreSQL ERROR: relation \"no_such_table\" does not exist (SQLSTATE 42P01)"), "\(text)")
                #expect(!text.contains(secret) && !text.contains("SELECT"))
            }
            do {
                _ = try await store.client.withTransaction(logger: store.logger) { connection in
                    try await connection.query("SELECT 1/0 WHERE \(secret) <> ''", logger: store.logger)
                }
                Issue.record("the transaction should have failed")
            } catch {
                let text = StoreErrorText.describe(error)
                #expect(text == "PostgreSQL ERROR: division by zero (SQLSTATE 22012)", "\(text)")
            }
        }
        var closedPort = PostgresLab.settings(database: "mailcanary")
        closedPort.port = 1
        do {
            try await PostgresLab.adminQuery(closedPort, "SELECT 1")
            Issue.record("nothing listens on port 1")
        } catch {
            let text = StoreErrorText.describe(error)
            #expect(text.hasPrefix("PostgreSQL connection: connectionError ("), "\(text)")
            #expect(text.contains("Connection refused"), "\(text)")
        }
    }

    @Test("PostgreSQL: replicas migrating at once apply each migration once", .enabled(if: PostgresLab.available))
    func concurrentMigrations() async throws {
        try await PostgresLab.withFreshDatabase(migrate: false) { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await store.migrate() } }
                try await group.waitForAll()
            }
            #expect(try await store.schemaVersion() >= 1)
        }
    }

    /// Two transactions commit in the other order than they inserted: the feed must not pass the
    /// slower one's row while it is still open, and must read it once it commits.
    @Test("PostgreSQL: the feed reads rows in commit order, never past a transaction still open", .enabled(if: PostgresLab.available))
    func feedCommitOrder() async throws {
        try await PostgresLab.withFreshDatabase { store in
            func batch(_ key: String) -> SignalBatch {
                SignalBatch(source: "s", idempotencyKey: key, receivedAtMs: 0, firstTimeMs: 0, lastTimeMs: 1, lines: 1, body: "{}\n")
            }
            // Other tests' transactions (in other databases of the cluster) may hold rows back a moment.
            func read(after cursor: inout FeedCursor, until count: Int) async throws -> [String] {
                var keys: [String] = []
                for _ in 0..<100 where keys.count < count {
                    let page = try await store.feed(after: cursor, fromMs: 0, limit: 10, batchLimit: 10)
                    keys += page.batches.map(\.batch.idempotencyKey)
                    cursor = page.cursor
                    if keys.count < count { try await Task.sleep(for: .milliseconds(50)) }
                }
                return keys
            }
            _ = try await store.appendSignals(batch("first"))
            var cursor = FeedCursor()
            #expect(try await read(after: &cursor, until: 1) == ["first"])
            let inserted = AsyncStream.makeStream(of: Void.self)
            let release = AsyncStream.makeStream(of: Void.self)
            // The slow writer inserts (taking the lower id) and waits before committing.
            async let slow: Void = store.client.withTransaction(logger: store.logger) { connection in
                defer { inserted.continuation.finish() }   // a failed insert does not leave the test waiting
                try await connection.query("""
                    INSERT INTO signal_batches (source, idempotency_key, received_at, first_time, last_time, lines, body)
                    VALUES ('s', 'slow', 0, 0, 1, 1, '{}')
                    """, logger: store.logger)
                inserted.continuation.yield()
                for await _ in release.stream { break }
            }
            for await _ in inserted.stream { break }
            _ = try await store.appendSignals(batch("fast"))   // commits first, with the higher id
            let whileOpen = try await store.feed(after: cursor, fromMs: 0, limit: 10, batchLimit: 10)
            #expect(whileOpen.batches.isEmpty, "the feed went past a transaction still open: \(whileOpen.batches.map(\.batch.idempotencyKey))")
            cursor = whileOpen.cursor
            release.continuation.yield()
            try await slow
            #expect(try await read(after: &cursor, until: 2) == ["slow", "fast"])
            #expect(try await store.feed(after: cursor, fromMs: 0, limit: 10, batchLimit: 10).isEmpty)
        }
    }

    /// (A holder that dies without letting go: `LabReplicaTests.sharedDetection` kills one with SIGKILL.)
    @Test("PostgreSQL: one replica holds the detection lease; another takes it when the first lets go", .enabled(if: PostgresLab.available))
    func detectionLease() async throws {
        try await PostgresLab.withFreshDatabase { first in
            var name = ""
            for try await current in try await first.client.query("SELECT current_database()::text", logger: first.logger).decode(String.self) {
                name = current
            }
            let second = PostgresStore(PostgresLab.settings(database: name), logger: Logger(label: "test"))
            #expect(try await first.holdDetectionLease())
            #expect(try await second.holdDetectionLease() == false)
            #expect(try await first.holdDetectionLease())
            await first.releaseDetectionLease()
            #expect(try await second.holdDetectionLease())
            #expect(try await first.holdDetectionLease() == false)
            await first.releaseDetectionLease()
            await second.releaseDetectionLease()
        }
    }

    @Test("the lab's PostgreSQL is there when the lab is required")
    func postgresPresent() {
        if ProcessInfo.processInfo.environment["MAILCANARY_LAB_REQUIRED"] != nil {
            #expect(PostgresLab.available, "start it with: bash scripts/lab.sh up")
        }
    }
}

/// The lab's PostgreSQL (scripts/lab.sh up): each test gets a database of its own.
enum PostgresLab {
    static let environment: [String: String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = ProcessInfo.processInfo.environment["MAILCANARY_LAB_DIR"].map { "\($0)/lab.env" } ?? root.appendingPathComponent(".lab/lab.env").path
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return values
    }()

    static var available: Bool {
        guard let port = environment["MAILCANARY_LAB_POSTGRES_PORT"].flatMap(Int.init) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func settings(database: String) -> PostgresStore.Settings {
        let password = environment["MAILCANARY_LAB_POSTGRES_PASSWORD_FILE"]
            .flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresStore.Settings(host: environment["MAILCANARY_LAB_POSTGRES_HOST"] ?? "127.0.0.1",
                                      port: Int(environment["MAILCANARY_LAB_POSTGRES_PORT"] ?? "") ?? 5432,
                                      user: environment["MAILCANARY_LAB_POSTGRES_USER"] ?? "mailcanary",
                                      password: password, database: database)
    }

    /// Creates a database, runs the body against a store on it, drops it.
    static func withFreshDatabase(migrate: Bool = true, _ body: (PostgresStore) async throws -> Void) async throws {
        let name = "mc_test_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = settings(database: environment["MAILCANARY_LAB_POSTGRES_DATABASE"] ?? "mailcanary")
        try await readable { try await adminQuery(admin, "CREATE DATABASE \(name)") }
        let store = PostgresStore(settings(database: name), logger: Logger(label: "test"))
        try await readable {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                if migrate { try await store.migrate() }
                try await body(store)
            }
        }
        try await readable { try await adminQuery(admin, "DROP DATABASE \(name) WITH (FORCE)") }
    }

    /// postgres-nio's errors describe themselves generically: a failing test says what PostgreSQL said.
    static func readable<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw ReadableStoreError(description: StoreErrorText.describe(error)) }
    }

    struct ReadableStoreError: Error, CustomStringConvertible { let description: String }

    static func adminQuery(_ settings: PostgresStore.Settings, _ sql: String) async throws {
        let configuration = PostgresConnection.Configuration(host: settings.host, port: settings.port, username: settings.user,
                                                             password: settings.password, database: settings.database, tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "test"))
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "test"))
    }
}
