import MailCanaryCore

/// What the dashboard knows about one series at a moment: its latest state, the last failure it
/// saw, and (when the engine keeps history) its recent minutes. A copy; the engine moves on.
public struct SeriesSnapshot: Sendable, Equatable {
    public enum State: String, Sendable {
        /// Observed, within its baseline.
        case healthy
        /// Its test statistic crossed the threshold, not yet sustained or corroborated.
        case alarmed
        /// An anomaly worth an incident (sustained or corroborated).
        case failing
    }

    public var id: SeriesID
    public var state: State
    /// The kind of the alarm (`failure`, `latency`, `reports`), when there is one.
    public var alarmKind: String?
    /// Minutes since 1970 of the last minute with an observation (nil: never observed).
    public var lastObservedMinute: Int?
    /// The last minute with a failure, and what it was (probes know class and step).
    public var lastFailureMinute: Int?
    public var lastFailureClass: FailureClass?
    public var lastFailedStep: StepName?
    public var lastError: String?
    public var points: [SeriesPoint]

    public init(id: SeriesID, state: State, alarmKind: String?, lastObservedMinute: Int?, lastFailureMinute: Int?,
                lastFailureClass: FailureClass?, lastFailedStep: StepName?, lastError: String?, points: [SeriesPoint]) {
        self.id = id
        self.state = state
        self.alarmKind = alarmKind
        self.lastObservedMinute = lastObservedMinute
        self.lastFailureMinute = lastFailureMinute
        self.lastFailureClass = lastFailureClass
        self.lastFailedStep = lastFailedStep
        self.lastError = lastError
        self.points = points
    }
}
