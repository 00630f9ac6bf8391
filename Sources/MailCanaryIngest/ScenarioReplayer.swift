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

    /// Replays a whole file. The file comes in chunks of whole lines that `parsers` threads parse
    /// while the engine ingests the chunks before them in order (with 0, each chunk is parsed in
    /// turn on this thread). Memory stays a few chunks whatever the file's length.
    public static func replay(path: String, settings: DetectionSettings = DetectionSettings(), parsers: Int = defaultParsers,
                              chunkBytes: Int = 1 << 20, maximumLineBytes: Int = 1 << 20) throws -> ScenarioReplayer {
        var replayer = ScenarioReplayer(settings: settings)
        try replayer.run(path: path, parsers: parsers, chunkBytes: chunkBytes, maximumLineBytes: maximumLineBytes, detect: true)
        replayer.finish()
        return replayer
    }

    /// Reads and checks every line of a file through the same chunks and readers as ``replay``,
    /// without detection: how fast the reading alone goes (the replay benchmark), or a quick check
    /// of a scenario file. The summary counts records and bad lines.
    public static func read(path: String, parsers: Int = defaultParsers, chunkBytes: Int = 1 << 20,
                            maximumLineBytes: Int = 1 << 20) throws -> Summary {
        var replayer = ScenarioReplayer()
        try replayer.run(path: path, parsers: parsers, chunkBytes: chunkBytes, maximumLineBytes: maximumLineBytes, detect: false)
        return replayer.summary
    }

    private mutating func run(path: String, parsers: Int, chunkBytes: Int, maximumLineBytes: Int, detect: Bool) throws {
        let reader = try NDJSONChunkReader(path: path, chunkBytes: chunkBytes, maximumLineBytes: maximumLineBytes)
        let pipeline = ChunkPipeline(reader: reader, parsers: parsers, window: 4, maximumLineBytes: maximumLineBytes)
        defer { pipeline.close() }
        var lineNumber = 0
        while let parsed = try pipeline.next() {
            ingest(parsed, lineNumber: &lineNumber, detect: detect)
            pipeline.recycle(parsed.signals)
        }
    }

    /// Parser threads beside detection's: one per processor.
    public static var defaultParsers: Int { ProcessInfo.processInfo.activeProcessorCount }

    mutating func ingest(_ parsed: ParsedChunk, lineNumber: inout Int, detect: Bool) {
        var limit: String {
            parsed.maximumLineBytes >= 1 << 20 ? "\(parsed.maximumLineBytes >> 20) MiB" : "\(parsed.maximumLineBytes) bytes"
        }
        for _ in 0..<parsed.tooLongBefore {
            lineNumber += 1
            noteProblem("line \(lineNumber): longer than the \(limit) limit")
        }
        if let header = parsed.header { summary.header = header }
        for (offset, problem) in parsed.problems {
            switch problem {
            case .bad(let error): noteProblem("line \(lineNumber + offset): \(error)")
            case .tooLong: noteProblem("line \(lineNumber + offset): longer than the \(limit) limit")
            }
        }
        summary.records += parsed.signals.count
        guard detect else {
            lineNumber += parsed.lineCount
            return
        }
        // Each signal is moved into the engine, not copied out and destroyed twice.
        parsed.signals.drain { signal in
            let time = signal.timeMs
            if time > lastTimeMs ?? .min { lastTimeMs = time }
            _ = engine.ingest(signal)
        }
        lineNumber += parsed.lineCount
    }
}
