import MailCanaryCore
@testable import MailCanaryDetection
@testable import MailCanaryIngest
import Testing

@Suite("Live intake: reorder buffer, reporters counted once, upload batches")
struct LiveIntakeTests {
    func report(_ minute: Int64, _ reporter: String, service: String = "contoso") -> Signal {
        .report(UserReport(timeMs: minute * 60_000 + 1_000, service: service, region: "na", client: .outlookClassic,
                           symptom: "cannot-connect", reporter: reporter))
    }

    @Test("signals come out in time order once the clock has passed them by the allowance")
    func reorder() {
        var buffer = SignalReorderBuffer(capacity: 4)
        buffer.add([report(5, "c"), report(1, "a"), report(9, "z")])
        buffer.add([report(3, "b")])
        let first = buffer.release(through: 4 * 60_000)
        #expect(first.map(\.timeMs) == [61_000, 181_000])
        #expect(buffer.count == 2)
        let none = buffer.release(through: 0)
        #expect(none.isEmpty)
        // Past the capacity the oldest go early rather than memory growing.
        buffer.add([report(20, "x"), report(21, "y"), report(22, "w")])
        let early = buffer.release(through: 0)
        #expect(early.map(\.timeMs) == [301_000])
        #expect(buffer.count == 4)
    }

    @Test("one person reporting ten times is one report; another person still counts")
    func reportersOnce() {
        var ledger = ReporterLedger()
        func admit(_ service: String, _ reporter: String, _ minute: Int) -> Bool {
            ledger.admit(service: service, reporter: reporter, minute: minute, windowMinutes: 120)
        }
        #expect(admit("contoso", "r1", 0))
        for minute in 1..<10 { #expect(!admit("contoso", "r1", minute)) }
        #expect(admit("contoso", "r2", 5))
        #expect(admit("fabrikam", "r1", 5))
        #expect(admit("contoso", "r1", 130))
    }

    @Test("a spammer's reports do not make a surge that distinct reporters would")
    func spamIsNotASurge() async {
        @Sendable func run(reporters: (Int, Int) -> String) -> Int {
            var engine = DetectionEngine()
            var events: [IncidentEvent] = []
            // Two quiet days with a report now and then, then forty reports a minute for twenty minutes.
            for minute in 0..<(2 * 1_440) where minute % 180 == 0 { events += engine.ingest(report(Int64(minute), "q\(minute)")) }
            for minute in (2 * 1_440)..<(2 * 1_440 + 20) {
                for index in 0..<40 { events += engine.ingest(report(Int64(minute), reporters(minute, index))) }
            }
            events += engine.advance(to: Int64(2 * 1_440 + 40) * 60_000)
            return engine.incidents.count
        }
        let distinct = await OffPool.run { run { minute, index in "u\(minute)-\(index)" } }
        let spam = await OffPool.run { run { _, _ in "the-same-person" } }
        #expect(distinct == 1)
        #expect(spam == 0)
    }

    @Test("an upload: good lines kept with their text, bad ones numbered, CRLF and blank lines allowed")
    func batch() {
        let text = "{\"time\":\"2025-11-25T09:12:31Z\",\"service\":\"contoso\",\"region\":\"eu\",\"client\":\"owa\",\"path\":\"owa\",\"outcome\":\"ok\"}\r\n"
            + "\n{\"kind\":\"scenario\",\"name\":\"n\",\"service\":\"contoso\",\"start\":\"2025-11-18T00:00:00Z\",\"end\":\"2025-11-25T18:00:00Z\"}\n"
            + "{\"time\":\"2025-11-25T09:12:40Z\",\"service\":\"other\",\"region\":\"eu\",\"client\":\"owa\",\"path\":\"owa\",\"outcome\":\"ok\"}\n"
            + "{\"time\":\"2025-11-25T09:12:50Z\",\"service\":\"contoso\",\"region\":\"eu\",\"client\":\"owa\",\"path\":\"owa\",\"outcome\":\"failed\",\"error\":\"HTTP 503\"}"
        let bytes = Array(text.utf8)
        var reader = SignalBatchReader(knownServices: ["contoso"])
        reader.maximumProblems = 1
        let outcome = reader.read(bytes, nowMs: UTCTimestamp.parse("2025-11-25T09:13:00Z")!)
        #expect(outcome.signals.count == 2 && outcome.badLines == 2)
        #expect(outcome.problems == [SignalBatchReader.Problem(line: 3, message: "a scenario header belongs in a file for mailcanary replay, not in an upload")])
        #expect(outcome.firstTimeMs == UTCTimestamp.parse("2025-11-25T09:12:31Z")! && outcome.lastTimeMs == UTCTimestamp.parse("2025-11-25T09:12:50Z")!)
        let kept = outcome.goodText(bytes)
        #expect(kept.split(separator: "\n").count == 2 && !kept.contains("\r") && kept.hasSuffix("}\n"))
        #expect(SignalBatchReader().read(bytes, nowMs: 0).problems.first?.message.contains("minutes ahead of the server's clock") == true)
        let old = SignalBatchReader().read(bytes, nowMs: UTCTimestamp.parse("2025-12-25T09:13:00Z")!)
        #expect(old.problems.first?.message == "time is 30 days in the past; uploads take the last 7 days")
    }

    @Test("a report written as a line reads back as the same report, text with quotes and newlines included")
    func reportLine() throws {
        let report = UserReport(timeMs: UTCTimestamp.parse("2025-11-25T09:30:00Z")!, service: "contoso", region: "na", client: .outlookClassic,
                                symptom: "cannot-connect", reporter: "r-1", text: "says \"disconnected\"\nsince 9:30 é")
        #expect(try SignalLineReader.read(report.ndjsonLine) == .signal(.report(report)))
    }

    @Test("a stray timestamp decades old does not make the engine walk every minute since")
    func strayTimestamp() {
        var engine = DetectionEngine()
        _ = engine.ingest(report(0, "ancient"))
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            _ = engine.ingest(report(29_000_000, "now"))
            _ = engine.advance(to: 29_000_100 * 60_000)
        }
        #expect(elapsed < .seconds(5))
    }
}
