/// One end-user problem report ("report a problem" page or `POST /api/v1/reports`).
public struct UserReport: Sendable, Equatable {
    public var timeMs: Int64
    public var service: String
    public var region: String
    public var client: ClientKind
    public var symptom: String
    /// Opaque id of the reporter: each reporter counts once per incident.
    public var reporter: String
    public var text: String?

    public init(timeMs: Int64, service: String, region: String, client: ClientKind, symptom: String,
                reporter: String, text: String? = nil) {
        self.timeMs = timeMs
        self.service = service
        self.region = region
        self.client = client
        self.symptom = symptom
        self.reporter = reporter
        self.text = text
    }
}
