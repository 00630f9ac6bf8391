import MailCanaryCore

/// Where an OAuth2 access token comes from. Fetching it is the probe's `token` step, so that an
/// identity-provider failure is recorded there and never blamed on the mail server.
public protocol TokenProvider: Sendable {
    /// Returns a token and a short detail for the step ("cached, 52 min left").
    func token(context: ProbeContext) async throws(ProbeFailure) -> (token: Secret, detail: String)
}

/// A token given as is (`--oauth-token-env NAME`).
public struct StaticTokenProvider: TokenProvider {
    let value: Secret
    public init(_ value: Secret) { self.value = value }
    public func token(context: ProbeContext) async throws(ProbeFailure) -> (token: Secret, detail: String) {
        (value, "static token from the environment")
    }
}
