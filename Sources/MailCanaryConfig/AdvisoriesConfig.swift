/// Following the provider's service-health messages (`advisories:`): the Microsoft 365 tenants
/// whose Graph service communications API is polled, app-only.
public struct AdvisoriesConfig: Sendable, Hashable {
    /// Between two polls of one tenant.
    public var interval: Duration = .seconds(300)
    public var tenants: [GraphTenantConfig] = []

    public init() {}

    public var isEnabled: Bool { !tenants.isEmpty }
}

/// One tenant's app registration (application permissions ServiceHealth.Read.All and
/// ServiceMessage.Read.All, granted by an administrator).
public struct GraphTenantConfig: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        /// A client secret.
        case secret(SecretReference)
        /// A certificate registered on the app: its PEM file and the private key's (a secret).
        case certificate(certificateFile: String, privateKey: SecretReference)
    }

    /// A name for this tenant in MailCanary (an MSP watches many).
    public var id: String
    /// The tenant's GUID or a verified domain (contoso.onmicrosoft.com).
    public var tenant: String
    public var clientID: String
    public var credential: Credential
    public var graphURL = "https://graph.microsoft.com"
    public var tokenURL = "https://login.microsoftonline.com"
    public var caFile: String?
    /// The watched services whose incidents this tenant's advisories are matched against
    /// (empty: every service).
    public var services: [String] = []
    /// What an advisory polled from this tenant concerns (nil: every service).
    public var watchedServices: Set<String>? { services.isEmpty ? nil : Set(services) }
    /// Our own ceiling, below Graph's 240 a minute and 800 an hour per app and tenant (§1.1).
    public var requestsPerMinute = 60
    public var requestsPerHour = 400
    public var timeout: Duration = .seconds(30)

    public init(id: String, tenant: String, clientID: String, credential: Credential) {
        self.id = id
        self.tenant = tenant
        self.clientID = clientID
        self.credential = credential
    }
}
