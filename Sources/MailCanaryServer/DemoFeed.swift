import Logging
import MailCanaryCore
import MailCanaryIngest
import MailCanaryStorage
import ServiceLifecycle

/// The demo's live half: after the history written at start, each minute's records of the
/// ``DemoScenario`` are stored (detection reads them from the store) as they would arrive from
/// collectors, a few seconds after the minute ends, so the demo keeps moving (and recovers on schedule).
public struct DemoFeed: Service {
    let scenario: DemoScenario
    let store: any MailCanaryStore
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// The first minute not yet written.
    let firstMinute: Int64

    public init(scenario: DemoScenario, store: any MailCanaryStore, firstMinute: Int64,
                clock: @escaping @Sendable () -> Int64, logger: Logger) {
        self.scenario = scenario
        self.store = store
        self.firstMinute = firstMinute
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        var next = firstMinute
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            // Every minute that has ended (two seconds ago) is sent once, in order.
            let ended = (clock() - 2_000) / 60_000 - 1
            while next <= ended {
                await send(minute: next)
                next += 1
            }
            try? await gracefulShutdownSleep(.seconds(1))
        }
    }

    func send(minute: Int64) async {
        let lines = scenario.lines(minute: minute)
        let text = lines.joined(separator: "\n") + "\n"
        let bytes = Array(text.utf8)
        var reader = SignalBatchReader()
        reader.maximumAgeMs = .max / 4
        let outcome = reader.read(bytes, nowMs: clock())
        let batch = SignalBatch(source: "demo", idempotencyKey: "demo-\(minute)", receivedAtMs: clock(),
                                firstTimeMs: outcome.firstTimeMs, lastTimeMs: outcome.lastTimeMs, lines: outcome.signals.count,
                                body: outcome.goodText(bytes))
        do {
            _ = try await store.appendSignals(batch)   // detection reads it from the store
        } catch {
            logger.warning("demo feed: a minute could not be stored; skipped", metadata: ["minute": "\(minute)", "error": "\(StoreErrorText.describe(error))"])
        }
    }

    /// Writes the history before the server starts: one batch per hour of minutes in [from, to).
    public static func seed(_ scenario: DemoScenario, into store: any SignalStore, fromMinute: Int64, toMinute: Int64, nowMs: Int64) async throws -> Int {
        var reader = SignalBatchReader()
        reader.maximumAgeMs = .max / 4
        var total = 0
        var start = fromMinute
        while start < toMinute {
            let end = min(toMinute, start + 60)
            var text = ""
            for minute in start..<end { for line in scenario.lines(minute: minute) { text += line; text += "\n" } }
            let bytes = Array(text.utf8)
            let outcome = reader.read(bytes, nowMs: nowMs)
            if let problem = outcome.problems.first { throw SeedError(description: "demo line \(problem.line): \(problem.message)") }
            _ = try await store.appendSignals(SignalBatch(source: "demo", idempotencyKey: "demo-\(start)-\(end)", receivedAtMs: nowMs,
                                                          firstTimeMs: outcome.firstTimeMs, lastTimeMs: outcome.lastTimeMs,
                                                          lines: outcome.signals.count, body: outcome.goodText(bytes)))
            total += outcome.signals.count
            start = end
        }
        return total
    }

    struct SeedError: Error, CustomStringConvertible {
        var description: String
    }
}
