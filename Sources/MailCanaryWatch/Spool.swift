import Foundation
import MailCanaryCore
import MailCanaryStorage
import NIOConcurrencyHelpers

/// An agent's durable queue of results on its way to the server.
///
/// Each result gets the next sequence number and is written (and fsync'd) to the current
/// segment file before `append` returns: only then does it count as done. Uploads read from
/// the oldest segment; `acknowledge(through:)` removes what the server has stored. The spool is
/// bounded in bytes: past the bound the oldest segments are dropped and their results counted,
/// never silently. Sequence numbers are never reused, even after the spool is emptied: they
/// start from the clock in microseconds when a spool is created and the last one is kept in
/// the state file.
public final class Spool: Sendable {
    public struct Entry: Codable, Sendable {
        public var sequence: Int64
        public var result: StoredResult

        init(sequence: Int64, result: StoredResult) {
            self.sequence = sequence
            self.result = result
        }

        /// One spool line (`range` of a segment's bytes), read with the scanner.
        init(json bytes: [UInt8], range: Range<Int>) throws(JSONReadError) {
            var scanner = JSONScanner(bytes, range: range)
            var sequence: Int64?, result: StoredResult?
            try scanner.readRootObject("entry")
            while let key = try scanner.readKey("entry") {
                switch key {
                case "sequence": sequence = try scanner.readInt64("sequence")
                case "result": result = try StoredResult.read(from: &scanner, path: "result")
                default: try scanner.skip(key)
                }
            }
            try scanner.readEnd("entry")
            guard let sequence else { throw JSONReadError(path: "sequence", kind: .missing) }
            guard let result else { throw JSONReadError(path: "result", kind: .missing) }
            self.init(sequence: sequence, result: result)
        }
    }

    struct PersistentState: Codable {
        var lastSequence: Int64
        var acknowledged: Int64
        var dropped: Int64
    }

    struct State {
        var persistent: PersistentState
        /// Segment files by first sequence, oldest first, with their sizes and last sequence.
        var segments: [(first: Int64, last: Int64, bytes: Int)]
        var handle: FileHandle?
    }

    public let directory: String
    let maxBytes: Int
    let segmentBytes: Int
    private let state: NIOLockedValueBox<State>

