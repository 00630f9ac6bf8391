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

    /// Replays a whole file. Reading and parsing run on other cores than detection: the file
    /// comes in chunks of whole lines, two chunks are parsed at once while the engine ingests the
    /// previous pair in order, so memory stays a few chunks whatever the file's length.
    public static func replay(path: String, settings: DetectionSettings = DetectionSettings(),
                              chunkBytes: Int = 1 << 20, maximumLineBytes: Int = 1 << 20) throws -> ScenarioReplayer {
        var replayer = ScenarioReplayer(settings: settings)
        var reader = try NDJSONChunkReader(path: path, chunkBytes: chunkBytes, maximumLineBytes: maximumLineBytes)
        defer { reader.close() }
        var lineNumber = 0
        var inFlight: ParsingRound?
        while true {
            var chunks: [NDJSONChunkReader.Chunk] = []
            while chunks.count < 2, let chunk = try reader.next() { chunks.append(chunk) }
            let round = chunks.isEmpty ? nil : ParsingRound(chunks, maximumLineBytes: maximumLineBytes)
            if let previous = inFlight {
                for parsed in previous.wait() { replayer.ingest(parsed, lineNumber: &lineNumber) }
            }
            guard let round else { break }
            inFlight = round
        }
        replayer.finish()
        return replayer
    }

    /// The plain loop: one thread reads a line, parses it and hands it to detection.
    public static func replayLineByLine(path: String, settings: DetectionSettings = DetectionSettings()) throws -> ScenarioReplayer {
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

    mutating func ingest(_ parsed: ParsedChunk, lineNumber: inout Int) {
        for _ in 0..<parsed.tooLongBefore {
            lineNumber += 1
            let limit = parsed.maximumLineBytes >= 1 << 20 ? "\(parsed.maximumLineBytes >> 20) MiB" : "\(parsed.maximumLineBytes) bytes"
            noteProblem("line \(lineNumber): longer than the \(limit) limit")
        }
        for line in parsed.lines {
            let number = lineNumber + line.offset
            switch line.result {
            case .success(.scenario(let header)):
                summary.header = header
            case .success(.signal(let signal)):
                summary.records += 1
                lastTimeMs = max(lastTimeMs ?? signal.timeMs, signal.timeMs)
                _ = engine.ingest(signal)
            case .failure(let error):
                noteProblem("line \(number): \(error)")
            }
        }
        lineNumber += parsed.lineCount
    }
}
