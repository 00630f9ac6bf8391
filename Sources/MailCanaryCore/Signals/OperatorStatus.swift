/// The status an operator set on an incident last (a note with a status): what, when and who.
/// The store keeps it on the incident, so pages, the API and notifications read it without the
/// incident's notes.
public struct OperatorStatus: Sendable, Equatable, Codable {
    public var atMs: Int64
    public var author: String
    public var status: ServiceHealthStatus

    public init(atMs: Int64, author: String, status: ServiceHealthStatus) {
        self.atMs = atMs
        self.author = author
        self.status = status
    }
}
