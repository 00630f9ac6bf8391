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
