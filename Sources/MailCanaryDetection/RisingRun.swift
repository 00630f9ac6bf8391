import Foundation

/// The telemetry minutes just before a burst, for where the burst began. A failure ramp (a few
/// tenths of a point more each minute) fails more than usual minutes before any one of its minutes
/// is unusual by itself: four minutes at twice the usual ratio, at 850 attempts a minute, each
/// look like chance, while together they do not. The rising run is the latest minutes in a row
/// that each failed more than their baseline, taken back as far as they, together, are unusual
/// at the elevated minutes' bar. Pure: minutes are passed in.
struct RisingRun {
    struct Minute {
        var minute: Int
        var attempts: Int
        var failed: Int
        var baseline: Double
    }

    /// How many minutes back the run may reach: a burst's start only decides whether it has
    /// outlasted a blip, and a longer window would let a long stretch of minutes a little over a
    /// baseline that is slightly low make any spike look sustained.
    static let reach = 6
    private var recent: [Minute] = []

    mutating func note(_ minute: Minute) {
        if recent.count == Self.reach { recent.removeFirst() }
        recent.append(minute)
    }

    /// The first minute of the run that ends just before `minute`: consecutive minutes, each
    /// failing more than its baseline, whose pooled failures are unusual (`surprise` ≥ `bar`) with
    /// the volume for `alternative` to show as `volume` failures; nil when there is none.
    func start(before minute: Int, alternative: Double, bar: Double, volume: Double) -> Int? {
        var attempts = 0
        var failed = 0
        var expected = 0.0
        var next = minute
        var start: Int?
        for entry in recent.reversed() {
            guard entry.minute == next - 1, entry.attempts > 0,
                  Double(entry.failed) > Double(entry.attempts) * entry.baseline else { break }
            next = entry.minute
            attempts += entry.attempts
            failed += entry.failed
            expected += Double(entry.attempts) * entry.baseline
            let pooled = expected / Double(attempts)
            if SeriesDetector.surprise(failed: failed, attempts: attempts, baseline: pooled) >= bar,
               Double(attempts) * alternative >= volume {
                start = entry.minute
            }
        }
        return start
    }
}
