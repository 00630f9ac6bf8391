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
        abstract: "Scheduler lag and write rate at 10,000 probes per minute; agent-batch and telemetry ingest on SQLite and PostgreSQL; scenario replay speed.",
        subcommands: [Scheduler.self, Ingest.self, TelemetryIngest.self, ReplaySpeed.self]
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
        // The demand is what the scheduler started in the window (probes/60 once the first minute's
        // jitter has spread the starts); writing keeps pace when every started run is stored.
        print(row("results written per second (needed: runs started)", Double(stored) / elapsed, Double(snapshot.started) / elapsed, "/s", lowerIsBetter: false))
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
    @Option(help: "Seconds to run each round at most.") var seconds = 15
    @Option(help: "Rounds (the median is the figure; this machine's speed varies between runs).") var rounds = 3
    @Option(help: "Batches prepared (the run ends when they are all sent).") var batches = 400
    @Option(name: .customLong("data-dir"), help: "Scratch folder for the SQLite store.") var dataDir = "/tmp/mailcanary-bench-ingest"
    @Option(name: .customLong("postgres"), help: "HOST:PORT:USER:DATABASE:PASSWORD_FILE for --store postgres.") var postgres: String?
    @Option(help: "Probes the results come from (each once a minute, spread over 50 services and 4 paths).") var probes = 10_000
    @Flag(help: "The first shape of this benchmark: 100 probes of one series, every round refilling the same ten minutes.")
    var refill = false
    @Flag(help: "Also time the parts on one core: batch decoding (scanner and JSONDecoder) and direct appends to SQLite.")
    var breakdown = false

    /// The server's two big costs apart from HTTP, each on one core, to show where the time goes.
    func printBreakdown(_ prepared: [Data]) async throws {
        let sample = Array(prepared.prefix(100))
        let bytes = sample.map { [UInt8]($0) }
        let count = Double(sample.count * batch)
        var started = Date()
        var decoded: [ResultBatch] = []
        for body in bytes { decoded.append(try ResultBatch(json: body)) }
        let scanner = count / Date().timeIntervalSince(started)
        started = Date()
        for body in sample { _ = try JSONDecoder().decode(ResultBatch.self, from: body) }
        let foundation = count / Date().timeIntervalSince(started)
        let directory = dataDir + "-direct"
        try? FileManager.default.removeItem(atPath: directory)
        let store = try SQLiteStore(directory: directory)
        try await store.migrate()
        started = Date()
        for batch in decoded { _ = try await store.append(batch.results) }
        let append = count / Date().timeIntervalSince(started)
        print("Parts, one core each (\(sample.count) batches of \(batch)):")
        print(row("decode with JSONScanner (results/s)", scanner, foundation, "/s", lowerIsBetter: false) + " vs JSONDecoder")
        print("decode with Foundation JSONDecoder".padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%12.1f /s", foundation))
        print(row("SQLite append, durable (results/s)", append, 50_000, "/s", lowerIsBetter: false))
    }

    func run() async throws {
        try? FileManager.default.removeItem(atPath: dataDir)
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        var config = WatchConfig()
        // One agent per round, so every round's sequences are new results, not duplicates.
        config.agents = (1...rounds).map { AgentConfig(id: "bench-\($0)", region: "apac") }
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
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            if let tokenService { tasks.addTask { try await tokenService.run() } }
            var port: Int?
            while port == nil { try await Task.sleep(for: .milliseconds(50)); port = handle.port }
            try await tokenStore.migrate()
            print("Ingest: agent batches of \(batch) results, \(concurrency) uploads in flight, \(rounds) rounds of at most \(seconds) s, over HTTP into \(store) (2xx only once durable)")
            print(refill ? "  results: 100 probes of one series, each round refilling the same ten minutes (--refill)"
                         : "  results: \(probes) probes, each once a minute, 50 services x 4 paths; each round continues where the last ended")
            var rates: [Double] = []
            var lastPrepared: [Data] = []
            for round in 1...rounds {
                let token = AgentToken.generate()
                try await tokenStore.setAgentToken(agent: "bench-\(round)", tokenHash: AgentToken.hash(token), nowMs: 0)
                let client = AgentClient(server: "http://127.0.0.1:\(port!)", token: token)
                let prepared = try prepare(agent: "bench-\(round)", round: round)
                let rate = try await upload(prepared, client: client, round: round)
                print(String(format: "  round %d: %.1f results/s", round, rate))
                rates.append(rate)
                lastPrepared = prepared
            }
            let median = rates.sorted()[rates.count / 2]
            print(row("results accepted per second (\(store), median)", median, 50_000, "/s", lowerIsBetter: false))
            print("memory".padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%12.1f MiB (peak resident, server and load generator)", peakMemoryMiB()))
            tasks.cancelAll()
            if breakdown { try await printBreakdown(lastPrepared) }
        }
    }

    /// The load generator encodes its batches before the clock starts, so the figure is the
    /// server's (HTTP, token check, JSON decode, durable append), not the generator's.
    ///
    /// The results are what the 10,000 configured probes produce: each probe once a
    /// minute (so a minute holds `probes` results), spread over many series, and time moves on
    /// from one round to the next, as when agents upload live or flush a backlog after an outage.
    /// `--refill` keeps the first shape for comparison: 100 probes of one series whose every round
    /// refilled the same ten minutes, so by the fifth round a minute held 300,000 results of one
    /// series and each rollup pass re-read them (a load no deployment produces).
    func prepare(agent: String, round: Int) throws -> [Data] {
        let template = StoredResult(origin: "agent:\(agent)", probeID: "lab/imap", service: "lab", path: "imap", region: "apac",
                                    startedAtMs: 1_764_000_000_000, plannedAtMs: 1_764_000_000_000, durationMs: 21.5, outcome: .ok,
                                    certificateDaysLeft: 88, steps: [
                                        StepRecord(name: .resolve, outcome: .ok, durationMs: 0.1, detail: "127.0.0.1"),
                                        StepRecord(name: .connect, outcome: .ok, durationMs: 0.6, detail: "127.0.0.1:14993"),
                                        StepRecord(name: .tls, outcome: .ok, durationMs: 12.4, detail: "TLSv1.3"),
                                        StepRecord(name: .auth, outcome: .ok, durationMs: 4.4, detail: "AUTHENTICATE PLAIN"),
                                    ])
        let paths = ["imap", "smtp", "ews", "mapi-http"]
        let spacingMs = max(1, 60_000 / Int64(max(probes, 1)))
        let roundStart = template.startedAtMs + Int64(round - 1) * Int64(batches * batch) * spacingMs
        let encoder = JSONEncoder()
        var sequence: Int64 = 0
        return try (0..<batches).map { _ -> Data in
            let results = (0..<batch).map { index -> StoredResult in
                var result = template
                sequence += 1
                result.sequence = sequence
                if refill {
                    result.probeID = "lab/p\(index % 100)"
                    result.startedAtMs += sequence % 600_000
                } else {
                    let probe = Int((sequence - 1) % Int64(max(probes, 1)))
                    result.service = "svc\(probe % 50)"
                    result.path = paths[(probe / 50) % paths.count]
                    result.probeID = "\(result.service)/\(result.path)-\(probe)"
                    result.startedAtMs = roundStart + (sequence - 1) * spacingMs
                    result.plannedAtMs = result.startedAtMs
                }
                return result
            }
            return try encoder.encode(ResultBatch(agent: agent, region: "apac", results: results))
        }
    }

    /// Sends the batches, `concurrency` at a time, until they are all sent or time is up; results/s.
    func upload(_ prepared: [Data], client: AgentClient, round: Int) async throws -> Double {
        let queue = NIOLockedValueBox(prepared.enumerated().makeIterator())
        let deadline = Date().addingTimeInterval(Double(seconds))
        let started = Date()
        let accepted = try await withThrowingTaskGroup(of: Int.self) { uploads in
            for _ in 0..<concurrency {
                uploads.addTask {
                    var accepted = 0
                    while Date() < deadline, let (index, body) = queue.withLockedValue({ $0.next() }) {
                        accepted += try await client.upload(encoded: body, idempotencyKey: "bench-\(round):\(index)").accepted
                    }
                    return accepted
                }
            }
            return try await uploads.reduce(0, +)
        }
        return Double(accepted) / Date().timeIntervalSince(started)
    }
}
