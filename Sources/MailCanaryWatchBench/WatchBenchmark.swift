#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryServer
import MailCanaryStorage
import MailCanaryWatch
import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOConcurrencyHelpers
import ServiceLifecycle

/// `mailcanary-watch-bench`: the watch loop's figures against the goals, with the ratio.
@main
struct WatchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailcanary-watch-bench",
        abstract: "Scheduler lag and write rate at 10,000 probes per minute; agent-batch ingest on SQLite and PostgreSQL.",
        subcommands: [Scheduler.self, Ingest.self]
    )
}

/// Peak resident memory of this process (VmHWM), in MiB.
func peakMemoryMiB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb / 1_024
}

func row(_ name: String, _ measured: Double, _ goal: Double, _ unit: String, lowerIsBetter: Bool) -> String {
    let ratio = lowerIsBetter ? goal / max(measured, 0.000_001) : measured / goal
    let verdict = ratio >= 1 ? "meets the goal" : "misses the goal"
    return name.padding(toLength: 48, withPad: " ", startingAt: 0)
        + String(format: "%12.1f %@   goal %8.0f %@   ratio %5.2fx (%@)", measured, unit, goal, unit, ratio, verdict)
}

struct Scheduler: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run N probes at a 60 s interval against a local TCP target, into SQLite.")

    @Option(help: "Configured probes.") var probes = 10_000
    @Option(help: "Seconds to run (at least one interval, 60 s, to see every probe).") var seconds = 75
    @Option(help: "Probes running at once.") var concurrency = 64
    @Option(name: .customLong("data-dir"), help: "Scratch folder for the SQLite store.") var dataDir = "/tmp/mailcanary-bench-scheduler"

    func run() async throws {
        try? FileManager.default.removeItem(atPath: dataDir)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        // The local target: a listener that accepts and closes.
        let target = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 4_096)
            .childChannelInitializer { channel in channel.close() }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = target.localAddress!.port!
        let probeConfigs = (0..<probes).map {
            ProbeConfig(id: "bench/tcp\($0)", service: "bench", path: .tcp, target: "tcp://127.0.0.1:\(port)",
                        interval: .seconds(60), timeout: .seconds(5), regions: ["local"])
        }
        let store = try SQLiteStore(directory: dataDir)
        try await store.migrate()
        let writer = StoreWriter(store: store, logger: logger)
        let jobs = ProbeJobFactory(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
            .jobs(for: probeConfigs, credentials: [:]).map { (job: $0, region: "local") }
        var scheduling = SchedulerConfig()
        scheduling.concurrency = concurrency
        scheduling.jitter = 1
        let scheduler = ProbeScheduler(jobs: jobs, scheduler: scheduling, origin: "server", sink: writer,
                                       nowMs: Date().millisecondsSince1970, logger: logger)
        let started = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await writer.run() }
            group.addTask { try await scheduler.run() }
            try await Task.sleep(for: .seconds(seconds))
            group.cancelAll()
        }
        await writer.flush()
        let elapsed = Date().timeIntervalSince(started)
        let snapshot = scheduler.stats.snapshot
        let stored = try await store.count()
        print("Scheduler: \(probes) probes at a 60 s interval (\(probes) per minute), \(concurrency) at once, \(seconds) s, tcp:// to a local listener, SQLite store")
        print(String(format: "runs started %lld, results stored %d, skipped (overlap) %d, skipped (behind) %d", snapshot.started, stored,
                     snapshot.skippedOverlaps, snapshot.skippedBehind))
        print(row("scheduling lag p50 (ms)", snapshot.lag.quantile(0.5) ?? 0, 250, "ms", lowerIsBetter: true))
        print(row("scheduling lag p99 (ms)", snapshot.lag.quantile(0.99) ?? 0, 250, "ms", lowerIsBetter: true))
        print(row("scheduling lag max (ms)", snapshot.maxLagMs, 250, "ms", lowerIsBetter: true))
        print(row("results written per second (needed: probes/60)", Double(stored) / elapsed, Double(probes) / 60, "/s", lowerIsBetter: false))
        print("server memory".padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%12.1f MiB (peak resident, whole process)", peakMemoryMiB()))
        try await target.close()
    }
}

struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "POST agent batches to a real server (HTTP, JSON, token, durable store) and count results accepted per second.")

    @Option(help: "sqlite or postgres.") var store = "sqlite"
    @Option(help: "Results per batch.") var batch = 1_000
    @Option(help: "Uploads in flight at once.") var concurrency = 4
    @Option(help: "Seconds to run at most.") var seconds = 15
    @Option(help: "Batches prepared (the run ends when they are all sent).") var batches = 400
    @Option(name: .customLong("data-dir"), help: "Scratch folder for the SQLite store.") var dataDir = "/tmp/mailcanary-bench-ingest"
    @Option(name: .customLong("postgres"), help: "HOST:PORT:USER:DATABASE:PASSWORD_FILE for --store postgres.") var postgres: String?

    func run() async throws {
        try? FileManager.default.removeItem(atPath: dataDir)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        var config = WatchConfig()
        config.agents = [AgentConfig(id: "bench-1", region: "apac")]
        config.server.port = 0
        if store == "postgres" {
            guard let parts = postgres?.split(separator: ":").map(String.init), parts.count == 5, let port = Int(parts[1]) else {
                throw ValidationError("--postgres HOST:PORT:USER:DATABASE:PASSWORD_FILE is needed with --store postgres")
            }
            var settings = PostgresConfig()
            settings.host = parts[0]
            settings.port = port
            settings.user = parts[2]
            settings.database = parts[3]
            settings.password = .file(parts[4])
            config.storage.backend = .postgres(settings)
        }
        let runtime = ServerRuntime(config: config, dataDirectory: dataDir, host: "127.0.0.1", port: 0, logger: logger)
        let (group, handle) = try runtime.makeServiceGroup()
        let (tokenStore, tokenService) = try ServerRuntime.openStore(config, dataDirectory: dataDir, logger: logger)
        let token = AgentToken.generate()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            if let tokenService { tasks.addTask { try await tokenService.run() } }
            var port: Int?
            while port == nil { try await Task.sleep(for: .milliseconds(50)); port = handle.port }
            try await tokenStore.migrate()
            try await tokenStore.setAgentToken(agent: "bench-1", tokenHash: AgentToken.hash(token), nowMs: 0)
            let client = AgentClient(server: "http://127.0.0.1:\(port!)", token: token)
            let template = StoredResult(origin: "agent:bench-1", probeID: "lab/imap", service: "lab", path: "imap", region: "apac",
                                        startedAtMs: 1_764_000_000_000, plannedAtMs: 1_764_000_000_000, durationMs: 21.5, outcome: .ok,
                                        certificateDaysLeft: 88, steps: [
                                            StepRecord(name: .resolve, outcome: .ok, durationMs: 0.1, detail: "127.0.0.1"),
                                            StepRecord(name: .connect, outcome: .ok, durationMs: 0.6, detail: "127.0.0.1:14993"),
                                            StepRecord(name: .tls, outcome: .ok, durationMs: 12.4, detail: "TLSv1.3"),
                                            StepRecord(name: .auth, outcome: .ok, durationMs: 4.4, detail: "AUTHENTICATE PLAIN"),
                                        ])
            // The load generator encodes its batches before the clock starts, so the figure is the
            // server's (HTTP, token check, JSON decode, durable append), not the generator's.
            let encoder = JSONEncoder()
            var sequence: Int64 = 0
            let prepared = try (0..<batches).map { _ -> Data in
                let results = (0..<batch).map { index -> StoredResult in
                    var result = template
                    sequence += 1
                    result.sequence = sequence
                    result.probeID = "lab/p\(index % 100)"
                    result.startedAtMs += sequence % 600_000
                    return result
                }
                return try encoder.encode(ResultBatch(agent: "bench-1", region: "apac", results: results))
            }
            let queue = NIOLockedValueBox(prepared.enumerated().makeIterator())
            let deadline = Date().addingTimeInterval(Double(seconds))
            let started = Date()
            let accepted = try await withThrowingTaskGroup(of: Int.self) { uploads in
                for _ in 0..<concurrency {
                    uploads.addTask {
                        var accepted = 0
                        while Date() < deadline, let (index, body) = queue.withLockedValue({ $0.next() }) {
                            accepted += try await client.upload(encoded: body, idempotencyKey: "bench-1:\(index)").accepted
                        }
                        return accepted
                    }
                }
                return try await uploads.reduce(0, +)
            }
            let elapsed = Date().timeIntervalSince(started)
            print("Ingest: agent batches of \(batch) results, \(concurrency) uploads in flight, \(seconds) s, over HTTP into \(store) (2xx only once durable)")
            print(row("results accepted per second (\(store))", Double(accepted) / elapsed, 50_000, "/s", lowerIsBetter: false))
            print("memory".padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%12.1f MiB (peak resident, server and load generator)", peakMemoryMiB()))
            tasks.cancelAll()
        }
    }
}
