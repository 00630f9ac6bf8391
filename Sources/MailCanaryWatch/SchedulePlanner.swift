import MailCanaryConfig
import MailCanaryCore

/// One planned execution of a probe in a region.
public struct PlannedRun: Sendable, Hashable {
    public var probeID: String
    public var region: String
    /// Milliseconds since 1970.
    public var plannedAtMs: Int64

    public var key: String { "\(probeID)@\(region)" }
}

/// The schedule as a value: which runs are due at a given time. Time is passed in; no I/O.
///
/// Run k of a probe is planned at `phase + k × interval` on the epoch grid, where the phase is a
/// stable fraction (up to `jitter`) of the interval taken from a hash of the probe's id. Planned
/// times never depend on when a run actually started, so the schedule does not drift over hours,
/// and every replica computes the same times (which is what run claims rely on). A run whose
/// previous run is still going is skipped, not stacked; runs missed while the process was
/// stalled are skipped, not replayed in a burst.
public struct SchedulePlanner: Sendable {
    struct Entry: Sendable {
        var probeID: String
        var region: String
        var intervalMs: Int64
        var phaseMs: Int64
        var nextMs: Int64
    }

    private var entries: [Entry] = []
    /// Indices of entries ordered by their next time (a binary heap).
    private var heap: [Int] = []
    private var running: Set<String> = []
    public private(set) var skippedOverlaps = 0
    public private(set) var skippedBehind = 0

    public init(probes: [(probeID: String, region: String, interval: Duration)], jitter: Double, nowMs: Int64) {
        for probe in probes {
            let interval = max(Int64(probe.interval.milliseconds), 1)
            let fraction = Double(StableHash.fnv1a("\(probe.probeID)@\(probe.region)") % 1_000_000) / 1_000_000
            let phase = Int64(Double(interval) * min(max(jitter, 0), 1) * fraction)
            var entry = Entry(probeID: probe.probeID, region: probe.region, intervalMs: interval, phaseMs: phase, nextMs: 0)
            entry.nextMs = Self.firstPlanned(atOrAfter: nowMs, interval: interval, phase: phase)
            entries.append(entry)
            push(entries.count - 1)
        }
    }

    public var count: Int { entries.count }

    /// The earliest planned time of any run, or nil with nothing scheduled.
    public var nextDueMs: Int64? { heap.first.map { entries[$0].nextMs } }

    static func firstPlanned(atOrAfter t: Int64, interval: Int64, phase: Int64) -> Int64 {
        let k = (t - phase + interval - 1).floorDiv(interval)
        return phase + k * interval
    }

    /// The runs due at `nowMs`, each marked running; the schedule advances past them.
    public mutating func due(nowMs: Int64) -> [PlannedRun] {
        var runs: [PlannedRun] = []
        while let top = heap.first, entries[top].nextMs <= nowMs {
            popTop()
            var entry = entries[top]
            let run = PlannedRun(probeID: entry.probeID, region: entry.region, plannedAtMs: entry.nextMs)
            if running.contains(run.key) {
                skippedOverlaps += 1
            } else {
                running.insert(run.key)
                runs.append(run)
            }
            entry.nextMs += entry.intervalMs
            if entry.nextMs <= nowMs {
                // Stalled for more than an interval: skip to the first planned time still ahead.
                let next = Self.firstPlanned(atOrAfter: nowMs + 1, interval: entry.intervalMs, phase: entry.phaseMs)
                skippedBehind += Int((next - entry.nextMs) / entry.intervalMs)
                entry.nextMs = next
            }
            entries[top] = entry
            push(top)
        }
        return runs
    }

    /// A run ended; the probe may run again at its next planned time.
    public mutating func finished(_ run: PlannedRun) {
        running.remove(run.key)
    }

    // MARK: - Heap

    private mutating func push(_ index: Int) {
        heap.append(index)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[heap[child]].nextMs < entries[heap[parent]].nextMs else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func popTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, entries[heap[left]].nextMs < entries[heap[smallest]].nextMs { smallest = left }
            if right < heap.count, entries[heap[right]].nextMs < entries[heap[smallest]].nextMs { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension Int64 {
    func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
