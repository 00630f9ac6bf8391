import MailCanaryDetection

/// A series' recent minutes as an SVG drawn by the server: the observed line against what the
/// baseline expected (dashed), incident windows shaded. No script, no inline style: colours are
/// classes of the stylesheet, so the page's Content-Security-Policy holds.
public struct SeriesChart: Sendable {
    public enum Measure: Sendable {
        case failureRatio, latency
    }

    public var measure: Measure
    public var points: [SeriesPoint]
    /// Minutes (since 1970) drawn: [from, to).
    public var fromMinute: Int
    public var toMinute: Int
    /// Incident windows, in minutes.
    public var windows: [Range<Int>]
    public var title: String
    public var width = 720
    public var height = 200

    public init(measure: Measure, points: [SeriesPoint], fromMinute: Int, toMinute: Int, windows: [Range<Int>], title: String) {
        self.measure = measure
        self.points = points
        self.fromMinute = fromMinute
        self.toMinute = max(toMinute, fromMinute + 1)
        self.windows = windows
        self.title = title
    }

    /// One drawn column: the minutes that fall on it, merged.
    struct Column {
        var attempts = 0
        var failed = 0
        var expectedSum = 0.0
        var expectedCount = 0
        var latencySum = 0.0
        var latencyCount = 0
        var expectedLatencySum = 0.0
        var expectedLatencyCount = 0

        var observed: (Measure) -> Double? {
            { measure in
                switch measure {
                case .failureRatio: attempts > 0 ? Double(failed) / Double(attempts) : nil
                case .latency: latencyCount > 0 ? latencySum / Double(latencyCount) : nil
                }
            }
        }
        func expected(_ measure: Measure) -> Double? {
            switch measure {
            case .failureRatio: expectedCount > 0 ? expectedSum / Double(expectedCount) : nil
            case .latency: expectedLatencyCount > 0 ? expectedLatencySum / Double(expectedLatencyCount) : nil
            }
        }
    }

    static let left = 56.0, right = 8.0, top = 24.0, bottom = 28.0

    public func svg() -> String {
        let plotWidth = Double(width) - Self.left - Self.right
        let plotHeight = Double(height) - Self.top - Self.bottom
        let span = toMinute - fromMinute
        let columnCount = max(1, min(span, Int(plotWidth / 2)))
        var columns = [Column](repeating: Column(), count: columnCount)
        for point in points where point.minute >= fromMinute && point.minute < toMinute {
            let index = min(columnCount - 1, (point.minute - fromMinute) * columnCount / span)
            columns[index].attempts += point.attempts
            columns[index].failed += point.failed
            columns[index].expectedSum += point.expected
            columns[index].expectedCount += 1
            if let latency = point.latencyMs { columns[index].latencySum += latency; columns[index].latencyCount += 1 }
            if let expected = point.expectedLatencyMs { columns[index].expectedLatencySum += expected; columns[index].expectedLatencyCount += 1 }
        }
        let observed = columns.map { $0.observed(measure) }
        let expected = columns.map { $0.expected(measure) }
        let peak = (observed.compactMap { $0 } + expected.compactMap { $0 }.map { $0 * 2 }).max() ?? 0
        let yMax = Self.niceCeiling(max(peak, measure == .failureRatio ? 0.02 : 10))
        func x(_ column: Int) -> Double { Self.left + (Double(column) + 0.5) * plotWidth / Double(columnCount) }
        func xMinute(_ minute: Int) -> Double { Self.left + Double(minute - fromMinute) * plotWidth / Double(span) }
        func y(_ value: Double) -> Double { Self.top + plotHeight * (1 - min(value, yMax) / yMax) }

        var svg = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        svg += "<title>\(HTML.escape(title))</title>"
        svg += "<rect class=\"plot\" x=\"\(f(Self.left))\" y=\"\(f(Self.top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\"/>"
        for window in windows {
            let from = max(window.lowerBound, fromMinute), to = min(window.upperBound, toMinute)
            guard from < to else { continue }
            svg += "<rect class=\"incident-window\" x=\"\(f(xMinute(from)))\" y=\"\(f(Self.top))\" width=\"\(f(max(1, xMinute(to) - xMinute(from))))\" height=\"\(f(plotHeight))\"><title>incident</title></rect>"
        }
        for fraction in [0.5, 1.0] {
            let value = yMax * fraction
            svg += "<line class=\"grid\" x1=\"\(f(Self.left))\" x2=\"\(f(Self.left + plotWidth))\" y1=\"\(f(y(value)))\" y2=\"\(f(y(value)))\"/>"
            svg += "<text class=\"axis\" x=\"\(f(Self.left - 4))\" y=\"\(f(y(value) + 4))\" text-anchor=\"end\">\(label(value))</text>"
        }
        svg += "<text class=\"axis\" x=\"\(f(Self.left - 4))\" y=\"\(f(Self.top + plotHeight + 4))\" text-anchor=\"end\">0</text>"
        svg += "<text class=\"axis\" x=\"\(f(Self.left))\" y=\"\(height - 8)\">\(WebTime.minute(Int64(fromMinute) * 60_000))</text>"
        svg += "<text class=\"axis\" x=\"\(f(Self.left + plotWidth))\" y=\"\(height - 8)\" text-anchor=\"end\">\(WebTime.minute(Int64(toMinute) * 60_000))</text>"
        svg += "<text class=\"chart-title\" x=\"\(f(Self.left))\" y=\"16\">\(HTML.escape(title))</text>"
        svg += polyline(expected, x: x, y: y, cssClass: "expected")
        svg += polyline(observed, x: x, y: y, cssClass: "observed")
        svg += "</svg>"
        return svg
    }

    /// Lines broken where no value was seen for more than ten minutes (a probe every two minutes
    /// leaves empty columns between its points; a series that went quiet leaves a gap).
    private func polyline(_ values: [Double?], x: (Int) -> Double, y: (Double) -> Double, cssClass: String) -> String {
        let minutesPerColumn = Double(toMinute - fromMinute) / Double(max(values.count, 1))
        let maxGap = max(1, Int((10 / minutesPerColumn).rounded(.up)))
        var out = ""
        var run: [String] = []
        var last: Int?
        func flush() {
            if run.count == 1 { run.append(run[0]) }
            if !run.isEmpty { out += "<polyline class=\"\(cssClass)\" points=\"\(run.joined(separator: " "))\"/>" }
            run.removeAll()
        }
        for (column, value) in values.enumerated() {
            guard let value else { continue }
            if let last, column - last > maxGap { flush() }
            run.append("\(f(x(column))),\(f(y(value)))")
            last = column
        }
        flush()
        return out
    }

    private func label(_ value: Double) -> String {
        switch measure {
        case .failureRatio: value >= 0.1 ? "\(Int((value * 100).rounded())) %" : "\(f(value * 100)) %"
        case .latency: "\(Int(value.rounded())) ms"
        }
    }

    private func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// 1, 2 or 5 times a power of ten, at or above the value.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        var power = 1.0
        while power * 10 <= value { power *= 10 }
        while power > value { power /= 10 }
        for step in [1.0, 2.0, 5.0, 10.0] where step * power >= value { return step * power }
        return 10 * power
    }
}
