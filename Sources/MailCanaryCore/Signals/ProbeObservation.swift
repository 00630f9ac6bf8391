/// One synthetic probe result as detection sees it: where it ran, whether it failed, at which
/// step and why. Built from a stored ``ProbeResult`` in the server and from `probe` records in a
/// replayed scenario.
public struct ProbeObservation: Sendable, Equatable {
    /// When the result was known (the end of the probe), milliseconds since 1970.
    public var timeMs: Int64
    public var service: String
    public var region: String
    public var path: AccessPath
    public var agent: String
    public var failed: Bool
    public var failureClass: FailureClass?
    /// The finer reason the probe knew (an untrusted issuer, NXDOMAIN, …); scenario records have none.
    public var failureReason: FailureReason?
    public var failedStep: StepName?
    public var error: String?
    public var durationMs: Double
    /// How long the service took to answer the probe's own request: its `operation` step, when
    /// that step succeeded. The layer a server-side slowdown shows in, apart from name resolution,
    /// connection and handshake times that belong to the network.
    public var operationMs: Double?

    public init(timeMs: Int64, service: String, region: String, path: AccessPath, agent: String, failed: Bool,
                failureClass: FailureClass? = nil, failureReason: FailureReason? = nil, failedStep: StepName? = nil, error: String? = nil,
                durationMs: Double, operationMs: Double? = nil) {
        self.timeMs = timeMs
        self.service = service
        self.region = region
        self.path = path
        self.agent = agent
        self.failed = failed
        self.failureClass = failureClass
        self.failureReason = failureReason
        self.failedStep = failedStep
        self.error = error
        self.durationMs = durationMs
        self.operationMs = operationMs
    }
}
