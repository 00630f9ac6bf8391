import MailCanaryCore
import MailWire

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

extension Credentials {
    /// The `Authorization` header for an HTTP access path: a Bearer token (fetched as the
    /// `token` step) or Basic with the password; nil without credentials (anonymous depth).
    /// A password without a user name fails the `auth` step (class `config`).
    func httpAuthorization(context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> HTTPField? {
        if let provider = token {
            let issued = try await recorder.step(.token) { () async throws(ProbeFailure) in try await provider.token(context: context) }
            return HTTPField("Authorization", secret: Secret("Bearer " + issued.exposedForWire))
        }
        guard let password else { return nil }
        guard let user, !user.isEmpty else {
            return try await recorder.step(.auth) { () async throws(ProbeFailure) -> (HTTPField?, String) in
                throw ProbeFailure(.config, reason: .missingCredential, step: .auth, message: "a password was given but no user name (--user)")
            }
        }
        return HTTPField("Authorization", secret: Secret("Basic " + SASL.base64("\(user):\(password.exposedForWire)")))
    }
}
