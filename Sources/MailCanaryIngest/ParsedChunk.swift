import MailCanaryCore

/// One chunk's lines, read: the signals in order, the scenario header if the chunk has it, and
/// the lines that could not be read with their line numbers within the chunk (1-based).
struct ParsedChunk: Sendable {
    enum Problem: Sendable {
        case bad(JSONReadError)
        case tooLong
    }

    var signals: [Signal] = []
    var header: ScenarioHeader?
    var problems: [(offset: Int, problem: Problem)] = []
    var lineCount = 0
    var tooLongBefore = 0
    var maximumLineBytes = 0

    /// `storage` is an emptied array of an earlier chunk whose capacity is reused.
    init(_ chunk: NDJSONChunkReader.Chunk, maximumLineBytes: Int, storage: [Signal] = []) {
        tooLongBefore = chunk.tooLongBefore
        self.maximumLineBytes = maximumLineBytes
        let bytes = chunk.bytes
        signals = storage
        signals.removeAll(keepingCapacity: true)
        signals.reserveCapacity(chunk.length / 150)
        var parser = SignalLineParser()
        NDJSONLines.forEach(in: bytes, count: chunk.length, maximumLineBytes: maximumLineBytes) { buffer, range, number, tooLong in
            lineCount = number
            if tooLong {
                problems.append((number, .tooLong))
            } else if !range.isEmpty {
                do throws(JSONReadError) {
                    switch try parser.read(buffer, bytes, range) {
                    case .signal(let signal): signals.append(signal)
                    case .scenario(let scenario): header = scenario
                    }
                } catch {
                    problems.append((number, .bad(error)))
                }
            }
        }
    }
}

