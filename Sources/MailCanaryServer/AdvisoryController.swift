import Foundation
import Hummingbird
import Logging
import MailCanaryAdvisories
import MailCanaryIngest
import MailCanaryCore
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
            guard let body = (try? JSONSerialization.jsonObject(with: Data(incident.body.utf8))) as? [String: Any] else { continue }
            for advisory in body["advisories"] as? [String] ?? [] { links[advisory, default: []].append(incident.id) }
        }
        return links
    }

    func list() async throws -> Response {
        var latest: [String: (version: AdvisoryVersion, count: Int, tenants: Set<String>)] = [:]
        var order: [String] = []
        var after: Int64 = 0
        let from = clock() - 30 * 86_400_000
        while true {
            let page = try await store.advisoryVersions(polledFromMs: from, afterID: after, limit: 1_000)
            for version in page {
                if latest[version.issueID] == nil { order.append(version.issueID) }
                let previous = latest[version.issueID]
                latest[version.issueID] = (version, (previous?.count ?? 0) + 1, (previous?.tenants ?? []).union([version.tenant]))
            }
            guard let last = page.last else { break }
            after = last.id
        }
        let links = try await links()
        let views: [AdvisoryView] = order.reversed().compactMap { id in
            guard let entry = latest[id], let issue = Self.issue(entry.version) else { return nil }
            let raw = (try? JSONSerialization.jsonObject(with: Data(entry.version.body.utf8))) as? [String: Any] ?? [:]
            return AdvisoryView(id: id, title: issue.title, status: entry.version.status, classification: raw["classification"] as? String ?? "",
                                service: issue.service, feature: issue.feature, isResolved: issue.isResolved,
                                startDateTime: issue.startMs.map(UTCTimestamp.format), firstPostAt: issue.firstPostMs.map(UTCTimestamp.format),
                                lastPolledAt: UTCTimestamp.format(entry.version.polledAtMs), versions: entry.count,
                                tenants: entry.tenants.sorted(), incidents: links[id] ?? [])
        }
        let tenants = (advisories?.status ?? []).map { status in
            TenantView(tenant: status.tenant, lastPollAt: status.lastPollMs.map(UTCTimestamp.format),
                       nextPollAt: status.nextPollMs > 0 ? UTCTimestamp.format(status.nextPollMs) : nil,
                       requests: status.requests, versionsStored: status.versionsStored, problems: status.problems)
        }
        struct Answer: Encodable { var advisories: [AdvisoryView]; var tenants: [TenantView] }
        return JSONResponse.make(Answer(advisories: views, tenants: tenants))
    }

    func one(_ id: String) async throws -> Response {
        let versions = try await store.advisoryVersions(issueID: id)
        guard !versions.isEmpty else { throw APIError(.notFound, "no advisory '\(id)' has been polled") }
        let links = try await links()
        struct Answer: Encodable { var id: String; var incidents: [String]; var versions: [VersionView] }
        return JSONResponse.make(Answer(id: id, incidents: links[id] ?? [], versions: versions.map {
            VersionView(polledAt: UTCTimestamp.format($0.polledAtMs), tenant: $0.tenant, status: $0.status, issue: $0.body)
        }))
    }
}
