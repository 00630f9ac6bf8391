import MailCanaryCore

/// A service-health issue as polled: the decoded value, and the issue's JSON as Graph sent it
/// (kept as the provider's version of record, and what `advisories poll --json` prints).
public struct PolledIssue: Sendable, Equatable {
    public var issue: ServiceHealthIssue
    /// The issue object, re-serialised with sorted keys (equal content, equal text).
    public var json: String
    /// The status exactly as the API sent it (PascalCase from the live API).
    public var rawStatus: String
    public var rawClassification: String

    public init(issue: ServiceHealthIssue, json: String, rawStatus: String, rawClassification: String) {
        self.issue = issue
        self.json = json
        self.rawStatus = rawStatus
        self.rawClassification = rawClassification
    }
}

/// One entry of `healthOverviews` (§1.3).
public struct ServiceHealthOverview: Sendable, Equatable {
    public var id: String
    public var service: String
    public var status: ServiceHealthStatus
    public var rawStatus: String
}

/// A message-center post about a planned change (§1.7, category planForChange): planned
/// maintenance, which Service health does not show.
public struct PlannedChange: Sendable, Equatable {
    public var id: String
    public var title: String
    public var category: String
    public var services: [String]
    public var startMs: Int64?
    public var endMs: Int64?
    public var lastModifiedMs: Int64?

    public var isPlanForChange: Bool { category.lowercased() == "planforchange" }
}

/// What one poll of a tenant found, and what went wrong: a failing provider API is data.
public struct GraphPollResult: Sendable {
    public var tenant: String
    public var issues: [PolledIssue] = []
    public var health: [ServiceHealthOverview] = []
    public var plannedChanges: [PlannedChange] = []
    /// In words, without secrets: "issues: throttled (429), retry after 120 s".
    public var problems: [String] = []
    public var requests = 0
    /// Set when the provider (or our budget) asked us to wait before polling again.
    public var retryAfterMs: Int64?

    public init(tenant: String) {
        self.tenant = tenant
    }

    /// Whether every list was read to its end.
    public var complete: Bool { problems.isEmpty }
}
