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
        let sorted = ring.sorted()
        median = Self.middle(sorted)
        mad = Self.middle(sorted.map { abs($0 - median) }.sorted())
    }

    private static func middle(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let half = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2
    }
}
