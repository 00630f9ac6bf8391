import MailCanaryCore

/// The minute rollups of one refresh, grouped by minute so that each minute's raw results are read
/// once (by the minute index) and counted. A minute is dirty either as a whole (SQLite: results
/// came for it since the last refresh, every series found in it is rolled up) or for some series
/// (PostgreSQL's marks, and marks an older SQLite schema left); no per-series index on `results`
/// is needed, which every append would otherwise pay for.
struct MinuteRollups {
    private var byBucket: [Int64: [SeriesKey: Rollup]] = [:]
    private var whole: Set<Int64>

    init(dirty: [RollupBucketKey], wholeMinutes: Set<Int64> = []) {
        whole = wholeMinutes
        for bucket in wholeMinutes { byBucket[bucket, default: [:]] = [:] }
        for key in dirty {
            byBucket[key.bucket, default: [:]][key.series] = Rollup(series: key.series, resolution: .minute, bucketMs: key.bucket)
        }
    }

    /// The minutes to read, oldest first.
    var buckets: [Int64] { byBucket.keys.sorted() }

    /// Counts one raw result of `bucket` if its series is dirty there, or its whole minute is.
    mutating func add(bucket: Int64, service: String, path: String, region: String, outcome: String, failureClass: String?, durationMs: Double) {
        let series = SeriesKey(service: service, path: path, region: region)
        if byBucket[bucket]?[series] == nil {
            guard whole.contains(bucket) else { return }
            byBucket[bucket]?[series] = Rollup(series: series, resolution: .minute, bucketMs: bucket)
        }
        byBucket[bucket]?[series]?.add(outcome: ProbeOutcome(rawValue: outcome) ?? .failed,
                                       failureClass: failureClass.flatMap(FailureClass.init(rawValue:)), durationMs: durationMs)
    }

    /// Every dirty minute's rollup (empty ones included: their results were pruned or never came).
    var rollups: [Rollup] { byBucket.values.flatMap(\.values) }
}
