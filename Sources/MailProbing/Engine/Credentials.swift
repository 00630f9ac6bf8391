import MailCanaryCore

/// What a probe may log in with. Secrets arrive already read from the environment or a file.
public struct Credentials: Sendable {
    public var user: String?
    public var password: Secret?
    /// Where an OAuth2 access token comes from, for XOAUTH2 or a Bearer header.
    public var token: (any TokenProvider)?

    public init(user: String? = nil, password: Secret? = nil, token: (any TokenProvider)? = nil) {
        self.user = user
        self.password = password
        self.token = token
    }

    public var isEmpty: Bool { password == nil && token == nil }
}

extension Credentials {
    /// What a mail login needs before its `auth` step: the user name and, with a token provider,
    /// a token fetched as the probe's `token` step. A missing user name fails the `auth` step
    /// (class `config`), recorded like any other step.
    func login(context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> (user: String, token: Secret?) {
        guard let user, !user.isEmpty else {
            return try await recorder.step(.auth) { () async throws(ProbeFailure) -> ((user: String, token: Secret?), String) in
                throw ProbeFailure(.config, reason: .missingCredential, step: .auth, message: "a password or token was given but no user name (--user)")
            }
        }
        guard let provider = token else { return (user, nil) }
        let issued = try await recorder.step(.token) { () async throws(ProbeFailure) in try await provider.token(context: context) }
        return (user, issued)
    }
}
