import MailCanaryCore
import MailCanaryDetection

/// Runs a recorded scenario through the ingest reader and the detection engine with the
/// scenario's own timestamps as the clock, as fast as the machine allows.
public struct ScenarioReplayer {
    public struct Summary: Sendable {
        public var header: ScenarioHeader?
        public var records = 0
        /// Lines that could not be read, with the first few problems (line number and cause).
        public var badLines = 0
        public var problems: [String] = []
    }

    public var engine: DetectionEngine
    public private(set) var summary = Summary()
    private var lastTimeMs: Int64?

    public init(settings: DetectionSettings = DetectionSettings()) {
        engine = DetectionEngine(settings: settings)
    }

    /// Feeds one line; bad lines are counted and named, never fatal.
    public mutating func feed(_ bytes: [UInt8], _ range: Range<Int>, lineNumber: Int) {
        do {
            switch try SignalLineReader.read(bytes, range) {
            case .scenario(let header):
                summary.header = header
            case .signal(let signal):
                summary.records += 1
                lastTimeMs = max(lastTimeMs ?? signal.timeMs, signal.timeMs)
                _ = engine.ingest(signal)
            }
        } catch {
            noteProblem("line \(lineNumber): \(error)")
        }
    }

    public mutating func noteProblem(_ problem: String) {
        summary.badLines += 1
        if summary.problems.count < 10 { summary.problems.append(problem) }
    }

    /// Closes the scenario: the minutes up to its end, or up to the last record's, are evaluated.
    public mutating func finish() {
        guard let last = lastTimeMs else { return }
        _ = engine.advance(to: max(summary.header?.endMs ?? last, last))
    }

    /// Replays a whole file.
    public static func replay(path: String, settings: DetectionSettings = DetectionSettings()) throws -> ScenarioReplayer {
        var replayer = ScenarioReplayer(settings: settings)
        try NDJSONFileReader(path: path).forEachLine { buffer, range, lineNumber, tooLong in
            if tooLong {
                replayer.noteProblem("line \(lineNumber): longer than the 1 MiB limit")
            } else {
                replayer.feed(buffer, range, lineNumber: lineNumber)
            }
        }
        replayer.finish()
        return replayer
    }
}
