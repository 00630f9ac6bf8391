import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MailCanaryCore

/// The chunks of an NDJSON file, parsed by `parsers` threads and handed back in file order. At
/// most `window` chunks are read ahead of the one being consumed, so memory stays a few chunks
/// whatever the file's length, and a slow consumer (detection) holds the parsers back. With no
/// parser threads every chunk is read and parsed on the consumer's thread, in turn.
final class ChunkPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var reader: NDJSONChunkReader
    private var nextToRead = 0
    private var nextToHand = 0
    private var parsed: [Int: ParsedChunk] = [:]
    /// The sequence number after the last chunk, once the file's end (or a read error) is reached.
    private var endsAt: Int?
    private var failure: NDJSONFileReader.OpenError?
    private var stopping = false
    /// Buffers whose chunks are done with, for the next ones: the file's bytes (handed back by
    /// the parsers) and the signal arrays (handed back by the consumer). Fresh megabytes would
    /// cost a page fault per 4 KiB, on every chunk.
    private var spareBytes: [[UInt8]] = []
    private var spareSignals: [SignalBuffer] = []

    private let parsers: Int
    private let window: Int
    private let maximumLineBytes: Int
    private let running = DispatchGroup()

    init(reader: NDJSONChunkReader, parsers: Int, window: Int, maximumLineBytes: Int) {
        self.reader = reader
        self.parsers = max(0, parsers)
        self.window = max(1, window)
        self.maximumLineBytes = maximumLineBytes
        for index in 0..<self.parsers {
            running.enter()
            let thread = Thread { [self] in
                // Below the consumer's priority: detection is the one thread that cannot be
                // shared out, so it gets a whole core whenever it can run; parsing takes the rest.
                // (On Linux the nice value is per thread, and `who` 0 is the calling thread.)
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 5)
                parse()
                running.leave()
            }
            thread.name = "mailcanary-parse-\(index)"
            thread.start()
        }
    }

    /// The next chunk in file order, nil after the last; a read error comes after the chunks before it.
    func next() throws(NDJSONFileReader.OpenError) -> ParsedChunk? {
        guard parsers > 0 else {
            guard var chunk = try reader.next(reusing: spareBytes.popLast() ?? []) else { return nil }
            let parsed = ParsedChunk(chunk, maximumLineBytes: maximumLineBytes, storage: spareSignals.popLast())
            spareBytes.append(chunk.bytes)
            chunk.bytes = []
            return parsed
        }
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let chunk = parsed.removeValue(forKey: nextToHand) {
                nextToHand += 1
                condition.broadcast()
                return chunk
            }
            if let endsAt, nextToHand >= endsAt {
                if let failure { throw failure }
                return nil
            }
            condition.wait()
        }
    }

    /// Takes back a chunk's signal buffer once its signals are ingested, for a later chunk.
    func recycle(_ spare: SignalBuffer) {
        spare.removeAll()
        guard parsers > 0 else {
            if spareSignals.count < 2 { spareSignals.append(spare) }
            return
        }
        condition.lock()
        if spareSignals.count < window + parsers { spareSignals.append(spare) }
        condition.unlock()
    }

    /// Stops the parsers (the rest of the file is not read), waits for them and closes the file.
    func close() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
        running.wait()
        reader.close()
    }

    /// One parser thread: takes the next chunk in turn, parses it outside the lock, files it.
    private func parse() {
        while true {
            condition.lock()
            while !stopping, endsAt == nil, nextToRead - nextToHand >= window { condition.wait() }
            if stopping || endsAt != nil {
                condition.unlock()
                return
            }
            let sequence = nextToRead
            let chunk: NDJSONChunkReader.Chunk?
            do {
                chunk = try reader.next(reusing: spareBytes.popLast() ?? [])
            } catch {
                failure = error
                chunk = nil
            }
            guard var chunk else {
                endsAt = sequence
                condition.broadcast()
                condition.unlock()
                return
            }
            nextToRead += 1
            let storage = spareSignals.popLast()
            condition.unlock()
            let result = ParsedChunk(chunk, maximumLineBytes: maximumLineBytes, storage: storage)
            condition.lock()
            if spareBytes.count < window + parsers { spareBytes.append(chunk.bytes) }
            chunk.bytes = []    // held once, by the spares: the next reader empties it in place
            parsed[sequence] = result
            condition.broadcast()
            condition.unlock()
        }
    }
}
