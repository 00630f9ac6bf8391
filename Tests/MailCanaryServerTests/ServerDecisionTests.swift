import Foundation
import Logging
@testable import MailCanaryServer
import MailCanaryCore
@testable import MailCanaryDetection
import MailCanaryStorage
import Testing

@Suite("Server decisions: report rate limit, form bodies, incident ledger")
struct ServerDecisionTests {
    @Test("a sender gets a burst, then one report per refill period; other senders are not affected")
    func rateLimit() {
        var limiter = ReportRateLimiter(burst: 3, refillMs: 10_000)
        func admit(_ sender: String, _ nowMs: Int64) -> ReportRateLimiter.Decision { limiter.admit(sender, nowMs: nowMs) }
        for _ in 0..<3 { #expect(admit("10.0.0.1", 0) == .admit) }
        #expect(admit("10.0.0.1", 1_000) == .refuse(retryAfterSeconds: 9))
        #expect(admit("10.0.0.2", 1_000) == .admit)
        #expect(admit("10.0.0.1", 10_500) == .admit)
        #expect(admit("10.0.0.1", 10_600) == .refuse(retryAfterSeconds: 10))
        // Memory is bounded: past the bound, full (idle) buckets are forgotten.
        var small = ReportRateLimiter(burst: 1, refillMs: 1_000, maximumSenders: 10)
        for sender in 0..<50 { _ = small.admit("s\(sender)", nowMs: Int64(sender) * 5_000) }
        #expect(small.rememberedSenders <= 11)
        let again = small.admit("s0", nowMs: 250_000)
        #expect(again == .admit)
    }

    @Test("an agent's last-seen time is written at most once per period, per agent, and again after the clock went back")
    func agentSightings() {
        var sightings = AgentSightings(everyMs: 10_000)
        func write(_ agent: String, _ nowMs: Int64) -> Bool { sightings.shouldWrite(agent: agent, nowMs: nowMs) }
        #expect(write("apac-1", 100_000))
        #expect(!write("apac-1", 100_001))
        #expect(!write("apac-1", 109_999))
        #expect(write("emea-1", 105_000))
        #expect(write("apac-1", 110_000))
        #expect(!write("apac-1", 115_000))
        #expect(write("apac-1", 50_000))
    }

    @Test("form bodies: plus is a space, percent escapes are bytes, a broken escape stays")
    func formBodies() {
        let fields = FormBody.parse(Array("service=contoso&text=very+slow+%C3%A9%2B&bad=%zz%4&empty=&text=second".utf8))
        #expect(fields["service"] == "contoso")
        #expect(fields["text"] == "very slow é+")
        #expect(fields["bad"] == "%zz%4")
        #expect(fields["empty"] == "")
    }

    func incident(_ id: String, opened: Int64, resolved: Int64? = nil, fingerprint: String = "contoso") -> Incident {
        Incident(id: id, service: "contoso", fingerprint: fingerprint, openedMs: opened, firstAnomalyMs: opened - 120_000, resolvedMs: resolved,
                 status: resolved == nil ? .serviceDegradation : .serviceRestored, scope: [ScopeCell(path: .mapiHTTP, region: "apac")],
                 cause: .serverSide, layer: "operation")
    }

    @Test("after a restart two concurrent incidents of one service each continue their own stored one, by fingerprint")
    func ledgerConcurrent() throws {
        func stored(_ id: String, _ fingerprint: String, opened: Int64) -> IncidentRecord {
            IncidentRecord(id: id, fingerprint: fingerprint, service: "contoso", status: "serviceDegradation",
                           openedMs: opened, resolvedMs: nil, updatedMs: opened, body: #"{"timeline":[]}"#)
        }
        var ledger = IncidentLedger()
        ledger.adopt([stored("contoso-20251007-0804", "contoso", opened: 1_000_000),
                      stored("contoso-20251007-0811-apac", "contoso|apac", opened: 1_100_000)])
        // The replayed window began after both opened: the engine's copies have later openings and other ids.
        let second = ledger.record(for: incident("ENGINE-2", opened: 1_700_000, fingerprint: "contoso|apac"), nowMs: 2_000_000)
        let first = ledger.record(for: incident("ENGINE-1", opened: 1_600_000), nowMs: 2_000_000)
        #expect(first.id == "contoso-20251007-0804" && first.openedMs == 1_000_000)
        #expect(second.id == "contoso-20251007-0811-apac" && second.openedMs == 1_100_000)
        #expect(ledger.staleOpen([incident("ENGINE-1", opened: 1_600_000),
                                  incident("ENGINE-2", opened: 1_700_000, fingerprint: "contoso|apac")]).isEmpty)
    }

    @Test("after a restart the re-derived incident continues the stored open one; a stale one is resolved")
    func ledger() throws {
        let stored = IncidentRecord(id: "INC-A", fingerprint: "contoso", service: "contoso", status: "serviceDegradation",
                                    openedMs: 1_000_000, resolvedMs: nil, updatedMs: 1_000_000, body: #"{"id":"INC-A","timeline":[]}"#)
        var ledger = IncidentLedger()
        ledger.adopt([stored])
        // The engine's copy opened later (its window began mid-incident): it takes the stored id and opening.
        let record = ledger.record(for: incident("INC-B", opened: 1_600_000), nowMs: 2_000_000)
        #expect(record.id == "INC-A" && record.openedMs == 1_000_000 && record.isOpen)
        #expect(record.body.contains(#""id":"INC-A""#))
        #expect(ledger.storedID("INC-B") == "INC-A")
        #expect(ledger.staleOpen([incident("INC-B", opened: 1_600_000)]).isEmpty)
        // Nothing open any more in the replayed window: the stored one is stale and gets resolved.
        var fresh = IncidentLedger()
        fresh.adopt([stored])
        let stale = fresh.staleOpen([])
        #expect(stale.map(\.id) == ["INC-A"])
        let resolved = fresh.resolvedAfterRestart(stale[0], nowMs: 3_000_000)
        #expect(resolved.resolvedMs == 3_000_000 && resolved.status == "serviceRestored")
        #expect(resolved.body.contains("Resolved at restart") && resolved.body.contains(#""status":"serviceRestored""#))
        // One record per minute for open incidents.
        let minutes = [60_000, 90_000, 120_000].map { fresh.noteMinute($0) }
        #expect(minutes == [true, false, true])
    }
}

