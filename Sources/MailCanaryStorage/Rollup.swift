import MailCanaryCore

/// The resolution of a series' history.
public enum Resolution: String, Sendable, CaseIterable, Codable {
    case minute
    case hour

    public var milliseconds: Int64 { self == .minute ? 60_000 : 3_600_000 }

    public func bucket(containing ms: Int64) -> Int64 {
        let width = milliseconds
        return ms >= 0 ? ms / width * width : ((ms + 1) / width - 1) * width
    }
}

/// Counts by outcome and failure class and the latency histogram of one series over one bucket.
public struct Rollup: Sendable, Equatable {
    public var series: SeriesKey
    public var resolution: Resolution
    /// Start of the bucket, milliseconds since 1970.
    public var bucketMs: Int64
    public var total: Int64 = 0
    public var ok: Int64 = 0
    public var failed: Int64 = 0
    public var byClass: [FailureClass: Int64] = [:]
    public var latency = LatencyHistogram()

    public init(series: SeriesKey, resolution: Resolution, bucketMs: Int64) {
        self.series = series
        self.resolution = resolution
        self.bucketMs = bucketMs
    }

    /// A rollup as stored: counts, `dns:2,tls:1` classes and the encoded histogram.
    init(series: SeriesKey, resolution: Resolution, bucketMs: Int64, total: Int64, ok: Int64, failed: Int64,
         classes: String, latency: String) {
        self.init(series: series, resolution: resolution, bucketMs: bucketMs)
        self.total = total
        self.ok = ok
        self.failed = failed
        byClass = Self.decodeClasses(classes)
        self.latency = LatencyHistogram(encoded: latency)
    }

    public mutating func add(_ result: StoredResult) {
        add(outcome: result.outcome, failureClass: result.failureClass, durationMs: result.durationMs)
    }

    public mutating func add(outcome: ProbeOutcome, failureClass: FailureClass?, durationMs: Double) {
        total += 1
        switch outcome {
        case .ok: ok += 1
        case .failed: failed += 1
        case .skipped: break
        }
        if let failureClass { byClass[failureClass, default: 0] += 1 }
        latency.record(durationMs)
    }

    public mutating func merge(_ other: Rollup) {
        total += other.total
        ok += other.ok
        failed += other.failed
        for (failureClass, count) in other.byClass { byClass[failureClass, default: 0] += count }
        latency.merge(other.latency)
    }

    public var failureRatio: Double { total == 0 ? 0 : Double(failed) / Double(total) }

    /// `dns:2,tls:1`, in FailureClass order.
    var encodedClasses: String {
        FailureClass.allCases.compactMap { failureClass in byClass[failureClass].map { "\(failureClass.rawValue):\($0)" } }.joined(separator: ",")
    }

    static func decodeClasses(_ text: String) -> [FailureClass: Int64] {
        var classes: [FailureClass: Int64] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let failureClass = FailureClass(rawValue: String(parts[0])),
                  let count = Int64(parts[1]) else { continue }
            classes[failureClass] = count
        }
        return classes
    }
}
