import MailCanaryCore

/// A log format's parser and the minute aggregator together, with counts of what was read.
public struct MailLogReader {
    public private(set) var parser: any MailLogParser
    public private(set) var aggregator: LogAggregator
    public private(set) var lines = 0
    public private(set) var events = 0
    public private(set) var ignored = 0
    public private(set) var unknown = 0
    /// A few unknown lines, for the summary (never more than five).
    public private(set) var unknownSamples: [String] = []

    public init(format: MailLogFormat, service: String, region: String) {
        parser = format.makeParser()
        aggregator = LogAggregator(service: service, region: region)
    }

    /// Reads one line; returns the minutes it completed.
    public mutating func read(_ line: Substring, referenceMs: Int64) -> [ClientCounts] {
        lines += 1
        switch parser.parse(line, referenceMs: referenceMs) {
        case .event(let event):
            events += 1
            return aggregator.add(event)
        case .ignored:
            ignored += 1
        case .unknown:
            unknown += 1
            if unknownSamples.count < 5, !line.isEmpty { unknownSamples.append(String(line.prefix(200))) }
        }
        return []
    }

    public mutating func flush() -> [ClientCounts] {
        aggregator.flush()
    }

    public var summary: String {
        "\(lines) lines: \(events) client outcomes, \(ignored) other lines of the server, \(unknown) unknown"
    }
}
