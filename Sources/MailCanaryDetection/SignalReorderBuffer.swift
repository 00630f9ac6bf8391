import MailCanaryCore

/// Puts live signals back in time order before detection sees them. Telemetry, probe results
/// and reports reach the server out of order (batches, retries, agents catching up); the buffer
/// holds each signal until the clock has passed its time by the lateness allowance, then
/// releases everything due, oldest first. A signal older than what was already released goes
/// out with the next release (detection counts it in the minute it is closing).
public struct SignalReorderBuffer: Sendable {
    private var pending: [Signal] = []
    /// At most this many signals wait; past it the oldest are released early.
    public let capacity: Int

    public init(capacity: Int = 1_000_000) {
        self.capacity = capacity
    }

    public var count: Int { pending.count }

    public mutating func add(_ signals: [Signal]) {
        pending.append(contentsOf: signals)
    }

    /// The signals due at `cutoffMs` (time at or before it), in time order; and, when more than
    /// `capacity` wait, the oldest of the rest.
    public mutating func release(through cutoffMs: Int64) -> [Signal] {
        guard !pending.isEmpty else { return [] }
        pending.sort { $0.timeMs < $1.timeMs }
        var split = pending.partitionPoint { $0.timeMs > cutoffMs }
        split = max(split, pending.count - capacity)
        let due = Array(pending[..<split])
        pending.removeFirst(split)
        return due
    }
}

extension Array {
    /// The index of the first element for which `belongsAfter` is true, in an array where all
    /// those elements come after all the others (binary search).
    func partitionPoint(_ belongsAfter: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongsAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
