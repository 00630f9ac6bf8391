import MailCanaryCore
import MailCanaryDetection
import Testing
@testable import MailCanaryWeb

@Suite("HealthMatrix")
struct HealthMatrixTests {
    let now = WebFixtures.nowMs
    var minute: Int { Int(now / 60_000) }

    func cell(_ matrix: HealthMatrix, _ path: AccessPath?, _ region: String) -> HealthMatrix.Cell? {
        matrix.rows.first { $0.path == path }?.cells.first { $0.region == region }
    }

    @Test("each cell takes the worst state of its series; old data is stale, never healthy; nothing is no data")
    func states() throws {
        let snapshots = [
            WebFixtures.snapshot(path: .owa, region: "eu", source: .telemetry, lastMinute: minute - 1),
            WebFixtures.snapshot(path: .owa, region: "na", source: .telemetry, lastMinute: minute - 30),
            WebFixtures.snapshot(path: .ews, region: "eu", source: .probe, state: .alarmed, lastMinute: minute - 2, failureMinute: minute - 2),
            WebFixtures.snapshot(path: .ews, region: "eu", source: .telemetry, lastMinute: minute - 1),
            WebFixtures.snapshot(path: .activesync, region: "eu", source: .telemetry, state: .failing, lastMinute: minute - 1),
            WebFixtures.snapshot(path: nil, region: "eu", source: .reports, lastMinute: minute - 1),
            WebFixtures.snapshot(path: .owa, region: "eu", source: .probe, lastMinute: nil),
        ]
        let matrix = HealthMatrix.build(service: "contoso", configuredPaths: [.owa, .imap], configuredRegions: ["eu", "na"],
                                        snapshots: snapshots, openIncidents: [], nowMs: now)
        #expect(matrix.regions == ["eu", "na"])
        #expect(matrix.rows.map(\.label) == ["EWS", "Outlook on the web", "ActiveSync", "IMAP", "User reports"])
        #expect(cell(matrix, .owa, "eu")?.state == .healthy)
        #expect(cell(matrix, .owa, "na")?.state == .stale)
        #expect(cell(matrix, .owa, "na")?.ageMinutes == 29)
        #expect(cell(matrix, .ews, "eu")?.state == .degraded)
        #expect(cell(matrix, .ews, "eu")?.failureClass == .server)
        #expect(cell(matrix, .ews, "eu")?.failedStep == .operation)
        #expect(cell(matrix, .ews, "eu")?.sources == [.probe, .telemetry])
        #expect(cell(matrix, .activesync, "eu")?.state == .failing)
        #expect(cell(matrix, .imap, "eu")?.state == .noData)
        #expect(cell(matrix, nil, "eu")?.state == .healthy)
    }

    @Test("a cell in an open incident's scope is failing, and links the incident; a stale one stays stale")
    func incidentScope() {
        let incident = WebFixtures.incident()
        let snapshots = [
            WebFixtures.snapshot(path: .mapiHTTP, region: "apac", source: .telemetry, lastMinute: minute - 1),
            WebFixtures.snapshot(path: .mapiHTTP, region: "na", source: .telemetry, lastMinute: minute - 60),
            WebFixtures.snapshot(path: .mapiHTTP, region: "eu", source: .telemetry, lastMinute: minute - 1),
        ]
        let matrix = HealthMatrix.build(service: "contoso", configuredPaths: [], configuredRegions: ["apac", "na", "eu"],
                                        snapshots: snapshots, openIncidents: [incident], nowMs: now)
        #expect(cell(matrix, .mapiHTTP, "apac")?.state == .failing)
        #expect(cell(matrix, .mapiHTTP, "apac")?.incidentID == incident.id)
        #expect(cell(matrix, .mapiHTTP, "na")?.state == .stale)
        #expect(cell(matrix, .mapiHTTP, "eu")?.state == .healthy)
        #expect(matrix.state(of: ClientExperience.all[0]) == .failing)
        #expect(matrix.state(of: ClientExperience.all[1]) == .noData)
    }

    @Test("the dashboard shows stale as stale and escapes what came from targets")
    func dashboard() {
        let snapshots = [WebFixtures.snapshot(path: .owa, region: "eu", source: .telemetry, lastMinute: minute - 30)]
        let matrix = HealthMatrix.build(service: "contoso", configuredPaths: [], configuredRegions: ["eu"], snapshots: snapshots,
                                        openIncidents: [], nowMs: now)
        let hostile = WebFixtures.incident(WebFixtures.incidentJSON(errorText: "<script>alert(1)</script>"))
        let html = DashboardPage(services: [.init(id: "contoso", name: "Contoso <b>", matrix: matrix)], incidents: [hostile], nowMs: now).render()
        #expect(html.contains("class=\"cell-stale\""))
        #expect(!html.contains("cell-healthy"))
        #expect(html.contains("Contoso &lt;b&gt;"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("style="))
        let page = IncidentPage(incident: hostile, charts: [], nowMs: now).render()
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!page.contains("<script"))
    }
}
