import Foundation

/// Where a telemetry burst began, read from the minutes just before its first significant one.
/// Pure: minutes are passed in.
///
/// - **Its own earlier minutes.** Elevated minutes (unusual at the lower bar, with the volume to
///   show it) that fail at the burst's level rather than the usual one, with up to
///   `burstGapMinutes` quiet minutes between them: a subtle fault (four times the usual ratio at a
///   hundred attempts a minute) shows as such a run minutes before any one minute stands alone.
///   An elevated minute at a far lower level is chance beside the burst: a minute of 3.9 % just
///   before a blip of 15 % would make a three-minute blip look four minutes long.
/// - **Its rising lead-in.** Before those, the latest minutes in a row that each failed more than
///   their baseline but less than the alternative, taken back as far as they, together, are
///   unusual at `leadInSurprise`. A failure ramp (a few tenths of a point more each minute)
///   fails more than usual minutes before any one of its minutes is unusual by itself: four
///   minutes at twice the usual ratio, at 850 attempts a minute, each look like chance, while
///   together they do not. A minute at the alternative's level that was not one of the burst's
///   own (too few attempts to be elevated) is no lead-in either, or a blip's first minute, pooled
///   with a chance failure before it, would stretch the blip.
struct BurstOrigin {
    struct Minute {
        var minute: Int
        var attempts: Int
        var failed: Int
        var baseline: Double
        /// Whether the minute favoured the alternative over the baseline (its log-likelihood ratio
        /// in the failure test was above zero).
        var atAlternative: Bool
        /// Whether it was elevated (``DetectionSettings/alarmMinuteSurprise``, with the volume).
        var elevated: Bool
    }

    /// How many minutes back a burst's origin may reach: the origin only decides whether the burst
    /// has outlasted a blip, and a longer window would let a long stretch of minutes a little over
    /// a baseline that is slightly low make any spike look sustained.
    static let reach = 6
    private var recent: [Minute] = []

    mutating func note(_ minute: Minute) {
        if recent.count == Self.reach { recent.removeFirst() }
        recent.append(minute)
    }

    /// The first minute of the burst whose first significant minute is `minute`, failing at
    /// `level`; `alternative` is the failure test's.
    func start(at minute: Int, level: Double, alternative: Double, settings: DetectionSettings) -> Int {
        var own = minute
        for entry in recent.reversed() where entry.minute < minute {
            if own - entry.minute > settings.burstGapMinutes + 1 { break }
            if entry.elevated, Self.favours(failed: entry.failed, attempts: entry.attempts, level: level, over: entry.baseline) {
                own = entry.minute
            }
        }
        return leadIn(before: own, alternative: alternative, bar: settings.leadInSurprise,
                      volume: settings.elevatedMinuteVolume) ?? own
    }

    /// The first minute of the rising lead-in that ends just before `minute`: consecutive
    /// minutes, each failing more than its baseline and not at the alternative's level, whose
    /// pooled failures are unusual (`surprise` ≥ `bar`) with the volume for `alternative` to show
    /// as `volume` failures; nil when there is none.
    func leadIn(before minute: Int, alternative: Double, bar: Double, volume: Double) -> Int? {
        var attempts = 0
        var failed = 0
        var expected = 0.0
        var next = minute
        var start: Int?
        for entry in recent.reversed() where entry.minute < minute {
            guard entry.minute == next - 1, entry.attempts > 0, !entry.atAlternative,
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

    /// Whether `failed` of `attempts` are likelier at `level` than at `baseline`.
    static func favours(failed: Int, attempts: Int, level: Double, over baseline: Double) -> Bool {
        evidence(failed: failed, attempts: attempts, level: level, over: baseline) > 0
    }

    /// The log-likelihood ratio of `failed` of `attempts` at `level` against `baseline` (0 when
    /// the level is not above the baseline). A level of 1 (a burst that failed every attempt)
    /// is taken as 0.99, so that one success weighs against it without making it impossible.
    static func evidence(failed: Int, attempts: Int, level: Double, over baseline: Double) -> Double {
        let level = min(level, 0.99)
        guard attempts > 0, baseline > 0, level > baseline else { return 0 }
        return SeriesDetector.logLikelihoodRatio(failed: failed, attempts: attempts, at: level, against: baseline)
    }
}
