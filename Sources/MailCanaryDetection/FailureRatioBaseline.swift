/// The usual failure ratio of one series, aware of the hour of the week and robust to outages.
///
/// Two estimates: a global one (decayed sums of failures and attempts, a memory of about three
/// days) and one per hour of the week (168 buckets, a memory of about four weeks). The hour's
/// estimate is shrunk towards the global one in proportion to how little it has seen, so a new
/// series starts from the global ratio and learns its weekly shape as weeks pass. Minutes in an
/// alarm are not learned from at all, and other minutes are winsorised (their failures clipped to
/// the expectation plus three standard deviations), so an outage cannot teach the baseline that
/// failing is normal.
struct FailureRatioBaseline {
    private var globalFailed = 0.0
    private var globalAttempts = 0.0
    private var hourFailed = [Double](repeating: 0, count: 168)
    private var hourAttempts = [Double](repeating: 0, count: 168)
    private(set) var learnedMinutes = 0

    /// Attempts' worth of weight the global estimate has in an hour bucket.
    private static let prior = 2_000.0
    private static let globalDecay = 0.999_77  // per minute: e^(-1/(3 days))
    private static let hourDecay = 0.996       // per update of a bucket: about 250 updates, four weeks

    /// The expected failure ratio at `hourOfWeek`, never below `floor`.
    func ratio(hourOfWeek: Int, floor: Double) -> Double {
        let global = globalAttempts > 0 ? globalFailed / globalAttempts : floor
        let hour = (hourFailed[hourOfWeek] + Self.prior * global) / (hourAttempts[hourOfWeek] + Self.prior)
        // Half a failure in everything seen so far keeps a young series from trusting a zero.
        let unseen = 0.5 / max(globalAttempts, 1)
        return max(hour, floor, unseen)
    }

    mutating func learn(attempts: Int, failed: Int, hourOfWeek: Int, floor: Double) {
        guard attempts > 0 else { return }
        let expected = Double(attempts) * ratio(hourOfWeek: hourOfWeek, floor: floor)
        let clipped = min(Double(failed), expected + 3 * expected.squareRoot() + 1)
        globalFailed = globalFailed * Self.globalDecay + clipped
        globalAttempts = globalAttempts * Self.globalDecay + Double(attempts)
        hourFailed[hourOfWeek] = hourFailed[hourOfWeek] * Self.hourDecay + clipped
        hourAttempts[hourOfWeek] = hourAttempts[hourOfWeek] * Self.hourDecay + Double(attempts)
        learnedMinutes += 1
    }
}
