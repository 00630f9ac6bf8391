#if canImport(Glibc)
import Glibc
#endif

/// The usual failure ratio of one series, aware of the hour of the week and robust to outages.
///
/// Three estimates:
/// - a global one (decayed sums of failures and attempts, a memory of about three days);
/// - one per hour of the week (168 buckets, a memory of about four weeks), shrunk towards the
///   global one in proportion to how little it has seen, so a new series starts from the global
///   ratio and learns its weekly shape as weeks pass. An hour's minutes reach its bucket when the
///   hour is over: the shape comes from earlier weeks, never from the minutes being tested (in a
///   young series the bucket would otherwise be the last few minutes themselves, and a subtle
///   fault would become its own baseline within a quarter of an hour);
/// - a recent one (a memory of about an hour) of the minutes at least a quarter of an hour old,
///   which the expected ratio never goes below: a young series whose global ratio comes mostly
///   from quieter hours is not held to it, while the minutes in which a fault's evidence gathers
///   are not yet in it.
///
/// Minutes in an alarm are not learned from at all, and other minutes are winsorised (their
/// failures clipped to the expectation plus three standard deviations), so an outage cannot teach
/// the baseline that failing is normal.
struct FailureRatioBaseline {
    private var globalFailed = 0.0
    private var globalAttempts = 0.0
    private var hourFailed = [Double](repeating: 0, count: 168)
    private var hourAttempts = [Double](repeating: 0, count: 168)
    private var recentFailed = 0.0
    private var recentAttempts = 0.0
    private var recentGuard = GuardBand<(failed: Double, attempts: Double)>(capacity: Self.recentGuardMinutes)
    /// The hour whose minutes wait for it to end before they reach its bucket, and those minutes
    /// as the bucket would have taken them in (decayed sums, and how many).
    private var pendingHour = -1
    private var pendingFailed = 0.0
    private var pendingAttempts = 0.0
    private var pendingMinutes = 0
    private(set) var learnedMinutes = 0

    /// Attempts' worth of weight the global estimate has in an hour bucket.
    private static let prior = 2_000.0
    private static let globalDecay = 0.999_77  // per minute: e^(-1/(3 days))
    private static let hourDecay = 0.996       // per update of a bucket: about 250 updates, four weeks
    private static let recentDecay = 1 - 1 / 60.0
    private static let recentGuardMinutes = 15
    /// Attempts the recent estimate needs before it counts (a quiet night has too few to say much).
    private static let recentMinimum = 300.0

    /// The expected failure ratio at `hourOfWeek`, never below `floor`.
    func ratio(hourOfWeek: Int, floor: Double) -> Double {
        let global = globalAttempts > 0 ? globalFailed / globalAttempts : floor
        let hour = (hourFailed[hourOfWeek] + Self.prior * global) / (hourAttempts[hourOfWeek] + Self.prior)
        // Half a failure in everything seen so far keeps a young series from trusting a zero.
        let unseen = 0.5 / max(globalAttempts, 1)
        let recent = recentAttempts >= Self.recentMinimum ? recentFailed / recentAttempts : 0
        return max(hour, recent, floor, unseen)
    }

    mutating func learn(attempts: Int, failed: Int, hourOfWeek: Int, floor: Double) {
        guard attempts > 0 else { return }
        let expected = Double(attempts) * ratio(hourOfWeek: hourOfWeek, floor: floor)
        let clipped = min(Double(failed), expected + 3 * expected.squareRoot() + 1)
        globalFailed = globalFailed * Self.globalDecay + clipped
        globalAttempts = globalAttempts * Self.globalDecay + Double(attempts)
        if let old = recentGuard.push((clipped, Double(attempts))) {
            recentFailed = recentFailed * Self.recentDecay + old.failed
            recentAttempts = recentAttempts * Self.recentDecay + old.attempts
        }
        if hourOfWeek != pendingHour {
            foldPendingHour()
            pendingHour = hourOfWeek
        }
        pendingFailed = pendingFailed * Self.hourDecay + clipped
        pendingAttempts = pendingAttempts * Self.hourDecay + Double(attempts)
        pendingMinutes += 1
        learnedMinutes += 1
    }

    /// Learns the finished hour's minutes into its bucket: the bucket decays once per minute, as
    /// if they had been added one by one.
    private mutating func foldPendingHour() {
        guard pendingHour >= 0 else { return }
        let decay = pow(Self.hourDecay, Double(pendingMinutes))
        hourFailed[pendingHour] = hourFailed[pendingHour] * decay + pendingFailed
        hourAttempts[pendingHour] = hourAttempts[pendingHour] * decay + pendingAttempts
        (pendingFailed, pendingAttempts, pendingMinutes) = (0, 0, 0)
    }
}
