import MailCanaryCore
import MailCanaryDetection
import MailCanaryStorage

/// What notification needs of a stored incident, read from its JSON body (``IncidentJSON``).
/// Text that came from targets (error samples, advisory titles) stays raw here: each channel
/// escapes it for its own format.
public struct IncidentDigest: Sendable, Equatable, Codable {
    public var id: String
    public var service: String
    public var status: ServiceHealthStatus
    public var openedMs: Int64
    public var resolvedMs: Int64?
    public var recoveredMs: Int64?
    public var paths: [String]
    public var regions: [String]
    public var cause: String
    public var layer: String?
    public var workaround: String?
    public var workaroundClient: String?
    public var affectedUsers: Int
    public var sampleErrors: [String]
    public var advisories: [String]
    public var leadOverAdvisoryMinutes: Double?
    /// The latest status an operator set (a note with a status); ``status`` shows it.
    public var operatorStatus: OperatorStatus?
    /// When detection saw the incident again after an operator resolved it (``IncidentView/detectionReopenedMs``).
    public var detectionReopenedMs: Int64?

    public init(id: String, service: String, status: ServiceHealthStatus, openedMs: Int64, resolvedMs: Int64? = nil,
                recoveredMs: Int64? = nil, paths: [String], regions: [String], cause: String, layer: String? = nil,
                workaround: String? = nil, workaroundClient: String? = nil, affectedUsers: Int = 0, sampleErrors: [String] = [],
                advisories: [String] = [], leadOverAdvisoryMinutes: Double? = nil) {
        self.id = id
        self.service = service
        self.status = status
        self.openedMs = openedMs
        self.resolvedMs = resolvedMs
        self.recoveredMs = recoveredMs
        self.paths = paths
        self.regions = regions
        self.cause = cause
        self.layer = layer
        self.workaround = workaround
        self.workaroundClient = workaroundClient
        self.affectedUsers = affectedUsers
        self.sampleErrors = sampleErrors
        self.advisories = advisories
        self.leadOverAdvisoryMinutes = leadOverAdvisoryMinutes
    }

    /// Nil when the body is not an incident (it is then left alone, and logged). Read with the
    /// same decoder as the pages (``IncidentView``), with the status an operator set: it replaces
    /// detection's, and a restored one resolves the incident at its time (as on the pages).
    public init?(_ record: IncidentRecord) {
        guard let view = try? IncidentView.decode(record.body, operatorStatus: record.operatorStatus) else { return nil }
        self.init(id: record.id, service: record.service, status: ServiceHealthStatus(parsing: view.currentStatus), openedMs: record.openedMs,
                  resolvedMs: record.resolvedMs ?? view.operatorResolvedMs, recoveredMs: view.recoveredMs, paths: view.paths, regions: view.regions, cause: view.cause,
                  layer: view.layer, workaround: view.workaround?.text, workaroundClient: view.workaround?.client,
                  affectedUsers: view.affectedUsersEstimate, sampleErrors: view.sampleErrors.map(\.message),
                  advisories: view.advisoryLinks.map { links in links.map { $0.title.isEmpty ? $0.id : "\($0.id): \($0.title)" } } ?? view.advisories,
                  leadOverAdvisoryMinutes: view.leadOverAdvisoryMinutes)
        operatorStatus = record.operatorStatus
        detectionReopenedMs = view.detectionReopenedMs
    }

    public var isOpen: Bool { resolvedMs == nil }

    /// How bad, for routing and escalation: 0 investigating, 1 degradation, 2 interruption.
    public var severity: Int {
        switch status {
        case .serviceInterruption: 2
        case .serviceDegradation: 1
        default: 0
        }
    }
}
