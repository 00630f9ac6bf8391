import Foundation
import MailCanaryDetection
import Testing
@testable import MailCanaryWeb

@Suite("SeriesChart")
struct SeriesChartTests {
    func points(_ range: Range<Int>, failing: Range<Int>) -> [SeriesPoint] {
        range.map { minute in
            SeriesPoint(minute: minute, attempts: 100, failed: failing.contains(minute) ? 55 : 1, expected: 0.01,
                        latencyMs: 80, expectedLatencyMs: 75, alarmed: failing.contains(minute))
        }
    }

    @Test("observed and expected lines, the incident shaded, no inline style or script")
    func drawing() {
        let chart = SeriesChart(measure: .failureRatio, points: points(0..<600, failing: 400..<500), fromMinute: 0, toMinute: 600,
                                windows: [402..<520], title: "MAPI <over> HTTP")
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.hasSuffix("</svg>"))
        #expect(svg.contains("class=\"incident-window\""))
        #expect(svg.contains("class=\"observed\""))
        #expect(svg.contains("class=\"expected\""))
        #expect(svg.contains("MAPI &lt;over&gt; HTTP"))
        #expect(!svg.contains("style="))
        #expect(!svg.contains("<script"))
        // The y axis reaches the peak (55 %): its top label is 100 %.
        #expect(svg.contains(">100 %<"))
    }

    @Test("gaps break the line; a chart without points is still a valid empty chart")
    func gaps() {
        var kept = points(0..<100, failing: 0..<0)
        kept.removeSubrange(40..<60)
        let svg = SeriesChart(measure: .latency, points: kept, fromMinute: 0, toMinute: 100, windows: [], title: "t").svg()
        #expect(svg.components(separatedBy: "class=\"observed\"").count == 3)
        let empty = SeriesChart(measure: .failureRatio, points: [], fromMinute: 0, toMinute: 0, windows: [], title: "t").svg()
        #expect(empty.contains("</svg>"))
        #expect(!empty.contains("polyline"))
    }

    @Test("a probe every two minutes draws one line, not scattered dots")
    func sparse() {
        let everyOther = points(0..<300, failing: 200..<300).filter { $0.minute % 2 == 0 }
        let svg = SeriesChart(measure: .failureRatio, points: everyOther, fromMinute: 0, toMinute: 300, windows: [], title: "t").svg()
        #expect(svg.components(separatedBy: "class=\"observed\"").count == 2)
    }

    @Test("nice ceilings")
    func ceilings() {
        #expect(SeriesChart.niceCeiling(0.55) == 1)
        #expect(SeriesChart.niceCeiling(0.03) == 0.05)
        #expect(SeriesChart.niceCeiling(180) == 200)
        #expect(SeriesChart.niceCeiling(0) == 1)
    }
}
