import Foundation
import MailCanaryAdvisories
import MailCanaryCore
import MailCanaryTesting
import Testing

@Suite("Graph pages: issues, health, messages; PascalCase, camelCase and unknown values")
struct GraphPageReaderTests {
    static func page(_ elements: [String], next: String? = nil) -> [UInt8] {
        var text = #"{"@odata.context":"x","value":["#
        text += elements.joined(separator: ",")
        text += "]"
        if let next { text += #","@odata.nextLink":""# + next + "\"" }
        return Array((text + "}").utf8)
    }

    @Test("the documentation's example issue decodes, with the status as sent kept beside the parsed one")
    func documentationExample() throws {
        let page = try GraphPageReader.issues(Self.page([ServiceCommunicationsFeed.fixtureIssues[0]], next: "https://graph.microsoft.com/v1.0/admin/serviceAnnouncement/issues?$skip=100"))
        let polled = try #require(page.elements.first)
        #expect(polled.issue.id == "EX226792")
        #expect(polled.issue.status == .serviceRestored && polled.rawStatus == "ServiceRestored")
        #expect(polled.issue.classification == .incident && polled.rawClassification == "Incident")
        #expect(polled.issue.isResolved && polled.issue.posts.count == 1)
        #expect(polled.issue.feature == "Mailflow - delayed delivery from Internet")
        #expect(page.nextLink == "https://graph.microsoft.com/v1.0/admin/serviceAnnouncement/issues?$skip=100")
    }

    @Test("camelCase as documented, and values the enum does not know, are kept, not rejected")
    func enumValues() throws {
        let camel = ServiceCommunicationsFeed.november2025(id: "EX1", status: "serviceDegradation", modified: "2025-11-25T10:00:00Z", posts: 1)
        let unknown = ServiceCommunicationsFeed.november2025(id: "EX2", status: "SomethingNewer", modified: "2025-11-25T10:00:00Z", posts: 1)
            .replacingOccurrences(of: #""classification":"Incident""#, with: #""classification":"Outage""#)
        let page = try GraphPageReader.issues(Self.page([camel, unknown]))
        #expect(page.elements.map(\.issue.status) == [.serviceDegradation, .unknownFutureValue])
        #expect(page.elements[1].rawStatus == "SomethingNewer" && page.elements[1].issue.classification == .unknownFutureValue)
        #expect(page.skipped.isEmpty)
    }

    @Test("a bad element is skipped with its reason; a page that is not a collection is an error")
    func malformed() throws {
        let page = try GraphPageReader.issues(Self.page([#"{"title":"no id","service":"Exchange Online"}"#, ServiceCommunicationsFeed.fixtureIssues[1]]))
        #expect(page.elements.map(\.issue.id) == ["EX1189820"])
        #expect(page.skipped.count == 1 && page.skipped[0].contains("value[0]") && page.skipped[0].contains("id"))
        #expect(throws: GraphPageReader.Malformed.self) { try GraphPageReader.issues(Array(#"{"value":[{"id":"#.utf8)) }
        #expect(throws: GraphPageReader.Malformed.self) { try GraphPageReader.issues(Array(#"{"error":{"code":"x"}}"#.utf8)) }
    }

    @Test("health overviews and planned changes from the message center")
    func healthAndMessages() throws {
        let health = try GraphPageReader.health(Self.page(ServiceCommunicationsFeed.fixtureHealth))
        #expect(health.elements.map(\.service) == ["Exchange Online", "Microsoft 365 suite"])
        #expect(health.elements[0].status == .serviceDegradation)
        let messages = try GraphPageReader.messages(Self.page(ServiceCommunicationsFeed.fixtureMessages))
        #expect(messages.elements.filter(\.isPlanForChange).map(\.id) == ["MC900001"])
        #expect(messages.elements[0].startMs == UTCTimestamp.parse("2025-11-28T22:00:00Z"))
    }

    @Test("the ledger passes on a version once: a new status or post is new, the same content is not")
    func ledger() throws {
        var ledger = AdvisoryLedger()
        let first = try GraphPageReader.issues(Self.page(ServiceCommunicationsFeed.fixtureIssues)).elements
        #expect(ledger.newVersions(first).count == 3)
        #expect(ledger.newVersions(first).isEmpty)
        let changed = try GraphPageReader.issues(Self.page([ServiceCommunicationsFeed.november2025(id: "EX1189820", status: "ServiceDegradation", modified: "2025-11-25T11:31:00Z", posts: 2)])).elements
        #expect(ledger.newVersions(changed).map(\.issue.id) == ["EX1189820"])
    }

    static func until(_ result: Result<Void, RequestBudget.Exhausted>) -> Int64? {
        if case .failure(let exhausted) = result { return exhausted.untilMs }
        return nil
    }

    @Test("the request budget holds per minute and per hour, and says when the next request fits")
    func budget() {
        var budget = RequestBudget(perMinute: 2, perHour: 3)
        #expect((try? budget.take(nowMs: 0).get()) != nil)
        #expect((try? budget.take(nowMs: 1_000).get()) != nil)
        #expect(Self.until(budget.take(nowMs: 2_000)) == 60_000)
        #expect((try? budget.take(nowMs: 60_000).get()) != nil)
        #expect(Self.until(budget.take(nowMs: 130_000)) == 3_600_000)
        #expect((try? budget.take(nowMs: 3_600_001).get()) != nil)
    }
}
