@testable import MailCanaryDetection
import Testing

@Suite("Failure-ratio baseline: what it learns from, and when")
struct FailureRatioBaselineTests {
    /// A baseline that has seen `minutes` minutes of 100 attempts failing `failed` times each, an
    /// hour of the week per 60 minutes from hour 0.
    static func learned(minutes: Int, failed: Int) -> FailureRatioBaseline {
        var baseline = FailureRatioBaseline()
        for minute in 0..<minutes {
            baseline.learn(attempts: 100, failed: failed, hourOfWeek: minute / 60, floor: 0.0005)
        }
        return baseline
    }

    @Test("an hour's minutes reach its hour-of-week bucket only once the hour is over")
    func hourLearnsAfterItEnds() {
        // Ten hours at 1 %, then twenty minutes at 4 % in hour 10 (a subtle fault's first minutes):
        // the hour's expectation stays near the global 1 % instead of following the fault (its own
        // twenty minutes against a prior of 2,000 attempts would make it 2.5 %).
        var baseline = Self.learned(minutes: 600, failed: 1)
        for _ in 0..<20 { baseline.learn(attempts: 100, failed: 4, hourOfWeek: 10, floor: 0.0005) }
        #expect(baseline.ratio(hourOfWeek: 10, floor: 0.0005) < 0.013)
        // The rest of the hour at 4 % and the next hour's first minute: now hour 10 knows its shape.
        for _ in 0..<40 { baseline.learn(attempts: 100, failed: 4, hourOfWeek: 10, floor: 0.0005) }
        baseline.learn(attempts: 100, failed: 1, hourOfWeek: 11, floor: 0.0005)
        #expect(baseline.ratio(hourOfWeek: 10, floor: 0.0005) > 0.025)
    }

    @Test("the expected ratio never goes below the last hour's, but that hour leaves out the latest quarter")
    func recentFloor() {
        // A global ratio learned at 0.5 %, then a busier spell at 1 % in a new hour of the week
        // (a young series whose first day was mostly quiet hours).
        var baseline = Self.learned(minutes: 600, failed: 0)
        for minute in 600..<1_200 { baseline.learn(attempts: 100, failed: minute % 2, hourOfWeek: minute / 60, floor: 0.0005) }
        let before = baseline.ratio(hourOfWeek: 30, floor: 0.0005)
        #expect(before < 0.006)
        var ratios: [Double] = []
        for _ in 0..<60 {
            baseline.learn(attempts: 100, failed: 1, hourOfWeek: 30, floor: 0.0005)
            ratios.append(baseline.ratio(hourOfWeek: 30, floor: 0.0005))
        }
        // The first quarter of an hour changes nothing (the guard band); by the hour's end the
        // recent minutes have moved the expectation most of the way to what the series does now.
        #expect(ratios[13] < before + 0.000_5)
        #expect(ratios[59] > 0.007)
    }
}