@Suite("Detection service: reading the store")
struct DetectionFeedReadingTests {
    @Test("a read that stops at its page limit with rows left says detection is behind; the next read catches up")
    func behind() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-feed-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        try await store.migrate()
        let now: Int64 = 1_764_000_000_000
        // Ten uploads of one report each; a page takes eight uploads.
        for index in 0..<10 {
            let time = now - 60_000 + Int64(index)
            let line = #"{"kind":"report","t":"\#(UTCTimestamp.format(time))","service":"contoso","region":"na","client":"owa","symptom":"slow","reporter":"u-\#(index)"}"#
            _ = try await store.appendSignals(SignalBatch(source: "reports", idempotencyKey: "k\(index)", receivedAtMs: time,
                                                          firstTimeMs: time, lastTimeMs: time, lines: 1, body: line + "\n"))
        }
        let detection = DetectionService(store: store, clock: { now }, logger: Logger(label: "test"))
        var cursor = FeedCursor()
        let first = await detection.readFeed(&cursor, fromMs: now - 3_600_000, nowMs: now, pages: 1)
        #expect(first.signals.count == 8 && first.behind)
        let second = await detection.readFeed(&cursor, fromMs: now - 3_600_000, nowMs: now, pages: 1)
        #expect(second.signals.count == 2 && !second.behind)
    }
}
