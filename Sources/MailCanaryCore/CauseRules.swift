/// The default cause for a failure, after DESIGN.md's table "From failure class to cause".
///
/// These are defaults for a single observation; detection may overrule them with evidence from
/// several regions (for example an untrusted issuer seen everywhere is server-side).
public enum CauseRules {
    /// - Parameters:
    ///   - failureClass: what happened.
    ///   - reason: the finer reason, when known.
    ///   - step: the step that failed; a failed `token` step is always `authentication`, so an
    ///     identity-provider outage is never blamed on the mail server.
    ///   - afterGreeting: whether the server had already greeted (a timeout after the greeting
    ///     is the server's; one at connect is the path's).
    public static func defaultCause(
        for failureClass: FailureClass,
        reason: FailureReason?,
        step: StepName,
        afterGreeting: Bool
    ) -> Cause {
        if step == .token { return .authentication }
        switch failureClass {
        case .server, .protocol:
            return .serverSide
        case .auth:
            return .authentication
        case .config:
            return .clientConfig
        case .tls:
            switch reason {
            case .certificateUntrusted: return .networkIntermediary
            case .handshakeFailed: return .networkIntermediary
            default: return .serverSide
            }
        case .dns:
            return reason == .nameNotFound || reason == .noData ? .clientConfig : .networkIntermediary
        case .network:
            return afterGreeting ? .serverSide : .networkIntermediary
        case .timeout:
            return afterGreeting ? .serverSide : .networkIntermediary
        }
    }
}
