import Foundation

/// Latencies in fixed geometric buckets (×1.25 from 1 ms to about 10 minutes), so rollups can be
/// merged (minute → hour) and still give quantiles within a bucket's width (±12 %).
public struct LatencyHistogram: Sendable, Equatable {
    public static let bucketCount = 61
    static let growth = 1.25

    /// counts[i] holds latencies in (bound(i−1), bound(i)]; the last bucket takes everything above.
    public private(set) var counts: [Int64]

    public init() { counts = Array(repeating: 0, count: Self.bucketCount) }

    public static func upperBound(_ index: Int) -> Double { pow(growth, Double(index)) }

    public mutating func record(_ milliseconds: Double) {
        let value = max(milliseconds, 0)
        let index = value <= 1 ? 0 : min(Int((log(value) / log(Self.growth)).rounded(.up)), Self.bucketCount - 1)
        counts[index] += 1
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
    }

    public var total: Int64 { counts.reduce(0, +) }

    /// The q-quantile (0…1) as the upper bound of the bucket that holds it; nil when empty.
    public func quantile(_ q: Double) -> Double? {
        let total = self.total
        guard total > 0 else { return nil }
        let rank = Int64((q * Double(total)).rounded(.up))
        var seen: Int64 = 0
        for (index, count) in counts.enumerated() {
            seen += count
            if seen >= max(rank, 1) { return (Self.upperBound(index) * 10).rounded() / 10 }
        }
        return Self.upperBound(Self.bucketCount - 1)
    }

    /// Stored as `index:count` pairs of the non-empty buckets, e.g. `12:3,14:1`.
    public var encoded: String {
        counts.enumerated().filter { $0.element > 0 }.map { "\($0.offset):\($0.element)" }.joined(separator: ",")
    }

    public init(encoded: String) {
        self.init()
        for pair in encoded.split(separator: ",") {
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let index = Int(parts[0]), let count = Int64(parts[1]),
                  counts.indices.contains(index), count >= 0 else { continue }
            counts[index] += count
        }
    }
}
