/// A named set of credentials of a service; probes refer to it by name.
public struct CredentialConfig: Sendable, Hashable, Codable {
    public var name: String
    public var user: String?
    public var password: SecretReference?
    public var oauth: OAuthConfig?

    public init(name: String, user: String? = nil, password: SecretReference? = nil, oauth: OAuthConfig? = nil) {
        self.name = name
        self.user = user
        self.password = password
        self.oauth = oauth
    }
}

/// An OAuth2 client (Microsoft Entra ID app registration) that fetches tokens for the probes.
public struct OAuthConfig: Sendable, Hashable, Codable {
    /// The token endpoint; when nil it is Microsoft's for the service's tenant.
    public var tokenURL: String?
    public var clientID: String
    public var clientSecret: SecretReference?
    public var refreshToken: SecretReference?
    public var scope: String?

    public init(tokenURL: String? = nil, clientID: String, clientSecret: SecretReference? = nil,
                refreshToken: SecretReference? = nil, scope: String? = nil) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.refreshToken = refreshToken
        self.scope = scope
    }
}
