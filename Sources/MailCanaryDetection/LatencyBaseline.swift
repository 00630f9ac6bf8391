#if canImport(Glibc)
import Glibc
#endif

/// The usual latency of one series: median and MAD of its last healthy minutes (a ring of 120),
/// recomputed every 20 new values. Median and MAD ignore the odd slow minute, and minutes in an
/// alarm are not learned from. The window is also kept sorted (one binary search and a short shift
/// per value), so a recompute reads the median in place and the MAD in one walk outwards from it.
struct LatencyBaseline {
    private var ring: [Double] = []
    private var sorted: [Double] = []
    private var next = 0
    private var sinceRecompute = 0
    private(set) var median = 0.0
    private(set) var mad = 0.0

    private static let capacity = 120
    private static let recomputeEvery = 20

    var isReady: Bool { ring.count >= 30 }

    /// How unusual `value` is, in robust standard deviations (MAD × 1.4826, at least 5 % of the median).
    func score(_ value: Double) -> Double {
        (value - median) / scale
    }

    /// A minute's robust standard deviation: MAD × 1.4826, at least 5 % of the median and 1 ms.
    var scale: Double { max(1.4826 * mad, 0.05 * median, 1) }

    /// The standard error of the median itself, as a share of it: √(π / 2) × scale / √n for the n
    /// values it was read from. A young baseline's median is itself uncertain (thirty minutes put
    /// it within ±6 % of the truth only two times in three), and a test against it must say so.
    var medianRelativeError: Double {
        guard !ring.isEmpty, median > 0 else { return 0 }
        return 1.2533 * scale / median / Double(ring.count).squareRoot()
    }

    /// How much better "every value is now `factor` times the usual" explains `value` than "as
    /// usual" does (a log-likelihood ratio), read from the value's rank alone, so that it holds for
    /// any shape of distribution (a probe's times are skewed, with long tails).
    ///
    /// The window's deciles and its largest value cut the line into eleven bins. As usual, a new
    /// value falls into a bin as often as the window's values do, and above them all once in
    /// n + 1 (every order of n + 1 values from one distribution is equally likely). Scaled by
    /// `factor`, it falls into (lo, hi] as often as the window's values fall into
    /// (lo / factor, hi / factor]. Neither chance is taken below half a value in n + 1.
    func scaleEvidence(_ value: Double, factor: Double) -> Double {
        sorted.withUnsafeBufferPointer { values in
            let count = values.count
            guard count > 0, value.isFinite, factor > 0 else { return 0 }
            let n = Double(count)
            // The fraction of the window at or below x.
            @inline(__always) func share(_ x: Double) -> Double { Double(Self.firstIndex(notBelow: x, orEqual: true, in: values)) / n }
            // The smallest cut not below the value: the bin is (previous cut, this cut].
            var lower = -Double.infinity
            var upper = Double.infinity
            for decile in 1...10 {
                let cut = values[decile == 10 ? count - 1 : decile * count / 10]
                if value <= cut { upper = cut; break }
                lower = cut
            }
            let usual = upper.isInfinite ? 1 / (n + 1) : share(upper) - (lower.isInfinite ? 0 : share(lower))
            let scaled = (upper.isInfinite ? 1 : share(upper / factor)) - (lower.isInfinite ? 0 : share(lower / factor))
            let least = 0.5 / (n + 1)
            return log(max(scaled, least) / max(usual, least))
        }
    }

    mutating func learn(_ value: Double) {
        guard !value.isNaN else { return }
        if ring.count < Self.capacity {
            ring.append(value)
            sorted.append(value)
            sorted.withUnsafeMutableBufferPointer { Self.move(in: $0, from: $0.count - 1, value) }
        } else {
            let evicted = ring[next]
            ring[next] = value
            next = (next + 1) % Self.capacity
            sorted.withUnsafeMutableBufferPointer { Self.move(in: $0, from: Self.firstIndex(notBelow: evicted, in: UnsafeBufferPointer($0)), value) }
        }
        sinceRecompute += 1
        // Also as soon as the ring is large enough to trust (it only passes 30 once).
        if sinceRecompute >= Self.recomputeEvery || ring.count == 30 {
            sinceRecompute = 0
            (median, mad) = sorted.withUnsafeBufferPointer { Self.medianAndMAD(sorted: $0) }
        }
    }

    /// Replaces the value at `slot` of an ascending buffer with `value` and moves it to its place:
    /// a binary search finds the place, and the values between the old and the new place shift
    /// by one in a single `memmove`.
    private static func move(in values: UnsafeMutableBufferPointer<Double>, from slot: Int, _ value: Double) {
        let base = values.baseAddress!
        if slot > 0, base[slot - 1] > value {
            // Below: after the last value not above it, among those before the slot.
            let place = firstIndex(notBelow: value, orEqual: true, in: UnsafeBufferPointer(rebasing: values[..<slot]))
            memmove(base + place + 1, base + place, (slot - place) * MemoryLayout<Double>.stride)
            base[place] = value
        } else if slot < values.count - 1, base[slot + 1] < value {
            // Above: before the first value not below it, among those after the slot.
            let place = slot + firstIndex(notBelow: value, in: UnsafeBufferPointer(rebasing: values[(slot + 1)...]))
            memmove(base + slot, base + slot + 1, (place - slot) * MemoryLayout<Double>.stride)
            base[place] = value
        } else {
            base[slot] = value
        }
    }

    /// The first index whose value is not below `value` (`orEqual`: above it), the end when there
    /// is none: a binary search whose halving step is a conditional move, not a branch the
    /// processor has to guess.
    @inline(__always)
    private static func firstIndex(notBelow value: Double, orEqual: Bool = false, in values: UnsafeBufferPointer<Double>) -> Int {
        guard !values.isEmpty else { return 0 }
        func before(_ element: Double) -> Bool { orEqual ? element <= value : element < value }
        var base = 0
        var length = values.count
        while length > 1 {
            let half = length / 2
            base = before(values[base + half]) ? base + half : base
            length -= half
        }
        return before(values[base]) ? base + 1 : base
    }

    /// The median of ascending `values` and the median of their distances from it. The distances
    /// of the lower half grow downwards and those of the upper half upwards, so the smallest ones
    /// come in order by walking both ways from the middle: the same numbers sorting them gives.
    static func medianAndMAD(sorted values: UnsafeBufferPointer<Double>) -> (median: Double, mad: Double) {
        let count = values.count
        guard count > 0 else { return (0, 0) }
        let half = count / 2
        let median = count % 2 == 1 ? values[half] : (values[half - 1] + values[half]) / 2
        var below = half - 1
        var above = half
        func nearest() -> Double {
            if below >= 0, above >= count || abs(values[below] - median) <= abs(values[above] - median) {
                below -= 1
                return abs(values[below + 1] - median)
            }
            above += 1
            return abs(values[above - 1] - median)
        }
        var lower = 0.0
        for _ in 0..<half { lower = nearest() }
        let upper = nearest()
        return (median, count % 2 == 1 ? upper : (lower + upper) / 2)
    }
}
