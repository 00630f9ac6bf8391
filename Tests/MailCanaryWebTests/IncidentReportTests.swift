import Foundation
import MailCanaryCore
import MailCanaryDetection
import Testing
@testable import MailCanaryWeb

@Suite("IncidentReport")
struct IncidentReportTests {
    @Test("the report has every section, drawn from the incident's data")
    func sections() {
        var incident = WebFixtures.incident(WebFixtures.incidentJSON(resolvedAt: "2025-11-25T14:45:00Z"))
        incident.notes = [IncidentView.Note(atMs: UTCTimestamp.parse("2025-11-25T09:30:00Z")!, author: "alice", status: "serviceDegradation",
                                            text: "Told the help desk to advise Outlook on the web")]
        let markdown = IncidentReport(incident: incident, serviceName: "Contoso", tenant: "contoso.onmicrosoft.com", nowMs: WebFixtures.nowMs).markdown()
        for heading in ["## Executive Summary", "## Incident Details", "## Timeline", "## Impact Assessment", "## Indicators",
                        "## Response Actions", "## Lessons Learned", "## Recommendations"] {
            #expect(markdown.contains(heading), "missing \(heading)")
        }
        #expect(markdown.contains("43 min before the provider's first post (EX1189820)"))
        #expect(markdown.contains("| Provider acknowledgement | 2025-11-25 09:57 UTC (EX1189820) |"))
        #expect(markdown.contains("| Affected organisation | Contoso (contoso.onmicrosoft.com) |"))
        #expect(markdown.contains("Response (alice): Status set to Degraded service. Told the help desk"))
        #expect(markdown.contains("Client telemetry saw it first (09:14 UTC), then synthetic probes at 09:18 UTC and user reports at 09:24 UTC."))
        #expect(markdown.contains("the probes joined 4 min after client telemetry"))
        #expect(markdown.contains("Outlook on the web (in a browser) kept working and was the workaround."))
        let html = IncidentReport(incident: incident, serviceName: "Contoso", tenant: nil, nowMs: WebFixtures.nowMs).html()
        #expect(html.contains("<h2>Executive Summary</h2>"))
        #expect(!html.contains("style="))
    }

    @Test("without a workaround, advisory or probe, the report says so instead of guessing")
    func missingData() {
        let json = WebFixtures.incidentJSON(workaround: false)
            .replacingOccurrences(of: "\"leadOverAdvisoryMinutes\":43.0", with: "\"leadOverAdvisoryMinutes\":null")
            .replacingOccurrences(of: "{\"source\":\"probe\",\"path\":\"mapi-http\",\"region\":\"apac\",\"joinedAt\":\"2025-11-25T09:18:00Z\"},", with: "")
        var incident = WebFixtures.incident(json)
        incident.advisoryLinks = []
        let markdown = IncidentReport(incident: incident, serviceName: "Contoso", tenant: nil, nowMs: WebFixtures.nowMs).markdown()
        #expect(markdown.contains("No client worked around it"))
        #expect(markdown.contains("No provider advisory was linked"))
        #expect(markdown.contains("Add synthetic probes of MAPI over HTTP in Asia Pacific and North America"))
        #expect(markdown.contains("No operator action was recorded"))
    }
}
