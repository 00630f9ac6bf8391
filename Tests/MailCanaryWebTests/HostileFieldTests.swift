import Foundation
import MailCanaryCore
import MailCanaryDetection
import Testing
@testable import MailCanaryWeb

/// A script payload in every field that reaches a page, the feed or the report: ids, names,
/// regions, paths, error texts, timeline texts, advisory titles, workaround text, notes.
@Suite("Hostile fields")
struct HostileFieldTests {
    static let payload = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"

    static func hostileIncident() -> IncidentView {
        let p = payload.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        let json = """
            {"id":"\(p)","service":"\(p)","openedAt":"2025-11-25T09:14:00Z","resolvedAt":null,"status":"\(p)","paths":["\(p)"],
            "regions":["\(p)"],"scope":[{"path":"\(p)","region":"\(p)"}],"anomalyKinds":["\(p)"],"cause":"\(p)","layer":"\(p)",
            "workaround":{"client":"\(p)","text":"\(p)"},"advisories":["\(p)"],
            "advisoryLinks":[{"id":"\(p)","title":"\(p)","status":"\(p)","firstPostAt":"2025-11-25T09:57:00Z","leadMinutes":4.0}],
            "members":[{"source":"\(p)","path":"\(p)","region":"\(p)","joinedAt":"2025-11-25T09:14:00Z"}],
            "concurrent":[{"id":"\(p)","service":"\(p)","since":"2025-11-25T09:20:00Z"}],
            "firstAnomalyAt":"2025-11-25T09:12:00Z","recoveredAt":null,"leadOverAdvisoryMinutes":4.0,"leadOverReportsMinutes":1.0,
            "sources":["\(p)"],"affectedUsersEstimate":1,"reporters":1,"sampleErrors":[{"message":"\(p)","count":1}],
            "timeline":[{"at":"2025-11-25T09:12:00Z","kind":"\(p)","text":"\(p)"}]}
            """
        var incident = try! IncidentView.decode(json)
        incident.notes = [IncidentView.Note(atMs: WebFixtures.nowMs, author: payload, status: payload, text: payload)]
        return incident
    }

    func expectInert(_ text: String, _ what: String) {
        #expect(!text.contains("<script"), "\(what)")
        #expect(!text.contains("<img"), "\(what)")
        #expect(!text.contains("onerror=alert(2)>"), "\(what)")
    }

    @Test("the incident page links the concurrent incidents of the same cause; a body stored before they were linked has none")
    func concurrentLinks() throws {
        let body = #"{"id":"contoso-20251125-0914","service":"contoso","openedAt":"2025-11-25T09:14:00Z","status":"investigating","paths":["mapi-http"],"regions":["na"],"cause":"server-side","layer":"operation","advisories":[],"sources":["telemetry"],"affectedUsersEstimate":1,"reporters":0,"sampleErrors":[],"timeline":[]"#
        let linked = try IncidentView.decode(body + #","concurrent":[{"id":"fabrikam-20251125-0915","service":"fabrikam","since":"2025-11-25T09:15:00Z"}]}"#)
        let page = IncidentPage(incident: linked, charts: [], nowMs: WebFixtures.nowMs).render()
        #expect(page.contains("Concurrent, same cause"))
        #expect(page.contains(#"<a href="/incidents/fabrikam-20251125-0915">fabrikam-20251125-0915</a> (fabrikam)"#))
        let older = try IncidentView.decode(body + "}")
        #expect(older.concurrent == nil)
        #expect(!IncidentPage(incident: older, charts: [], nowMs: WebFixtures.nowMs).render().contains("Concurrent"))
    }

    @Test("every page, the feed and the report show the payload as text")
    func everySurface() {
        let incident = Self.hostileIncident()
        let now = WebFixtures.nowMs
        let snapshot = SeriesSnapshot(id: SeriesID(service: Self.payload, path: AccessPath(rawValue: Self.payload), region: Self.payload, source: .telemetry),
                                      state: .failing, alarmKind: Self.payload, lastObservedMinute: Int(now / 60_000) - 1,
                                      lastFailureMinute: Int(now / 60_000) - 1, lastFailureClass: FailureClass(rawValue: "server"),
                                      lastFailedStep: StepName(rawValue: Self.payload), lastError: Self.payload,
                                      points: [SeriesPoint(minute: Int(now / 60_000) - 1, attempts: 1, failed: 1, expected: 0, latencyMs: 1,
                                                           expectedLatencyMs: 1, alarmed: true)])
        let matrix = HealthMatrix.build(service: Self.payload, configuredPaths: [], configuredRegions: [Self.payload], snapshots: [snapshot],
                                        openIncidents: [incident], nowMs: now)
        let service = ServiceHealth(id: Self.payload, name: Self.payload, matrix: matrix)
        let account = PageLayout.Account(name: Self.payload, role: Self.payload, formToken: Self.payload)
        var dashboard = DashboardPage(services: [service], incidents: [incident], nowMs: now)
        dashboard.account = account
        expectInert(dashboard.render(), "dashboard")
        var page = IncidentPage(incident: incident, charts: SeriesPage.charts(for: snapshot, incidents: [incident], nowMs: now), nowMs: now)
        page.account = account
        page.actionToken = Self.payload
        expectInert(page.render(), "incident page")
        expectInert(SeriesPage(service: Self.payload, path: AccessPath(rawValue: Self.payload), region: Self.payload, snapshots: [snapshot],
                               incidents: [incident], nowMs: now).render(), "series page")
        expectInert(StatusPage(services: [service], incidents: [incident], reportRegions: [Self.payload], nowMs: now).render(), "status page")
        expectInert(AtomFeed(incidents: [incident], serviceNames: [Self.payload: Self.payload], nowMs: now).render(), "feed")
        let report = IncidentReport(incident: incident, serviceName: Self.payload, tenant: Self.payload, nowMs: now)
        expectInert(report.html(), "report (HTML)")
        expectInert(report.markdown(), "report (Markdown)")
        expectInert(LoginPage.render(next: Self.payload, formToken: Self.payload, problem: Self.payload, signedInAs: Self.payload), "sign-in page")
        expectInert(ReportForm.render(services: [(Self.payload, Self.payload)], regions: [Self.payload]), "report form")
    }
}
