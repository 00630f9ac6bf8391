/// The typed outcome of one probe: the steps reached with their timings, the verdict, and on
/// failure its class, likely cause and the server's words. Never thrown: a failing target is data.
public struct ProbeResult: Codable, Sendable, Equatable {
    /// The target as given, with any userinfo password removed.
    public var target: String
    public var path: AccessPath
    public var outcome: ProbeOutcome
    public var failureClass: FailureClass?
    public var failureReason: FailureReason?
    public var cause: Cause?
    public var failedStep: StepName?
    public var durationMs: Double
    public var error: String?
    public var serverReply: String?
    public var steps: [StepRecord]
    public var tls: TLSReport?
    public var transcript: [String]
    public var transcriptTruncated: Bool
    /// Facts the operation step found (message count, HTTP status, redirects followed, ...).
    public var facts: [String: String]

    public init(
        target: String,
        path: AccessPath,
        outcome: ProbeOutcome,
        failure: ProbeFailure?,
        cause: Cause?,
        durationMs: Double,
        steps: [StepRecord],
        tls: TLSReport?,
        transcript: Transcript,
        facts: [String: String]
    ) {
        self.target = target
        self.path = path
        self.outcome = outcome
        self.failureClass = failure?.failureClass
        self.failureReason = failure?.reason
        self.cause = cause
        self.failedStep = failure?.step
        self.durationMs = durationMs
        self.error = failure?.message
        self.serverReply = failure?.serverReply
        self.steps = steps
        self.tls = tls
        self.transcript = transcript.lines
        self.transcriptTruncated = transcript.truncated
        self.facts = facts
    }

    enum CodingKeys: String, CodingKey {
        case target, path, outcome, failureClass, failureReason, cause, failedStep, durationMs, error, serverReply
        case steps, tls, transcript, transcriptTruncated, facts
    }

    /// Every key is always present (`null` when empty), so consumers can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(path, forKey: .path)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(failureClass, forKey: .failureClass)
        try container.encode(failureReason, forKey: .failureReason)
        try container.encode(cause, forKey: .cause)
        try container.encode(failedStep, forKey: .failedStep)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(error, forKey: .error)
        try container.encode(serverReply, forKey: .serverReply)
        try container.encode(steps, forKey: .steps)
        try container.encode(tls, forKey: .tls)
        try container.encode(transcript, forKey: .transcript)
        try container.encode(transcriptTruncated, forKey: .transcriptTruncated)
        try container.encode(facts, forKey: .facts)
    }
}
