/// One layer of a probe as it happened: its name, verdict, duration and what it saw.
public struct StepRecord: Codable, Sendable, Equatable {
    public var name: StepName
    public var outcome: ProbeOutcome
    /// Milliseconds, with microsecond resolution.
    public var durationMs: Double
    /// A short human description of what the step found ("127.0.0.1 (A), 1 address").
    public var detail: String

    public init(name: StepName, outcome: ProbeOutcome, durationMs: Double, detail: String) {
        self.name = name
        self.outcome = outcome
        self.durationMs = durationMs
        self.detail = detail
    }
}
