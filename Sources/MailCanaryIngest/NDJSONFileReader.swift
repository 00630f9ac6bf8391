#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an NDJSON file in chunks of whole lines and hands each line to a closure as a byte range
/// of its chunk: memory stays at one chunk (plus the longest line) whatever the file's length.
public struct NDJSONFileReader {
    public struct OpenError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    /// Longest line accepted; a longer one is reported to the closure as an over-long line.
    public var maximumLineBytes: Int
    public var chunkBytes: Int
    let path: String

    public init(path: String, chunkBytes: Int = 1 << 20, maximumLineBytes: Int = 1 << 20) {
        self.path = path
        self.chunkBytes = chunkBytes
        self.maximumLineBytes = maximumLineBytes
    }

    /// Calls `body(buffer, range, lineNumber)` for every non-empty line (without its newline; a
    /// final line without a newline counts). Lines longer than the maximum are passed as an empty
    /// range with `tooLong` set and skipped.
    public func forEachLine(_ body: (_ buffer: [UInt8], _ range: Range<Int>, _ lineNumber: Int, _ tooLong: Bool) throws -> Void) throws {
        var reader = try NDJSONChunkReader(path: path, chunkBytes: chunkBytes, maximumLineBytes: maximumLineBytes)
        defer { reader.close() }
        var lineNumber = 0
        while let chunk = try reader.next() {
            for _ in 0..<chunk.tooLongBefore {
                lineNumber += 1
                try body([], 0..<0, lineNumber, true)
            }
            let first = lineNumber
            try NDJSONLines.forEach(in: chunk.bytes, count: chunk.length, maximumLineBytes: maximumLineBytes) { _, range, number, tooLong in
                lineNumber = first + number
                if tooLong {
                    try body(chunk.bytes, 0..<0, lineNumber, true)
                } else if !range.isEmpty {
                    try body(chunk.bytes, range, lineNumber, false)
                }
            }
        }
    }
}
