import MailCanaryCore

/// One chunk's lines, read: the signals in order, the scenario header if the chunk has it, and
/// the lines that could not be read with their line numbers within the chunk (1-based).
struct ParsedChunk: Sendable {
    enum Problem: Sendable {
        case bad(JSONReadError)
        case tooLong
    }

    var signals: SignalBuffer
    var header: ScenarioHeader?
    var problems: [(offset: Int, problem: Problem)] = []
    var lineCount = 0
    var tooLongBefore = 0
    var maximumLineBytes = 0

    /// `storage` is an earlier chunk's drained buffer, whose capacity is reused.
    init(_ chunk: NDJSONChunkReader.Chunk, maximumLineBytes: Int, storage: SignalBuffer? = nil) {
        tooLongBefore = chunk.tooLongBefore
        self.maximumLineBytes = maximumLineBytes
        let bytes = chunk.bytes
        signals = storage ?? SignalBuffer(capacity: chunk.length / 150)
        signals.removeAll()
        signals.reserve(chunk.length / 150)
        var parser = SignalLineParser()
        NDJSONLines.forEach(in: bytes, count: chunk.length, maximumLineBytes: maximumLineBytes) { buffer, range, number, tooLong in
            lineCount = number
            if tooLong {
                problems.append((number, .tooLong))
            } else if !range.isEmpty {
                do throws(JSONReadError) {
                    if let scenario = try parser.read(buffer, bytes, range, into: signals) { header = scenario }
                } catch {
                    problems.append((number, .bad(error)))
                }
            }
        }
    }
}

