/// A provider advisory: Microsoft Graph `serviceHealthIssue` (exchange-protocols.md 1.4), as polled.
/// Free-text fields (`feature`, `featureGroup`) are kept as text: their vocabulary is not published.
public struct ServiceHealthIssue: Sendable, Equatable {
    public enum Classification: String, Sendable, Equatable {
        case advisory, incident, unknownFutureValue

        public init(parsing text: String) {
            switch text.lowercased() {
            case "advisory": self = .advisory
            case "incident": self = .incident
            default: self = .unknownFutureValue
            }
        }
    }

    public struct Post: Sendable, Equatable {
        public var createdMs: Int64
        public var postType: String
        public var content: String

        public init(createdMs: Int64, postType: String, content: String) {
            self.createdMs = createdMs
            self.postType = postType
            self.content = content
        }
    }

    public var id: String
    public var title: String
    public var impactDescription: String
    public var classification: Classification
    public var status: ServiceHealthStatus
    public var service: String
    public var feature: String
    public var featureGroup: String
    public var isResolved: Bool
    public var startMs: Int64?
    public var endMs: Int64?
    public var lastModifiedMs: Int64?
    public var posts: [Post]
    /// The watched services this advisory concerns: those of the tenant it was polled from
    /// (`advisories.tenants[].services`). Not part of Graph's issue; nil means every service.
    public var watchedServices: Set<String>?

    public init(id: String, title: String, impactDescription: String = "", classification: Classification = .incident,
                status: ServiceHealthStatus = .investigating, service: String, feature: String = "", featureGroup: String = "",
                isResolved: Bool = false, startMs: Int64? = nil, endMs: Int64? = nil, lastModifiedMs: Int64? = nil, posts: [Post] = []) {
        self.id = id
        self.title = title
        self.impactDescription = impactDescription
        self.classification = classification
        self.status = status
        self.service = service
        self.feature = feature
        self.featureGroup = featureGroup
        self.isResolved = isResolved
        self.startMs = startMs
        self.endMs = endMs
        self.lastModifiedMs = lastModifiedMs
        self.posts = posts
    }

    /// When the provider first said something: its earliest post, else the issue's start.
    public var firstPostMs: Int64? {
        posts.map(\.createdMs).min() ?? startMs
    }
}
