import Foundation
@testable import MailCanaryDetection
import Testing

@Suite("Latency baseline")
struct LatencyBaselineTests {
    static func middle(_ sorted: [Double]) -> Double {
        sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    @Test("median and MAD read from the sorted window equal the sorted ones, odd and even counts, with ties")
    func medianFromSorted() {
        var generator = SystemRandomNumberGenerator()
        for count in [1, 2, 3, 4, 5, 30, 31, 119, 120] {
            for _ in 0..<50 {
                let values = (0..<count).map { _ in Double(Int.random(in: 0...40, using: &generator)) * 2.5 }
                let median = Self.middle(values.sorted())
                let mad = Self.middle(values.map { abs($0 - median) }.sorted())
                let read = values.sorted().withUnsafeBufferPointer { LatencyBaseline.medianAndMAD(sorted: $0) }
                #expect(read.median == median && read.mad == mad, "\(values)")
            }
        }
    }

    @Test("rank evidence for a slowdown: a value above the whole window counts for it, a usual one against it")
    func scaleEvidence() {
        var baseline = LatencyBaseline()
        for value in 1...100 { baseline.learn(Double(value)) }
        // Above all 100: as usual once in 101; twice as slow, whenever the usual value was above 50.
        #expect(abs(baseline.scaleEvidence(150, factor: 2) - log(0.5 * 101)) < 1e-9)
        // The cuts are the 11th, 21st, … 91st values. In (21, 31]: a tenth as usual; twice as
        // slow, when the usual value was in (10.5, 15.5].
        #expect(abs(baseline.scaleEvidence(25, factor: 2) - log(0.05 / 0.1)) < 1e-9)
        // In (-∞, 11]: 11 in 100 as usual; twice as slow, when the usual value was at most 5.5.
        #expect(abs(baseline.scaleEvidence(3, factor: 2) - log(0.05 / 0.11)) < 1e-9)
        // Twenty times slower never lands there: the chance is taken as half a value in 101.
        #expect(abs(baseline.scaleEvidence(3, factor: 20) - log((0.5 / 101) / 0.11)) < 1e-9)
        #expect(LatencyBaseline().scaleEvidence(3, factor: 2) == 0)
    }

    @Test("while the window slides, each recompute gives the median and MAD of the last 120 values")
    func slidingWindow() {
        var generator = SystemRandomNumberGenerator()
        var baseline = LatencyBaseline()
        var learned: [Double] = []
        for index in 0..<1_000 {
            let value = Double(Int.random(in: 50...90, using: &generator)) + (index % 7 == 0 ? 0.5 : 0)
            baseline.learn(value)
            learned.append(value)
            // Recomputed at 30 values, then every 20 (50, 70, …).
            guard learned.count >= 30, (learned.count - 30) % 20 == 0 else { continue }
            let window = Array(learned.suffix(120))
            let median = Self.middle(window.sorted())
            #expect(baseline.median == median)
            #expect(baseline.mad == Self.middle(window.map { abs($0 - median) }.sorted()))
        }
        #expect(baseline.isReady)
    }
}
