import Foundation
import MailCanaryCore
import MailCanaryDetection
import Testing
@testable import MailCanaryWeb

@Suite("StatusPage")
struct StatusPageTests {
    let now = WebFixtures.nowMs
    var minute: Int { Int(now / 60_000) }

    func services(open: [IncidentView]) -> [StatusPage.Service] {
        let snapshots = [AccessPath.mapiHTTP, .owa, .activesync, .imap].flatMap { path in
            ["apac", "na", "eu"].map { WebFixtures.snapshot(path: path, region: $0, source: .telemetry, lastMinute: minute - 1) }
        }
        let matrix = HealthMatrix.build(service: "contoso", configuredPaths: [], configuredRegions: ["apac", "na", "eu"],
                                        snapshots: snapshots, openIncidents: open, nowMs: now)
        return [StatusPage.Service(id: "contoso", name: "Contoso", matrix: matrix)]
    }

    @Test("client experiences: disrupted where an incident is open, with the workaround in plain words")
    func experiences() {
        let incident = WebFixtures.incident()
        let page = StatusPage(services: services(open: [incident]), incidents: [incident], reportRegions: ["apac"], nowMs: now)
        let states = page.experiences(of: page.services[0])
        #expect(states.map(\.experience.name) == ["Outlook for Windows", "Outlook on the web", "Mobile", "IMAP/SMTP clients"])
        #expect(states[0].state == .disrupted(regions: ["apac", "na"]))
        #expect(states[1...].allSatisfy { $0.state == .operational })
        let html = page.render()
        #expect(html.contains("Disrupted in Asia Pacific and North America"))
        #expect(html.contains("Use Outlook on the web (in a browser) until this is fixed."))
        #expect(html.contains("action=\"/api/v1/reports\""))
        #expect(html.contains("href=\"/status/feed.atom\""))
    }

    @Test("the status page and the feed show nothing internal: no hosts, error texts, users or path ids (canary)")
    func noInternalStrings() {
        let open = WebFixtures.incident()
        let past = WebFixtures.incident(WebFixtures.incidentJSON(id: "contoso-20251120-0300", resolvedAt: "2025-11-20T04:00:00Z"))
        let page = StatusPage(services: services(open: [open]), incidents: [open, past], reportRegions: ["apac"], nowMs: now).render()
        let feed = AtomFeed(incidents: [open, past], serviceNames: ["contoso": "Contoso"], nowMs: now).render()
        for text in [page, feed] {
            #expect(!text.contains(WebFixtures.canary))
            #expect(!text.contains("mapi-http"))
            #expect(!text.contains("MAPI Connect"))
        }
    }

    @Test("with no recent data the page says so instead of operational")
    func noData() {
        let snapshots = [WebFixtures.snapshot(path: .owa, region: "eu", source: .telemetry, lastMinute: minute - 120)]
        let matrix = HealthMatrix.build(service: "contoso", configuredPaths: [.imap], configuredRegions: ["eu"], snapshots: snapshots,
                                        openIncidents: [], nowMs: now)
        let page = StatusPage(services: [.init(id: "contoso", name: "Contoso", matrix: matrix)], incidents: [], reportRegions: [], nowMs: now)
        let html = page.render()
        #expect(html.contains("We have no recent data for Contoso."))
        #expect(!html.contains(">Operational<"))
    }

    @Test("the Atom feed is well-formed and has one entry per incident, newest change first")
    func feed() throws {
        let open = WebFixtures.incident()
        let past = WebFixtures.incident(WebFixtures.incidentJSON(id: "contoso-20251120-0300", resolvedAt: "2025-11-20T04:00:00Z")
            .replacingOccurrences(of: "2025-11-25T09", with: "2025-11-20T03"))
        let xml = AtomFeed(incidents: [past, open], serviceNames: ["contoso": "Contoso & Co"], nowMs: now).render()
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"utf-8\"?>"))
        #expect(xml.components(separatedBy: "<entry>").count == 3)
        #expect(xml.contains("<id>urn:mailcanary:incident:contoso-20251125-0914</id>"))
        #expect(xml.contains("Contoso &amp; Co"))
        #expect(xml.range(of: "contoso-20251125-0914")!.lowerBound < xml.range(of: "contoso-20251120-0300")!.lowerBound)
        #expect(xml.contains("<title>Resolved: Contoso &amp; Co: Outlook for Windows may be unable to connect in Asia Pacific and North America</title>"))
        // Every opened element is closed: a crude but strict balance check of the tags.
        var depth = 0
        var index = xml.startIndex
        while let open = xml[index...].firstIndex(of: "<") {
            let close = try #require(xml[open...].firstIndex(of: ">"))
            let tag = xml[open...close]
            if tag.hasPrefix("</") { depth -= 1 } else if !tag.hasPrefix("<?") && !tag.hasSuffix("/>") { depth += 1 }
            #expect(depth >= 0)
            index = xml.index(after: close)
        }
        #expect(depth == 0)
    }
}
