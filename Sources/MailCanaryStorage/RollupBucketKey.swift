/// One bucket of one series whose rollup must be (re)computed.
struct RollupBucketKey: Hashable {
    var series: SeriesKey
    var bucket: Int64

    /// The hour this minute bucket belongs to.
    var hour: RollupBucketKey { RollupBucketKey(series: series, bucket: Resolution.hour.bucket(containing: bucket)) }
}