    public init(directory: String, maxBytes: Int = 256 << 20, segmentBytes: Int = 1 << 20, nowMicroseconds: Int64) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = min(segmentBytes, maxBytes)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stateFile = (directory as NSString).appendingPathComponent("state.json")
        var persistent = PersistentState(lastSequence: nowMicroseconds, acknowledged: nowMicroseconds, dropped: 0)
        if let data = FileManager.default.contents(atPath: stateFile) {
            persistent = try JSONDecoder().decode(PersistentState.self, from: data)
        }
        // Sequences are contiguous, so a segment ends just before the next one starts: only the
        // newest segment is read, for its last sequence.
        var segments: [(first: Int64, last: Int64, bytes: Int)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory)
        where name.hasPrefix("segment-") && name.hasSuffix(".ndjson") {
            guard let first = Int64(name.dropFirst(8).dropLast(7)) else { continue }
            let path = (directory as NSString).appendingPathComponent(name)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            segments.append((first, first - 1, bytes))
        }
        segments.sort { $0.first < $1.first }
        for index in segments.indices.dropLast() { segments[index].last = segments[index + 1].first - 1 }
        if let newest = segments.indices.last {
            let first = segments[newest].first
            segments[newest].last = Self.read((directory as NSString).appendingPathComponent("segment-\(first).ndjson")).last?.sequence ?? first - 1
        }
        persistent.lastSequence = max(persistent.lastSequence, segments.last?.last ?? 0)
        state = NIOLockedValueBox(State(persistent: persistent, segments: segments, handle: nil))
        try saveState(persistent)
    }

    /// Writes one result durably and returns its sequence number.
    @discardableResult
    public func append(_ result: StoredResult) throws -> Int64 {
        try state.withLockedValue { state in
            let sequence = state.persistent.lastSequence + 1
            var stamped = result
            stamped.sequence = sequence
            var line = try JSONEncoder().encode(Entry(sequence: sequence, result: stamped))
            line.append(0x0A)
            if state.handle == nil || (state.segments.last?.bytes ?? .max) + line.count > segmentBytes {
                try state.handle?.close()
                let path = segmentPath(sequence)
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                state.handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                try state.handle?.seekToEnd()
                state.segments.append((sequence, sequence - 1, 0))
            }
            try state.handle?.write(contentsOf: line)
            try state.handle?.synchronize()
            state.segments[state.segments.count - 1].last = sequence
            state.segments[state.segments.count - 1].bytes += line.count
            state.persistent.lastSequence = sequence
            enforceBound(&state)
            return sequence
        }
    }

    /// The oldest results not yet acknowledged, in sequence order.
    public func pending(limit: Int) -> [StoredResult] {
        let (acknowledged, files) = state.withLockedValue { state in
            (state.persistent.acknowledged, state.segments.filter { $0.last > state.persistent.acknowledged }.map { segmentPath($0.first) })
        }
        var results: [StoredResult] = []
        for file in files {
            for entry in Self.read(file) where entry.sequence > acknowledged {
                results.append(entry.result)
                if results.count == limit { return results }
            }
        }
        return results
    }

    /// The server has stored everything up to `sequence`: drop those results from disk.
    public func acknowledge(through sequence: Int64) throws {
        try state.withLockedValue { state in
            guard sequence > state.persistent.acknowledged else { return }
            state.persistent.acknowledged = min(sequence, state.persistent.lastSequence)
            while let first = state.segments.first, first.last <= state.persistent.acknowledged {
                if state.segments.count == 1 { try state.handle?.close(); state.handle = nil }
                try? FileManager.default.removeItem(atPath: segmentPath(first.first))
                state.segments.removeFirst()
            }
            try saveState(state.persistent)
        }
    }

    public var pendingCount: Int64 { state.withLockedValue { $0.persistent.lastSequence - $0.persistent.acknowledged } }
    public var droppedCount: Int64 { state.withLockedValue { $0.persistent.dropped } }
    public var bytes: Int { state.withLockedValue { $0.segments.reduce(0) { $0 + $1.bytes } } }
    public var lastSequence: Int64 { state.withLockedValue { $0.persistent.lastSequence } }

    /// Past the bound, the oldest segments go; their unacknowledged results are counted as dropped.
    private func enforceBound(_ state: inout State) {
        while state.segments.count > 1, state.segments.reduce(0, { $0 + $1.bytes }) > maxBytes {
            let oldest = state.segments.removeFirst()
            let lost = max(0, oldest.last - max(oldest.first - 1, state.persistent.acknowledged))
            state.persistent.dropped += lost
            state.persistent.acknowledged = max(state.persistent.acknowledged, oldest.last)
            try? FileManager.default.removeItem(atPath: segmentPath(oldest.first))
            try? saveState(state.persistent)
        }
    }

    private func segmentPath(_ first: Int64) -> String {
        (directory as NSString).appendingPathComponent("segment-\(first).ndjson")
    }

    private func saveState(_ persistent: PersistentState) throws {
        let path = (directory as NSString).appendingPathComponent("state.json")
        let temporary = path + ".tmp"
        let data = try JSONEncoder().encode(persistent)
        _ = FileManager.default.createFile(atPath: temporary, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Entries of one segment; a torn last line (a crash mid-write) is ignored.
    static func read(_ path: String) -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let bytes = [UInt8](data)
        var entries: [Entry] = []
        var lineStart = 0
        for index in bytes.indices where bytes[index] == 0x0A || index == bytes.count - 1 {
            let lineEnd = bytes[index] == 0x0A ? index : index + 1
            if lineEnd > lineStart, let entry = try? Entry(json: bytes, range: lineStart..<lineEnd) { entries.append(entry) }
            lineStart = index + 1
        }
        return entries
    }
}

extension Spool: ResultSink {
    public func accept(_ result: StoredResult) async {
        do {
            try append(result)
        } catch {
            // A full or broken disk: the result cannot be kept. Counted as dropped.
            state.withLockedValue { $0.persistent.dropped += 1 }
        }
    }
}
