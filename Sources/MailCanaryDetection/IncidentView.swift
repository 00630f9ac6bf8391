import Foundation
import MailCanaryCore

/// A stored incident read back from its JSON (``IncidentJSON``, also `GET /api/v1/incidents/{id}`):
/// what pages, reports and notifications read, with the operators' notes beside it. Keys added to the JSON later are optional here, so
/// incidents stored by an older version still show.
public struct IncidentView: Sendable, Decodable {
    public struct WorkaroundView: Sendable, Decodable {
        public var client: String
        public var text: String
    }
    /// Another incident open at the same time with the same cause.
    public struct ConcurrentView: Sendable, Decodable {
        public var id: String
        public var service: String
        public var since: String?
    }
    public struct AdvisoryView: Sendable, Decodable {
        public var id: String
        public var title: String
        public var status: String
        public var firstPostAt: String?
        public var leadMinutes: Double?
        public var restoredAt: String?

        public init(id: String, title: String, status: String, firstPostAt: String?, leadMinutes: Double?, restoredAt: String? = nil) {
            self.id = id
            self.title = title
            self.status = status
            self.firstPostAt = firstPostAt
            self.leadMinutes = leadMinutes
            self.restoredAt = restoredAt
        }
    }
    public struct ErrorSample: Sendable, Decodable {
        public var message: String
        public var count: Int
    }
    public struct Entry: Sendable, Decodable {
        public var at: String
        public var kind: String
        public var text: String
    }
    public struct Member: Sendable, Decodable {
        public var source: String
        public var path: String?
        public var region: String
        public var joinedAt: String?
    }
    public struct Cell: Sendable, Decodable, Hashable {
        public var path: String
        public var region: String
        public init(path: String, region: String) {
            self.path = path
            self.region = region
        }
    }
    /// An operator's note, as the page shows it.
    public struct Note: Sendable {
        public var atMs: Int64
        public var author: String
        public var status: String?
        public var text: String
        public init(atMs: Int64, author: String, status: String?, text: String) {
            self.atMs = atMs
            self.author = author
            self.status = status
            self.text = text
        }
    }

    public var id: String
    public var service: String
    public var openedAt: String
    public var resolvedAt: String?
    public var status: String
    public var paths: [String]
    public var regions: [String]
    public var scope: [Cell]?
    public var anomalyKinds: [String]?
    public var cause: String
    public var layer: String
    public var workaround: WorkaroundView?
    public var advisories: [String]
    public var advisoryLinks: [AdvisoryView]?
    public var members: [Member]?
    /// Absent in bodies stored before concurrent incidents were linked.
    public var concurrent: [ConcurrentView]?
    public var firstAnomalyAt: String?
    public var recoveredAt: String?
    public var leadOverAdvisoryMinutes: Double?
    public var leadOverReportsMinutes: Double?
    public var sources: [String]
    public var affectedUsersEstimate: Int
    public var reporters: Int
    public var sampleErrors: [ErrorSample]
    public var timeline: [Entry]
    public var notes: [Note] = []
    /// The status an operator set last, as the store keeps it on the incident; not part of the
    /// stored JSON. Set by ``decode(_:operatorStatus:)``, which also works out
    /// ``detectionReopenedMs`` from it once (pages ask `isOpen`, `resolvedMs` and
    /// `currentStatus` of every listed incident).
    public private(set) var operatorStatus: OperatorStatus?
    /// When detection saw the incident again after an operator resolved it while detection still
    /// had it open: a series joined (a path, region or source newly failing) or failures came back
    /// after a recovery. The operator's resolution holds for what was known when they set it, not
    /// for what came after: an early-warning tool must not stay quiet about a growing outage
    /// because someone closed it too soon.
    public private(set) var detectionReopenedMs: Int64?

    enum CodingKeys: String, CodingKey {
        case id, service, openedAt, resolvedAt, status, paths, regions, scope, anomalyKinds, cause, layer, workaround, advisories,
             advisoryLinks, members, concurrent, firstAnomalyAt, recoveredAt, leadOverAdvisoryMinutes, leadOverReportsMinutes, sources,
             affectedUsersEstimate, reporters, sampleErrors, timeline
    }

    /// Decodes a stored body; the error names what is wrong (a page shows it rather than crash).
    public static func decode(_ body: String, operatorStatus: OperatorStatus? = nil) throws -> IncidentView {
        var view = try JSONDecoder().decode(IncidentView.self, from: Data(body.utf8))
        view.operatorStatus = operatorStatus
        if view.resolvedAt == nil, let restored = view.operatorRestoredMs {
            let growth: Set<String> = [TimelineEntry.Kind.joined.rawValue, TimelineEntry.Kind.relapsed.rawValue]
            view.detectionReopenedMs = view.timeline.lazy
                .filter { growth.contains($0.kind) }
                .compactMap { UTCTimestamp.parse($0.at) }
                .first { $0 > restored }
        }
        return view
    }

    /// Open until detection resolves it or an operator sets a restored status; open again if an
    /// operator then sets one that is not, or if detection sees the incident grow or come back
    /// after the operator resolved it (``detectionReopenedMs``).
    public var isOpen: Bool { resolvedAt == nil && operatorResolvedMs == nil }
    public var openedMs: Int64 { UTCTimestamp.parse(openedAt) ?? 0 }
    public var resolvedMs: Int64? { resolvedAt.flatMap(UTCTimestamp.parse) ?? operatorResolvedMs }
    public var recoveredMs: Int64? { recoveredAt.flatMap(UTCTimestamp.parse) }
    public var firstAnomalyMs: Int64 { firstAnomalyAt.flatMap(UTCTimestamp.parse) ?? openedMs }

    /// When an operator resolved it (their latest status is a restored one), unless detection has
    /// seen it again since.
    public var operatorResolvedMs: Int64? {
        detectionReopenedMs == nil ? operatorRestoredMs : nil
    }

    private var operatorRestoredMs: Int64? {
        operatorStatus.flatMap { $0.status.isRestored ? $0.atMs : nil }
    }

    /// The operator's latest status, or detection's (also once detection has re-opened the
    /// incident after the operator resolved it).
    public var currentStatus: String {
        detectionReopenedMs == nil ? operatorStatus?.status.rawValue ?? status : status
    }

    /// The scope as cells; older records had only the lists (their product stands in).
    public var cells: [Cell] {
        if let scope { return scope }
        return paths.flatMap { path in regions.map { Cell(path: path, region: $0) } }
    }

    /// Minutes from the first anomaly (or opening) to the end, or to `nowMs` while open.
    public func durationMinutes(nowMs: Int64) -> Double {
        Double((resolvedMs ?? nowMs) - openedMs) / 60_000
    }
}
