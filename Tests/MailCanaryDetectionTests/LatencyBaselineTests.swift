@testable import MailCanaryDetection
import Testing

@Suite("Latency baseline")
struct LatencyBaselineTests {
    @Test("median and MAD by selection equal the sorted ones, odd and even counts, with ties")
    func medianBySelection() {
        var generator = SystemRandomNumberGenerator()
        for count in [1, 2, 3, 4, 5, 30, 31, 119, 120] {
            for _ in 0..<50 {
                let values = (0..<count).map { _ in Double(Int.random(in: 0...40, using: &generator)) * 2.5 }
                func middle(_ sorted: [Double]) -> Double {
                    sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
                }
                let median = middle(values.sorted())
                let mad = middle(values.map { abs($0 - median) }.sorted())
                let selected = values.withUnsafeBufferPointer { LatencyBaseline.medianAndMAD($0) }
                #expect(selected.median == median && selected.mad == mad, "\(values)")
            }
        }
    }
}
