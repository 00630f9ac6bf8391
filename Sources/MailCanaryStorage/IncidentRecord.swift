import MailCanaryCore

/// An incident as stored: the columns the store filters on, and the whole incident as JSON.
public struct IncidentRecord: Sendable, Equatable {
    public var id: String
    /// At most one open incident per fingerprint (the store enforces it).
    public var fingerprint: String
    public var service: String
    /// The status in the provider's vocabulary (`serviceDegradation`, `serviceRestored`, …).
    public var status: String
    public var openedMs: Int64
    /// Nil while the incident is open.
    public var resolvedMs: Int64?
    public var updatedMs: Int64
    /// The incident as JSON (the shape of `GET /api/v1/incidents/{id}`).
    public var body: String
    /// The status an operator set last (written by ``IncidentStore/addNote(_:)``; saving the
    /// incident leaves it alone). Detection's `status` and `resolvedMs` stay its own.
    public var operatorStatus: OperatorStatus?

    public init(id: String, fingerprint: String, service: String, status: String, openedMs: Int64, resolvedMs: Int64?,
                updatedMs: Int64, body: String, operatorStatus: OperatorStatus? = nil) {
        self.id = id
        self.fingerprint = fingerprint
        self.service = service
        self.status = status
        self.openedMs = openedMs
        self.resolvedMs = resolvedMs
        self.updatedMs = updatedMs
        self.body = body
        self.operatorStatus = operatorStatus
    }

    /// Open for detection (one open incident per fingerprint); an operator may have resolved it.
    public var isOpen: Bool { resolvedMs == nil }
}

/// An operator's note on an incident, optionally changing its status.
public struct IncidentNote: Sendable, Equatable, Codable {
    public var incidentID: String
    public var atMs: Int64
    public var author: String
    /// A status the operator set (the provider's vocabulary), or nil for a plain note.
    public var status: String?
    public var text: String

    public init(incidentID: String, atMs: Int64, author: String, status: String?, text: String) {
        self.incidentID = incidentID
        self.atMs = atMs
        self.author = author
        self.status = status
        self.text = text
    }
}

/// What saving an incident did.
public enum IncidentSaveOutcome: Sendable, Equatable {
    case saved
    /// Another incident with the same fingerprint is open: nothing written.
    case conflict(openID: String)
}

/// Incidents and operators' notes. Detection saves whole incidents (upsert by id); the store
/// keeps one open incident per fingerprint even when several replicas save at once.
public protocol IncidentStore: Sendable {
    func saveIncident(_ record: IncidentRecord) async throws -> IncidentSaveOutcome
    /// Newest opened first.
    func incidents(openOnly: Bool, limit: Int) async throws -> [IncidentRecord]
    func incident(id: String) async throws -> IncidentRecord?
    /// False when there is no such incident.
    func addNote(_ note: IncidentNote) async throws -> Bool
    /// Oldest first.
    func notes(incidentID: String) async throws -> [IncidentNote]
}

extension OperatorStatus {
    /// From the incident's `operator_status`, `operator_status_at` and `operator_status_by` columns;
    /// nil when no operator has set a status.
    init?(columns status: String?, _ atMs: Int64?, _ author: String?) {
        guard let status else { return nil }
        self.init(atMs: atMs ?? 0, author: author ?? "", status: ServiceHealthStatus(parsing: status))
    }
}
