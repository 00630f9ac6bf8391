@testable import MailCanaryDetection
import Testing

@Suite("Rising run: the minutes before a burst that together fail more than usual")
struct RisingRunTests {
    static func run(_ failures: [Int], attempts: Int = 1_000, baseline: Double = 0.005, from first: Int = 10) -> RisingRun {
        var run = RisingRun()
        for (offset, failed) in failures.enumerated() {
            run.note(RisingRun.Minute(minute: first + offset, attempts: attempts, failed: failed, baseline: baseline))
        }
        return run
    }

    static func start(_ run: RisingRun, before minute: Int) -> Int? {
        run.start(before: minute, alternative: 0.025, bar: 4.5, volume: 2)
    }

    @Test("minutes at twice the usual ratio, together unusual, reach back to the first of them")
    func pooled() {
        // Five expected a minute; four minutes of ten are e^1.6 each, e^6.4 together.
        #expect(Self.start(Self.run([4, 10, 10, 10, 10]), before: 15) == 11)
        // Two of them are not enough.
        #expect(Self.start(Self.run([4, 5, 5, 10, 10]), before: 15) == nil)
    }

    @Test("a minute at or below its baseline, or a minute without data, ends the run")
    func breaks() {
        // The run stops at the five: the three tens after it are e^4.8 by themselves.
        #expect(Self.start(Self.run([10, 10, 5, 10, 10, 10]), before: 16) == 13)
        #expect(Self.start(Self.run([10, 10, 10, 10, 10, 5]), before: 16) == nil)
        // The run must end just before the burst: a minute missing in between breaks it.
        #expect(Self.start(Self.run([10, 10, 10, 10]), before: 15) == nil)
        #expect(Self.start(Self.run([10, 10, 10, 10]), before: 14) == 10)
    }

    @Test("it reaches back six minutes at most")
    func reach() {
        let run = Self.run(Array(repeating: 9, count: 10))
        #expect(Self.start(run, before: 20) == 14)
    }

    @Test("at night the volume must be there for the alternative to show")
    func volume() {
        // Ten attempts a minute, one failure each: far above a usual 0.5 % (e^12 over six minutes),
        // but sixty attempts at the alternative's 2.5 % are 1.5 failures' worth, short of two.
        let night = Self.run([1, 1, 1, 1, 1, 1], attempts: 10)
        #expect(Self.start(night, before: 16) == nil)
        #expect(night.start(before: 16, alternative: 0.025, bar: 4.5, volume: 1) == 10)
    }
}
