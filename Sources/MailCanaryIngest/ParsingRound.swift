import Dispatch
import Foundation
import MailCanaryCore

/// One chunk's lines, read: each with its line number within the chunk (1-based).
struct ParsedChunk: Sendable {
    enum Line: Sendable {
        case read(IngestRecord)
        case bad(JSONReadError)
        case tooLong
    }

    var lines: [(offset: Int, result: Line)] = []
    var lineCount = 0
    var tooLongBefore = 0
    var maximumLineBytes = 0

    init(_ chunk: NDJSONChunkReader.Chunk, maximumLineBytes: Int) {
        tooLongBefore = chunk.tooLongBefore
        self.maximumLineBytes = maximumLineBytes
        let bytes = chunk.bytes
        lines.reserveCapacity(bytes.count / 150)
        NDJSONLines.forEach(in: bytes, maximumLineBytes: maximumLineBytes) { range, number, tooLong in
            lineCount = number
            if tooLong {
                lines.append((number, .tooLong))
            } else if !range.isEmpty {
                do throws(JSONReadError) {
                    lines.append((number, .read(try SignalLineReader.read(bytes, range))))
                } catch {
                    lines.append((number, .bad(error)))
                }
            }
        }
    }
}

/// Chunks being parsed on other threads; ``wait()`` gives them back in order.
final class ParsingRound: @unchecked Sendable {
    private let group = DispatchGroup()
    private var results: [ParsedChunk?]

    /// Starts parsing `chunks`, on other threads when `parallel`, else here and now.
    init(_ chunks: [NDJSONChunkReader.Chunk], maximumLineBytes: Int, parallel: Bool) {
        guard parallel else {
            results = chunks.map { ParsedChunk($0, maximumLineBytes: maximumLineBytes) }
            return
        }
        results = Array(repeating: nil, count: chunks.count)
        for (index, chunk) in chunks.enumerated() {
            DispatchQueue.global().async(group: group) { [self] in
                let parsed = ParsedChunk(chunk, maximumLineBytes: maximumLineBytes)
                self.store(parsed, at: index)
            }
        }
    }

    private let lock = NSLock()

    private func store(_ parsed: ParsedChunk, at index: Int) {
        lock.lock()
        results[index] = parsed
        lock.unlock()
    }

    func wait() -> [ParsedChunk] {
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        return results.compactMap { $0 }
    }
}
