import MailCanaryCore

/// What changed about an incident: the actions detection hands to storage and notification.
public struct IncidentEvent: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case opened, scopeChanged, statusChanged, advisoryLinked, reportSurge, recovered, relapsed, resolved
    }

    public var kind: Kind
    public var incidentID: String
    public var timeMs: Int64
    public var status: ServiceHealthStatus

    public init(kind: Kind, incidentID: String, timeMs: Int64, status: ServiceHealthStatus) {
        self.kind = kind
        self.incidentID = incidentID
        self.timeMs = timeMs
        self.status = status
    }
}
