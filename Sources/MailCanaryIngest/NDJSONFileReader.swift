#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an NDJSON file in fixed-size chunks and hands each line to a closure as a byte range of
/// the chunk buffer: memory stays at one chunk (plus the longest line) whatever the file's length.
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
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: chunkBytes + maximumLineBytes)
        var filled = 0
        var lineNumber = 0
        var skippingLongLine = false
        while true {
            if filled == buffer.count {
                // One line fills the whole buffer: report it and skip to its end.
                lineNumber += 1
                try body(buffer, 0..<0, lineNumber, true)
                filled = 0
                skippingLongLine = true
            }
            let count = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + filled, min(chunkBytes, raw.count - filled))
            }
            guard count >= 0 else { throw OpenError(path: path, reason: String(cString: strerror(errno))) }
            let end = filled + count
            var lineStart = 0
            var index = filled
            while index < end {
                // memchr finds the next newline a word at a time.
                let found = buffer.withUnsafeBufferPointer { raw -> Int in
                    guard let hit = memchr(raw.baseAddress! + index, 0x0A, end - index) else { return end }
                    return UnsafePointer(hit.assumingMemoryBound(to: UInt8.self)) - raw.baseAddress!
                }
                index = found
                if index < end {
                    if skippingLongLine {
                        skippingLongLine = false
                    } else {
                        lineNumber += 1
                        var lineEnd = index
                        if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                        if lineEnd - lineStart > maximumLineBytes {
                            try body(buffer, 0..<0, lineNumber, true)
                        } else if lineEnd > lineStart {
                            try body(buffer, lineStart..<lineEnd, lineNumber, false)
                        }
                    }
                    lineStart = index + 1
                }
                index += 1
            }
            if count == 0 {
                if end > lineStart, !skippingLongLine {
                    lineNumber += 1
                    try body(buffer, end - lineStart > maximumLineBytes ? 0..<0 : lineStart..<end, lineNumber, end - lineStart > maximumLineBytes)
                }
                return
            }
            // Keep the unfinished line at the front of the buffer.
            let rest = end - lineStart
            if lineStart > 0, rest > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    _ = memmove(raw.baseAddress!, raw.baseAddress! + lineStart, rest)
                }
            }
            filled = skippingLongLine ? 0 : rest
        }
    }
}
