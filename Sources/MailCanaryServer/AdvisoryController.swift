import Foundation
import Hummingbird
import Logging
import MailCanaryAdvisories
import MailCanaryIngest
import MailCanaryCore
import MailCanaryDetection
import MailCanaryStorage

/// The provider's advisories over HTTP: each issue as last polled, with the incidents it is
/// linked to (or none: "the provider reports a problem we do not see"), how many versions were
/// kept, and each tenant's polling state; one issue with every version (its timeline).
struct AdvisoryController: Sendable {
    let store: any MailCanaryStore
    let advisories: AdvisoryService?
    let logger: Logger
    let clock: @Sendable () -> Int64

    func register(on router: Router<ServerRequestContext>) {
        router.get("/api/v1/advisories") { _, _ in await respond(logger: logger) { try await list() } }
        router.get("/api/v1/advisories/:id") { _, context in await respond(logger: logger) { try await one(context.parameters.get("id") ?? "") } }
        router.get("/api/v1/advisories/:id/incidentReport") { _, context in
            await respond(logger: logger) { try await review(context.parameters.get("id") ?? "") }
        }
    }

    struct AdvisoryView: Encodable {
        var id: String
        var title: String
        var status: String
        var classification: String
        var service: String
        var feature: String
        var isResolved: Bool
        var startDateTime: String?
        var firstPostAt: String?
        var lastPolledAt: String
        var versions: Int
        var tenants: [String]
        var incidents: [String]
        /// Other advisories on the same provider service that started within two hours of this one.
        var possiblyRelated: [String]
        var incidentReport: Bool
    }

    struct TenantView: Encodable {
        var tenant: String
        var lastPollAt: String?
        var nextPollAt: String?
        var requests: Int
        var versionsStored: Int
        var problems: [String]
    }

    struct VersionView: Encodable {
        var polledAt: String
        var tenant: String
        var status: String
        var issue: String
    }

    static func issue(_ version: AdvisoryVersion) -> ServiceHealthIssue? {
        ServiceHealthIssueReader.read(json: version.body)
    }

    /// Incident ids by the advisory ids linked to them.
    func links() async throws -> [String: [String]] {
        var links: [String: [String]] = [:]
        for incident in try await store.incidents(openOnly: false, limit: 500) {
            guard let view = try? IncidentView.decode(incident.body) else { continue }
            for advisory in view.advisories { links[advisory, default: []].append(incident.id) }
        }
        return links
    }

    func list() async throws -> Response {
        let views = try await summaries()
        let tenants = (advisories?.status ?? []).map { status in
            TenantView(tenant: status.tenant, lastPollAt: status.lastPollMs.map(UTCTimestamp.format),
                       nextPollAt: status.nextPollMs > 0 ? UTCTimestamp.format(status.nextPollMs) : nil,
                       requests: status.requests, versionsStored: status.versionsStored, problems: status.problems)
        }
        struct Answer: Encodable { var advisories: [AdvisoryView]; var tenants: [TenantView] }
        return JSONResponse.make(Answer(advisories: views, tenants: tenants))
    }

    /// Every advisory of the last 30 days as last polled, newest first, with links and relations.
    /// `links`: advisory id → incident ids, when the caller has the incidents decoded already.
    func summaries(links known: [String: [String]]? = nil) async throws -> [AdvisoryView] {
        var latest: [String: (version: AdvisoryVersion, count: Int, tenants: Set<String>)] = [:]
        var order: [String] = []
        var reviews: Set<String> = []
        var after: Int64 = 0
        let from = clock() - 30 * 86_400_000
        while true {
            let page = try await store.advisoryVersions(polledFromMs: from, afterID: after, limit: 1_000)
            for version in page {
                if version.status == AdvisoryService.reviewStatus { reviews.insert(version.issueID); continue }
                if latest[version.issueID] == nil { order.append(version.issueID) }
                let previous = latest[version.issueID]
                latest[version.issueID] = (version, (previous?.count ?? 0) + 1, (previous?.tenants ?? []).union([version.tenant]))
            }
            guard let last = page.last else { break }
            after = last.id
        }
        let links: [String: [String]]
        if let known { links = known } else { links = try await self.links() }
        let views: [AdvisoryView] = order.reversed().compactMap { id in
            guard let entry = latest[id], let issue = Self.issue(entry.version) else { return nil }
            let raw = (try? JSONSerialization.jsonObject(with: Data(entry.version.body.utf8))) as? [String: Any] ?? [:]
            return AdvisoryView(id: id, title: issue.title, status: entry.version.status, classification: raw["classification"] as? String ?? "",
                                service: issue.service, feature: issue.feature, isResolved: issue.isResolved,
                                startDateTime: issue.startMs.map(UTCTimestamp.format), firstPostAt: issue.firstPostMs.map(UTCTimestamp.format),
                                lastPolledAt: UTCTimestamp.format(entry.version.polledAtMs), versions: entry.count,
                                tenants: entry.tenants.sorted(), incidents: links[id] ?? [], possiblyRelated: [],
                                incidentReport: reviews.contains(id))
        }
        let related = Self.related(views)
        return views.map { view in
            var view = view
            view.possiblyRelated = related[view.id] ?? []
            return view
        }
    }

    /// Concurrent advisories: the same provider service, starts within two hours of each other
    /// (EX1189820 and EX1189768 in November 2025).
    static func related(_ views: [AdvisoryView]) -> [String: [String]] {
        var related: [String: [String]] = [:]
        for a in views {
            guard let aStart = (a.startDateTime ?? a.firstPostAt).flatMap(UTCTimestamp.parse) else { continue }
            for b in views where b.id != a.id && b.service == a.service {
                guard let bStart = (b.startDateTime ?? b.firstPostAt).flatMap(UTCTimestamp.parse), abs(aStart - bStart) <= 2 * 3_600_000 else { continue }
                related[a.id, default: []].append(b.id)
            }
        }
        return related
    }

    func review(_ id: String) async throws -> Response {
        guard let stored = try await store.advisoryVersions(issueID: id).first(where: { $0.status == AdvisoryService.reviewStatus }),
              let object = (try? JSONSerialization.jsonObject(with: Data(stored.body.utf8))) as? [String: Any],
              let encoded = object["incidentReport"] as? String, let document = Data(base64Encoded: encoded) else {
            throw APIError(.notFound, "no post-incident review of '\(id)' has been fetched")
        }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream",
                                               .contentDisposition: "attachment; filename=\"\(WebController.fileSafe(id))-post-incident-review\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: document)))
    }

    func one(_ id: String) async throws -> Response {
        let versions = try await store.advisoryVersions(issueID: id).filter { $0.status != AdvisoryService.reviewStatus }
        guard !versions.isEmpty else { throw APIError(.notFound, "no advisory '\(id)' has been polled") }
        let links = try await links()
        struct Answer: Encodable { var id: String; var incidents: [String]; var versions: [VersionView] }
        return JSONResponse.make(Answer(id: id, incidents: links[id] ?? [], versions: versions.map {
            VersionView(polledAt: UTCTimestamp.format($0.polledAtMs), tenant: $0.tenant, status: $0.status, issue: $0.body)
        }))
    }
}
