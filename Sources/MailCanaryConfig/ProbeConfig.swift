import MailCanaryCore

/// One access path of one service, watched from some regions at an interval.
public struct ProbeConfig: Sendable, Hashable, Codable {
    /// Stable identity: `SERVICE/NAME`, where NAME defaults to the access path.
    public var id: String
    public var service: String
    public var path: AccessPath
    /// The target URL, as `mailcanary check` takes it.
    public var target: String
    /// The name of one of the service's credentials, or nil for an anonymous probe.
    public var credential: String?
    public var interval: Duration
    public var timeout: Duration
    public var regions: [String]
    public var caFile: String?
    public var insecure: Bool
    public var mailbox: String?
    public var mailFrom: String?
    public var sendTestTo: String?
    public var dnsServer: String?
    public var tenant: String?

    public init(id: String, service: String, path: AccessPath, target: String, credential: String? = nil,
                interval: Duration, timeout: Duration, regions: [String], caFile: String? = nil,
                insecure: Bool = false, mailbox: String? = nil, mailFrom: String? = nil,
                sendTestTo: String? = nil, dnsServer: String? = nil, tenant: String? = nil) {
        self.id = id
        self.service = service
        self.path = path
        self.target = target
        self.credential = credential
        self.interval = interval
        self.timeout = timeout
        self.regions = regions
        self.caFile = caFile
        self.insecure = insecure
        self.mailbox = mailbox
        self.mailFrom = mailFrom
        self.sendTestTo = sendTestTo
        self.dnsServer = dnsServer
        self.tenant = tenant
    }
}
