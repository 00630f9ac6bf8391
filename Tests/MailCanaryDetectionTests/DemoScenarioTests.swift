import MailCanaryCore
import MailCanaryDetection
import Testing
@testable import MailCanaryIngest

@Suite("DemoScenario")
struct DemoScenarioTests {
    /// 2026-11-23 03:00 UTC, a Monday: the outage began at 01:40.
    static let nowMs = UTCTimestamp.parse("2026-11-23T03:00:00Z")!

    /// The demo's records from `hours` before now through the minute before now, through the engine.
    static func run(hours: Int64, historyMinutes: Int = 0) -> (engine: DetectionEngine, records: Int, problems: Int) {
        let scenario = DemoScenario(nowMs: nowMs)
        var settings = DetectionSettings()
        settings.historyMinutes = historyMinutes
        var engine = DetectionEngine(settings: settings)
        var reader = SignalBatchReader()
        reader.maximumAgeMs = .max / 4
        var records = 0, problems = 0
        let last = nowMs / 60_000 - 1
        for minute in (last + 1 - hours * 60)...last {
            let text = scenario.lines(minute: minute).joined(separator: "\n")
            let outcome = reader.read(Array(text.utf8), nowMs: nowMs)
            problems += outcome.badLines
            records += outcome.signals.count
            for signal in outcome.signals { _ = engine.ingest(signal) }
        }
        _ = engine.advance(to: nowMs)
        return (engine, records, problems)
    }

    @Test("the re-enactment is read without a bad line and found as one incident: scope, cause, workaround, advisory, lead")
    func oneIncident() async {
        let (engine, records, problems) = await OffPool.run { Self.run(hours: 30) }
        #expect(problems == 0)
        #expect(records > 40_000)
        #expect(engine.incidents.count == 1, "\(engine.incidents.map { "\($0.paths) \($0.regions) \(UTCTimestamp.format($0.openedMs))" })")
        let incident = try? #require(engine.incidents.first)
        #expect(incident?.isOpen == true)
        #expect(incident?.paths == [.mapiHTTP])
        #expect(incident?.regions == ["apac", "na"])
        #expect(incident?.cause == .serverSide)
        #expect(incident?.workaround?.client == .owa)
        #expect(incident?.advisories.map(\.id) == ["EX1189820"])
        let onset = UTCTimestamp.parse("2026-11-23T01:40:00Z")!
        #expect((incident?.openedMs ?? 0) - onset <= 4 * 60_000)
        #expect((incident?.advisories.first?.leadMinutes ?? 0) >= 30)
    }

    @Test("each minute is the same whenever it is generated (history and live feed are one stream)")
    func deterministic() {
        let a = DemoScenario(nowMs: Self.nowMs), b = DemoScenario(nowMs: Self.nowMs)
        let minute = Self.nowMs / 60_000 - 30
        #expect(a.lines(minute: minute) == b.lines(minute: minute))
        #expect(a.lines(minute: minute) != a.lines(minute: minute + 1))
    }

    @Test("with history kept, snapshots carry each series' minutes, state and last failure")
    func snapshots() async {
        let (engine, _, _) = await OffPool.run { Self.run(hours: 3, historyMinutes: 120) }
        let snapshots = engine.seriesSnapshots()
        let mapi = snapshots.first { $0.id == SeriesID(service: "contoso", path: .mapiHTTP, region: "apac", source: .probe) }
        #expect(mapi?.state == .failing)
        #expect(mapi?.lastFailureClass == .server)
        #expect(mapi?.lastFailedStep == .operation)
        #expect(mapi?.points.count == 90)   // probes every two minutes: 90 points in 3 h, under the bound of 120
        let owa = snapshots.first { $0.id == SeriesID(service: "contoso", path: .owa, region: "apac", source: .telemetry) }
        #expect(owa?.state == .healthy)
        #expect(owa?.points.count == 120)
        #expect(owa?.points.map(\.minute) == Array((Int(Self.nowMs / 60_000) - 120)..<Int(Self.nowMs / 60_000)))
        let without = Self.run(hours: 1).engine.seriesSnapshots()
        #expect(without.allSatisfy { $0.points.isEmpty })
    }

    @Test("the provider's issues as Graph serves them: nothing before the first post, then each issue's latest status with every post so far")
    func providerIssues() throws {
        let scenario = DemoScenario(nowMs: Self.nowMs)
        let onset = scenario.onsetMinute
        #expect(scenario.providerIssues(throughMinute: onset + 43).isEmpty)
        #expect(scenario.firstProviderPostMinute == onset + 45)
        let early = scenario.providerIssues(throughMinute: onset + 60).map { ServiceHealthIssueReader.read(json: $0) }
        #expect(early.map { $0?.id } == ["EX1189820", "EX1189768"])
        #expect(early.map { $0?.posts.count } == [1, 1])
        #expect(early.first??.posts.first?.createdMs == (onset + 45) * 60_000)
        let restored = try #require(ServiceHealthIssueReader.read(json: scenario.providerIssues(throughMinute: onset + 340)[0]))
        #expect(restored.status == .serviceRestored && restored.isResolved)
        #expect(restored.posts.count == 4 && restored.lastModifiedMs == (onset + 333) * 60_000)
        #expect(restored.endMs == scenario.endMinute * 60_000)
        let reviewed = try #require(ServiceHealthIssueReader.read(json: scenario.providerIssues(throughMinute: onset + 500)[0]))
        #expect(reviewed.status == .postIncidentReviewPublished && reviewed.posts.count == 5)
        // The scenario's records carry one post each, and never the review (not an event on the service).
        var withoutRecords = scenario
        withoutRecords.providerRecords = false
        let minute = onset + 44
        #expect(scenario.lines(minute: minute).filter { $0.contains("\"kind\":\"advisory\"") }.count == 1)
        #expect(withoutRecords.lines(minute: minute).allSatisfy { !$0.contains("\"kind\":\"advisory\"") })
        #expect((onset...(onset + 500)).allSatisfy { scenario.advisoryLines(minute: $0).allSatisfy { !$0.contains("PostIncidentReview") } })
    }
}
