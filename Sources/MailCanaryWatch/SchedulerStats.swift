import MailCanaryStorage
import NIOConcurrencyHelpers

/// What the scheduler has done, for /metrics and the benchmark.
public struct SchedulerSnapshot: Sendable {
    public var started: Int64 = 0
    public var finished: Int64 = 0
    public var notClaimed: Int64 = 0
    public var skippedOverlaps: Int = 0
    public var skippedBehind: Int = 0
    public var running: Int = 0
    /// Actual start minus planned start, in milliseconds.
    public var lag = LatencyHistogram()
    public var maxLagMs: Double = 0
}

/// Thread-safe counters behind ``SchedulerSnapshot``.
public final class SchedulerStats: Sendable {
    private let box = NIOLockedValueBox(SchedulerSnapshot())

    public init() {}

    public var snapshot: SchedulerSnapshot { box.withLockedValue { $0 } }

    func started(lagMs: Double) {
        box.withLockedValue {
            $0.started += 1
            $0.running += 1
            $0.lag.record(lagMs)
            $0.maxLagMs = max($0.maxLagMs, lagMs)
        }
    }

    func finished() { box.withLockedValue { $0.finished += 1; $0.running -= 1 } }
    func notClaimed() { box.withLockedValue { $0.notClaimed += 1 } }
    func skipped(overlaps: Int, behind: Int) {
        box.withLockedValue { $0.skippedOverlaps = overlaps; $0.skippedBehind = behind }
    }
}
