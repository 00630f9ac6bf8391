/// One bucket of one series whose rollup must be (re)computed.
struct RollupBucketKey: Hashable {
    var series: SeriesKey
    var bucket: Int64
}
