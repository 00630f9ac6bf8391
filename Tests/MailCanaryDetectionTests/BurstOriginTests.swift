@testable import MailCanaryDetection
import Testing

@Suite("Burst origin: where a burst began, from the minutes before it")
struct BurstOriginTests {
    static func run(_ failures: [Int], attempts: Int = 1_000, baseline: Double = 0.005, from first: Int = 10,
                    elevated: Set<Int> = []) -> BurstOrigin {
        var run = BurstOrigin()
        for (offset, failed) in failures.enumerated() {
            // At the alternative's level (2.5 % here) when the minute is likelier there than at the baseline.
            run.note(BurstOrigin.Minute(minute: first + offset, attempts: attempts, failed: failed, baseline: baseline,
                                        atAlternative: BurstOrigin.favours(failed: failed, attempts: attempts, level: 0.025, over: baseline),
                                        elevated: elevated.contains(first + offset)))
        }
        return run
    }

    static func start(_ run: BurstOrigin, before minute: Int) -> Int? {
        run.leadIn(before: minute, alternative: 0.025, bar: 4.5, volume: 2)
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

    @Test("a minute at the alternative's level is the burst's own, not its lead-in")
    func burstLevel() {
        // A blip's first minute (30 in 1,000, at the alternative's level) after a minute of nine:
        // pooled they would be e^20, but the thirty belongs to the blip.
        #expect(Self.start(Self.run([4, 9, 30]), before: 13) == nil)
        // Minutes between the usual and the alternative are a ramp's lead-in.
        #expect(Self.start(Self.run([4, 9, 10, 11, 12]), before: 15) == 11)
    }

    @Test("it reaches back six minutes at most")
    func reach() {
        let run = Self.run(Array(repeating: 9, count: 10))
        #expect(Self.start(run, before: 20) == 14)
    }

    @Test("a burst's own elevated minutes count when they fail at its level, across a quiet minute")
    func ownMinutes() {
        let settings = DetectionSettings()
        // A subtle fault: elevated minutes of 40 and 35 in 1,000 (usual 5), a quiet 12, another
        // 40, then the 70 that stands alone: the burst began with the first 40.
        let subtle = Self.run([5, 40, 35, 12, 40], elevated: [11, 12, 14])
        #expect(subtle.start(at: 15, level: 0.07, alternative: 0.025, settings: settings) == 11)
        // A blip of 150 after a chance minute of 14 (elevated at the lower bar, far below the
        // blip's level): the blip began with itself.
        let blip = Self.run([5, 4, 6, 5, 14], elevated: [14])
        #expect(blip.start(at: 15, level: 0.15, alternative: 0.025, settings: settings) == 15)
        // Two quiet minutes end the run.
        let gap = Self.run([40, 5, 5, 5, 5], elevated: [10])
        #expect(gap.start(at: 15, level: 0.07, alternative: 0.025, settings: settings) == 15)
    }

    @Test("the level test: likelier at the burst's level than at the usual ratio")
    func favours() {
        #expect(BurstOrigin.favours(failed: 4, attempts: 100, level: 0.07, over: 0.01))
        #expect(!BurstOrigin.favours(failed: 5, attempts: 136, level: 0.196, over: 0.013))
        #expect(!BurstOrigin.favours(failed: 4, attempts: 100, level: 0.01, over: 0.01))
        #expect(!BurstOrigin.favours(failed: 0, attempts: 0, level: 0.5, over: 0.01))
        // A burst that failed every attempt: a minute failing every attempt is at its level, one
        // failing a third of them is not.
        #expect(BurstOrigin.favours(failed: 10, attempts: 10, level: 1, over: 0.01))
        #expect(!BurstOrigin.favours(failed: 10, attempts: 30, level: 1, over: 0.01))
    }

    @Test("a lead-in needs the volume for the alternative to show")
    func volume() {
        let run = Self.run([4, 10, 10, 10, 10])
        #expect(run.leadIn(before: 15, alternative: 0.025, bar: 4.5, volume: 100) == 11)
        #expect(run.leadIn(before: 15, alternative: 0.025, bar: 4.5, volume: 101) == nil)
    }
}
