/// One closed minute of one series, as the dashboard draws it: what was seen, and what the
/// baselines expected at the time (so a chart shows the departure the tests judged).
public struct SeriesPoint: Sendable, Equatable {
    /// Minutes since 1970; the point covers [minute, minute + 1).
    public var minute: Int
    public var attempts: Int
    public var failed: Int
    /// The failure ratio the series was tested against (reports: the usual reporters per minute).
    public var expected: Double
    /// Mean latency of the minute (nil without successful attempts).
    public var latencyMs: Double?
    /// The latency baseline's median (nil until it has learned).
    public var expectedLatencyMs: Double?
    /// Whether the series was in alarm after this minute.
    public var alarmed: Bool

    public init(minute: Int, attempts: Int, failed: Int, expected: Double, latencyMs: Double?, expectedLatencyMs: Double?, alarmed: Bool) {
        self.minute = minute
        self.attempts = attempts
        self.failed = failed
        self.expected = expected
        self.latencyMs = latencyMs
        self.expectedLatencyMs = expectedLatencyMs
        self.alarmed = alarmed
    }

    public var ratio: Double { attempts > 0 ? Double(failed) / Double(attempts) : 0 }
}
