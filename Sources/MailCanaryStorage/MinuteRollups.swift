import MailCanaryCore

/// The minute rollups of one refresh. The dirty (series, minute) pairs are grouped by minute, so
/// that each minute's raw results are read once, by time (the `results_started` index), and
/// counted for the series dirty in that minute; no per-series index on `results` is needed,
/// which every append would otherwise pay for.
struct MinuteRollups {
    private var byBucket: [Int64: [SeriesKey: Rollup]] = [:]

    init(dirty: [RollupBucketKey]) {
        for key in dirty {
            byBucket[key.bucket, default: [:]][key.series] = Rollup(series: key.series, resolution: .minute, bucketMs: key.bucket)
        }
    }

    /// The minutes to read, oldest first.
    var buckets: [Int64] { byBucket.keys.sorted() }

    /// Counts one raw result of `bucket` if its series is dirty there.
    mutating func add(bucket: Int64, service: String, path: String, region: String, outcome: String, failureClass: String?, durationMs: Double) {
        byBucket[bucket]?[SeriesKey(service: service, path: path, region: region)]?.add(outcome: ProbeOutcome(rawValue: outcome) ?? .failed,
                                       failureClass: failureClass.flatMap(FailureClass.init(rawValue:)), durationMs: durationMs)
    }

    /// Every dirty minute's rollup (empty ones included: their results were pruned or never came).
    var rollups: [Rollup] { byBucket.values.flatMap(\.values) }
}
