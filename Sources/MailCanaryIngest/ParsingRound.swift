import Dispatch
import Foundation
import MailCanaryCore

/// One chunk's lines, read: each with its line number within the chunk (1-based).
struct ParsedChunk: Sendable {
    var lines: [(offset: Int, result: Result<IngestRecord, JSONReadError>)] = []
    var lineCount = 0
    var tooLongBefore = 0
    var maximumLineBytes = 0

    init(_ chunk: NDJSONChunkReader.Chunk, maximumLineBytes: Int) {
        tooLongBefore = chunk.tooLongBefore
        self.maximumLineBytes = maximumLineBytes
        let bytes = chunk.bytes
        lines.reserveCapacity(bytes.count / 150)
        var start = 0
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while start < buffer.count {
                let end = memchr(base + start, 0x0A, buffer.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? buffer.count
                lineCount += 1
                var last = end
                if last > start, buffer[last - 1] == 0x0D { last -= 1 }
                if last > start {
                    do throws(JSONReadError) {
                        lines.append((lineCount, .success(try SignalLineReader.read(bytes, start..<last))))
                    } catch {
                        lines.append((lineCount, .failure(error)))
                    }
                }
                start = end + 1
            }
        }
    }
}

/// Chunks being parsed on other threads; ``wait()`` gives them back in order.
final class ParsingRound: @unchecked Sendable {
    private let group = DispatchGroup()
    private var results: [ParsedChunk?]

    init(_ chunks: [NDJSONChunkReader.Chunk], maximumLineBytes: Int) {
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
