/// The usual latency of one series: median and MAD of its last healthy minutes (a ring of 120),
/// recomputed every 20 new values. Median and MAD ignore the odd slow minute, and minutes in an
/// alarm are not learned from.
struct LatencyBaseline {
    private var ring: [Double] = []
    private var next = 0
    private var sinceRecompute = 0
    private(set) var median = 0.0
    private(set) var mad = 0.0

    private static let capacity = 120
    private static let recomputeEvery = 20

    var isReady: Bool { ring.count >= 30 }

    /// How unusual `value` is, in robust standard deviations (MAD × 1.4826, at least 5 % of the median).
    func score(_ value: Double) -> Double {
        let scale = max(1.4826 * mad, 0.05 * median, 1)
        return (value - median) / scale
    }

    mutating func learn(_ value: Double) {
        if ring.count < Self.capacity {
            ring.append(value)
        } else {
            ring[next] = value
            next = (next + 1) % Self.capacity
        }
        sinceRecompute += 1
        // Also as soon as the ring is large enough to trust (it only passes 30 once).
        if sinceRecompute >= Self.recomputeEvery || ring.count == 30 {
            recompute()
        }
    }

    private mutating func recompute() {
        sinceRecompute = 0
        let (median, mad) = ring.withUnsafeBufferPointer { Self.medianAndMAD($0) }
        self.median = median
        self.mad = mad
    }

    /// The median of `values` and the median of their distances from it, by selection in a
    /// scratch copy (linear time, no allocation on the heap): the same numbers sorting gives.
    static func medianAndMAD(_ values: UnsafeBufferPointer<Double>) -> (median: Double, mad: Double) {
        guard !values.isEmpty else { return (0, 0) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: values.count) { scratch in
            _ = scratch.initialize(fromContentsOf: values)
            let median = middle(scratch)
            for index in scratch.indices { scratch[index] = abs(values[index] - median) }
            return (median, middle(scratch))
        }
    }

    /// The median of `values`, which are reordered.
    private static func middle(_ values: UnsafeMutableBufferPointer<Double>) -> Double {
        let half = values.count / 2
        let upper = select(values, half)
        guard values.count % 2 == 0 else { return upper }
        // Selection left the `half` smallest values in front: the largest of them is the other middle.
        var lower = values[0]
        for index in 1..<half { lower = max(lower, values[index]) }
        return (lower + upper) / 2
    }

    /// The `k`-th smallest of `values` (0-based), with every smaller value moved before it
    /// (N. Wirth's selection, median-of-three pivot).
    private static func select(_ values: UnsafeMutableBufferPointer<Double>, _ k: Int) -> Double {
        var low = 0
        var high = values.count - 1
        while low < high {
            let mid = low + (high - low) / 2
            if values[mid] < values[low] { values.swapAt(mid, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[mid] { values.swapAt(high, mid) }
            let pivot = values[mid]
            var i = low
            var j = high
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j {
                high = j
            } else if k >= i {
                low = i
            } else {
                break   // between j and i every value equals the pivot
            }
        }
        return values[k]
    }
}
