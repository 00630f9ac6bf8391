import MailCanaryCore

/// Grouped anomalies on one service: scope, cause, workaround, timeline and the advisories that
/// match (DESIGN.md, "incident"). A value; ``IncidentBook`` decides its changes.
public struct Incident: Sendable, Equatable, Identifiable {
    public var id: String
    public var service: String
    /// One open incident per fingerprint: the service, or for an incident opened while another of
    /// the service was open and unrelated to it, the service and the region it opened in
    /// (``IncidentBook`` says what related means).
    public var fingerprint: String
    public var openedMs: Int64
    public var firstAnomalyMs: Int64
    public var resolvedMs: Int64?
    /// When the last member alarm ended (the service looked healthy again).
    public var recoveredMs: Int64?
    public var status: ServiceHealthStatus
    public var scope: Set<ScopeCell>
    /// Regions and clients people reported from (reports have no access path).
    public var reportRegions: Set<String> = []
    public var cause: Cause
    /// The failing layer: the probes' failed step, or the step a failure class points at.
    public var layer: String
    public var workaround: Workaround?
    public var timeline: [TimelineEntry] = []
    public var evidence = AnomalyEvidence()
    public var advisories: [AdvisoryLink] = []
    /// When user reports surged in an affected region, while this incident was open.
    public var reportSurgeMs: Int64?
    /// Series that joined, with the minute they joined.
    public var members: [SeriesID: Int64] = [:]
    /// Sources that saw it.
    public var sources: Set<SignalSource> = []
    /// What its anomalies were: `failure`, `latency`, `reports`.
    public var anomalyKinds: Set<String> = []
    /// Other incidents open at the same time with the same cause, on this service or another
    /// (DESIGN.md: "spot concurrent incidents that share a cause"), in the order they were seen.
    public var concurrent: [ConcurrentIncident] = []

    public var isOpen: Bool { resolvedMs == nil }
    public var paths: [AccessPath] { Set(scope.map(\.path)).sorted { $0.rawValue < $1.rawValue } }
    public var regions: [String] { Set(scope.map(\.region)).union(scope.isEmpty ? reportRegions : []).sorted() }

    /// Minutes MailCanary opened this incident ahead of the user-report surge (nil without one).
    public var leadOverReportsMinutes: Double? {
        reportSurgeMs.map { Double($0 - openedMs) / 60_000 }
    }

    /// Distinct affected users: ids from single telemetry events and reporters; for aggregated
    /// counts the peak number of failed attempts above the baseline in one minute stands in
    /// (each failing client retries, so this counts clients failing at once, not people).
    public var affectedUsersEstimate: Int {
        max(evidence.users.count + evidence.reporters.count, Int(evidence.peakExcessPerMinute.rounded()))
    }
}

/// One (access path, region) cell of an incident's scope.
public struct ScopeCell: Hashable, Sendable {
    public var path: AccessPath
    public var region: String

    public init(path: AccessPath, region: String) {
        self.path = path
        self.region = region
    }
}

/// The client that still works for the affected users, and the sentence that says so.
public struct Workaround: Sendable, Equatable {
    public var client: ClientKind
    public var text: String
}

/// A provider advisory linked to an incident.
public struct AdvisoryLink: Sendable, Equatable {
    public var id: String
    public var title: String
    public var status: ServiceHealthStatus
    /// The provider's first post (or the start when it has no post).
    public var firstPostMs: Int64?
    public var linkedMs: Int64
    /// Minutes MailCanary opened the incident before the provider's first post.
    public var leadMinutes: Double?
    /// When the provider said service was restored (the end, else when it was seen resolved).
    public var restoredMs: Int64? = nil
    /// Posts already on the incident's timeline.
    public var postsShown = 0
}

/// One line of an incident's automatic (or, later, manual) timeline.
public struct TimelineEntry: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case firstAnomaly, opened, joined, status, advisory, reportSurge, recovered, relapsed, resolved, note, concurrent
    }

    public var timeMs: Int64
    public var kind: Kind
    public var text: String

    public init(timeMs: Int64, kind: Kind, text: String) {
        self.timeMs = timeMs
        self.kind = kind
        self.text = text
    }
}

/// Another incident open at the same time as this one with the same cause: the same provider
/// problem seen by several watched services, or one cause behind failures in unrelated places.
public struct ConcurrentIncident: Sendable, Equatable {
    public var id: String
    public var service: String
    /// When the two were first seen open together with the same cause.
    public var sinceMs: Int64
}
