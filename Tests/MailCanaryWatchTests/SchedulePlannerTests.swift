import MailCanaryWatch
import Testing

@Suite("Schedule planner")
struct SchedulePlannerTests {
    static let start: Int64 = 1_764_000_000_000

    @Test("runs stay on the planned grid for hours: no drift however late each run started")
    func noDrift() {
        var planner = SchedulePlanner(probes: [(probeID: "lab/imap", region: "local", interval: .seconds(60))], jitter: 0.5, nowMs: Self.start)
        var planned: [Int64] = []
        var now = Self.start
        for _ in 0..<(6 * 60) {
            guard let next = planner.nextDueMs else { break }
            now = next + 700 // every run starts 700 ms late and the clock is read after it
            for run in planner.due(nowMs: now) {
                planned.append(run.plannedAtMs)
                planner.finished(run)
            }
        }
        #expect(planned.count == 360)
        let phase = planned[0] - (planned[0] / 60_000) * 60_000
        #expect(planned.allSatisfy { ($0 - phase) % 60_000 == 0 })
        #expect(zip(planned, planned.dropFirst()).allSatisfy { $1 - $0 == 60_000 })
        #expect(phase < 30_000) // jitter 0.5 of 60 s
    }

    @Test("the phase is stable per probe (every replica plans the same times) and spread across probes")
    func stableSpread() {
        let probes = (0..<1_000).map { (probeID: "svc/p\($0)", region: "local", interval: Duration.seconds(60)) }
        let a = SchedulePlanner(probes: probes, jitter: 1, nowMs: Self.start)
        var b = SchedulePlanner(probes: probes, jitter: 1, nowMs: Self.start)
        var copy = a
        let runsA = copy.due(nowMs: Self.start + 60_000).map(\.plannedAtMs).sorted()
        let runsB = b.due(nowMs: Self.start + 60_000).map(\.plannedAtMs).sorted()
        #expect(runsA == runsB)
        #expect(runsA.count == 1_000)
        // Spread: no ten-second window of the minute holds more than a quarter of the probes.
        var windows = [Int](repeating: 0, count: 6)
        for time in runsA { windows[Int((time - Self.start) / 10_000) % 6] += 1 }
        #expect(windows.allSatisfy { $0 < 250 })
    }

    @Test("a probe still running is not started again; the skip is counted")
    func noOverlap() {
        var planner = SchedulePlanner(probes: [(probeID: "hang/imap", region: "apac", interval: .seconds(10))], jitter: 0, nowMs: Self.start)
        let first = planner.due(nowMs: Self.start)
        #expect(first.count == 1)
        #expect(planner.due(nowMs: Self.start + 10_000).isEmpty)
        #expect(planner.skippedOverlaps == 1)
        planner.finished(first[0])
        #expect(planner.due(nowMs: Self.start + 20_000).map(\.plannedAtMs) == [Self.start + 20_000])
    }

    @Test("after a stall the missed runs are skipped, not replayed in a burst")
    func stall() {
        var planner = SchedulePlanner(probes: [(probeID: "lab/pop3", region: "local", interval: .seconds(60))], jitter: 0, nowMs: Self.start)
        for run in planner.due(nowMs: Self.start) { planner.finished(run) }
        let late = planner.due(nowMs: Self.start + 10 * 60_000 + 5)
        #expect(late.count == 1)
        #expect(planner.skippedBehind == 9)
        #expect(planner.nextDueMs == Self.start + 11 * 60_000)
    }
}
