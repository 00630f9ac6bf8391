import Dispatch
import Foundation
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

    mutating func noteProblem(_ problem: String) {
        summary.badLines += 1
        if summary.problems.count < 10 { summary.problems.append(problem) }
    }

    /// Closes the scenario: the minutes up to its end, or up to the last record's, are evaluated.
    public mutating func finish() {
        guard let last = lastTimeMs else { return }
        _ = engine.advance(to: max(summary.header?.endMs ?? last, last))
    }

    /// Replays a whole file. The file comes in chunks of whole lines; with `parallel`, two chunks
    /// are parsed on other threads while the engine ingests the previous pair in order, else
    /// each chunk is parsed in turn on this thread. Memory stays a few chunks whatever the length.
    public static func replay(path: String, settings: DetectionSettings = DetectionSettings(), parallel: Bool = true,
                              chunkBytes: Int = 1 << 20, maximumLineBytes: Int = 1 << 20) throws -> ScenarioReplayer {
        var replayer = ScenarioReplayer(settings: settings)
        var reader = try NDJSONChunkReader(path: path, chunkBytes: chunkBytes, maximumLineBytes: maximumLineBytes)
        defer { reader.close() }
        var lineNumber = 0
        var inFlight: ParsingRound?
        while true {
            var chunks: [NDJSONChunkReader.Chunk] = []
            while chunks.count < (parallel ? 2 : 1), let chunk = try reader.next() { chunks.append(chunk) }
            let round = chunks.isEmpty ? nil : ParsingRound(chunks, maximumLineBytes: maximumLineBytes, parallel: parallel)
            if let previous = inFlight {
                for parsed in previous.wait() { replayer.ingest(parsed, lineNumber: &lineNumber) }
            }
            guard let round else { break }
            inFlight = round
        }
        replayer.finish()
        return replayer
    }

    mutating func ingest(_ parsed: ParsedChunk, lineNumber: inout Int) {
        let limit = parsed.maximumLineBytes >= 1 << 20 ? "\(parsed.maximumLineBytes >> 20) MiB" : "\(parsed.maximumLineBytes) bytes"
        for _ in 0..<parsed.tooLongBefore {
            lineNumber += 1
            noteProblem("line \(lineNumber): longer than the \(limit) limit")
        }
        for line in parsed.lines {
            let number = lineNumber + line.offset
            switch line.result {
            case .read(.scenario(let header)):
                summary.header = header
            case .read(.signal(let signal)):
                summary.records += 1
                lastTimeMs = max(lastTimeMs ?? signal.timeMs, signal.timeMs)
                _ = engine.ingest(signal)
            case .bad(let error):
                noteProblem("line \(number): \(error)")
            case .tooLong:
                noteProblem("line \(number): longer than the \(limit) limit")
            }
        }
        lineNumber += parsed.lineCount
    }
}
