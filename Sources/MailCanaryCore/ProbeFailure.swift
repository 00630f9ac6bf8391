/// Why a probe failed: the class, the finer reason, the step, and the server's own words.
public struct ProbeFailure: Codable, Sendable, Equatable, Error {
    public var failureClass: FailureClass
    public var reason: FailureReason?
    public var step: StepName
    /// A human sentence; never contains a credential.
    public var message: String
    /// The server's reply that decided the failure (`NO [AUTHENTICATIONFAILED] ...`, `535 5.7.8 ...`).
    public var serverReply: String?

    public init(
        _ failureClass: FailureClass,
        reason: FailureReason? = nil,
        step: StepName,
        message: String,
        serverReply: String? = nil
    ) {
        self.failureClass = failureClass
        self.reason = reason
        self.step = step
        self.message = message
        self.serverReply = serverReply
    }
}
