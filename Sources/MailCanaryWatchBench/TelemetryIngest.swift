import ArgumentParser
import Foundation
import GRDB
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryServer
import MailCanaryStorage
import MailCanaryWatch
import NIOConcurrencyHelpers
import ServiceLifecycle

/// `mailcanary-watch-bench telemetry`: client telemetry (single connection events, NDJSON)
/// POSTed to a real server that stores every accepted batch durably and hands its events to
/// detection; events accepted per second against the issue's goal (200,000/s on SQLite). The
/// peer line is the obvious alternative layout measured in the same run: one SQLite row per
/// event through one prepared statement, in transactions of the same batch size.
struct TelemetryIngest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry",
        abstract: "POST telemetry NDJSON to a real server (token, idempotency key, durable store, detection) and count events accepted per second.")

    @Option(help: "Events per upload.") var batch = 10_000
    @Option(help: "Uploads in flight at once.") var concurrency = 4
    @Option(help: "Uploads per round.") var batches = 200
    @Option(help: "Rounds (the median is the figure).") var rounds = 3
    @Option(name: .customLong("data-dir"), help: "Scratch folder for the SQLite store.") var dataDir = "/tmp/mailcanary-bench-telemetry"

    static let goal = 200_000.0

    func run() async throws {
        try? FileManager.default.removeItem(atPath: dataDir)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        var config = WatchConfig()
        var service = ServiceConfig(id: "contoso", name: "Contoso", kind: .mailHost)
        service.probes = []
        config.services = [service]
        config.server.port = 0
        let runtime = ServerRuntime(config: config, dataDirectory: dataDir, host: "127.0.0.1", port: 0, logger: logger)
        let (group, handle) = try runtime.makeServiceGroup()
        let (tokenStore, _) = try ServerRuntime.openStore(config, dataDirectory: dataDir, logger: logger)
        let prepared = prepare()
        let bytes = prepared.reduce(0) { $0 + $1.count }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var port: Int?
            while port == nil { try await Task.sleep(for: .milliseconds(50)); port = handle.port }
            try await tokenStore.migrate()
            let token = AgentToken.generate()
            try await tokenStore.setAgentToken(agent: "telemetry:bench", tokenHash: AgentToken.hash(token), nowMs: 0)
            print("Telemetry: uploads of \(batch) single connection events (\(bytes / prepared.count) bytes each), \(concurrency) in flight, over HTTP into SQLite (2xx only once durable, then to detection)")
            var rates: [Double] = []
            for round in 1...rounds {
                let rate = try await upload(prepared, port: port!, token: token, round: round)
                print(String(format: "  round %d: %.0f events/s", round, rate))
                rates.append(rate)
            }
            let median = rates.sorted()[rates.count / 2]
            let peer = try await rowPerEvent(Array(prepared.prefix(20)))
            print(row("events accepted per second (SQLite, median)", median, Self.goal, "/s", lowerIsBetter: false))
            print("peer: one SQLite row per event (no HTTP)".padding(toLength: 48, withPad: " ", startingAt: 0)
                  + String(format: "%12.1f /s   ours / peer %5.2fx", peer, median / peer))
            print("memory".padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%12.1f MiB (peak resident, server and load generator)", peakMemoryMiB()))
            tasks.cancelAll()
        }
    }

    /// Events a little in the past (the server refuses the future), many users, a few paths.
    func prepare() -> [Data] {
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let clients = [("outlook-classic", "mapi-http"), ("owa", "owa"), ("outlook-mobile", "activesync"), ("outlook-classic", "ews")]
        let regions = ["apac", "na", "eu"]
        var counter = 0
        return (0..<batches).map { _ in
            var text = ""
            text.reserveCapacity(batch * 200)
            for _ in 0..<batch {
                counter += 1
                let (client, path) = clients[counter % clients.count]
                let failed = counter % 50 == 0
                text += #"{"time":"\#(UTCTimestamp.format(now - 120_000 + Int64(counter % 60_000)))","service":"contoso","region":"\#(regions[counter % 3])","client":"\#(client)","path":"\#(path)","outcome":"\#(failed ? "failed" : "ok")","#
                text += failed ? #""error":"HTTP 503","user":"u-\#(counter % 20_000)"}"# + "\n" : #""user":"u-\#(counter % 20_000)"}"# + "\n"
            }
            return Data(text.utf8)
        }
    }

    func upload(_ prepared: [Data], port: Int, token: Secret, round: Int) async throws -> Double {
        let client = AgentClient(server: "http://127.0.0.1:\(port)", token: token)
        let queue = NIOLockedValueBox(prepared.enumerated().makeIterator())
        let started = Date()
        let accepted = try await withThrowingTaskGroup(of: Int.self) { uploads in
            for _ in 0..<concurrency {
                uploads.addTask {
                    var accepted = 0
                    while let (index, body) = queue.withLockedValue({ $0.next() }) {
                        accepted += try await client.postTelemetry(body, idempotencyKey: "bench-\(round)-\(index)").accepted
                    }
                    return accepted
                }
            }
            return try await uploads.reduce(0, +)
        }
        return Double(accepted) / Date().timeIntervalSince(started)
    }

    /// The peer layout: every event a row (time, service, region, client, path, outcome, error,
    /// user), durable (WAL, synchronous=FULL), one transaction per upload.
    func rowPerEvent(_ sample: [Data]) async throws -> Double {
        let directory = dataDir + "-rows"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: directory + "/rows.sqlite", configuration: configuration)
        try await pool.write { db in
            try db.execute(sql: """
                CREATE TABLE events (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, service TEXT NOT NULL, region TEXT NOT NULL,
                client TEXT NOT NULL, path TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT, user TEXT)
                """)
        }
        let started = Date()
        var count = 0
        for body in sample {
            struct Event: Sendable { var time: Int64; var fields: [String?] }
            var events: [Event] = []
            for line in String(decoding: body, as: UTF8.self).split(separator: "\n") {
                guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                events.append(Event(time: UTCTimestamp.parse(object["time"] as? String ?? "") ?? 0,
                                    fields: ["service", "region", "client", "path", "outcome", "error", "user"].map { object[$0] as? String }))
            }
            count += events.count
            let rows = events
            try await pool.write { db in
                let insert = try db.makeStatement(sql: "INSERT INTO events (time, service, region, client, path, outcome, error, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                for event in rows {
                    var values: [(any DatabaseValueConvertible)?] = [event.time]
                    for field in event.fields { values.append(field.map { $0 as any DatabaseValueConvertible }) }
                    try insert.execute(arguments: StatementArguments(values))
                }
            }
        }
        return Double(count) / Date().timeIntervalSince(started)
    }
}
