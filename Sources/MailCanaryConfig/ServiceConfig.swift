/// One mail service being watched.
public struct ServiceConfig: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case microsoft365 = "microsoft365"
        case exchangeServer = "exchange-server"
        case mailHost = "mail-host"
    }

    public var id: String
    public var name: String
    public var kind: Kind
    public var tenant: String?
    public var credentials: [CredentialConfig]
    public var probes: [ProbeConfig]

    public init(id: String, name: String, kind: Kind, tenant: String? = nil,
                credentials: [CredentialConfig] = [], probes: [ProbeConfig] = []) {
        self.id = id
        self.name = name
        self.kind = kind
        self.tenant = tenant
        self.credentials = credentials
        self.probes = probes
    }

    public func credential(named name: String) -> CredentialConfig? {
        credentials.first { $0.name == name }
    }
}
