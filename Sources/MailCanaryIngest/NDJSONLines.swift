import Glibc

/// The lines of an NDJSON buffer, found with `memchr`: every line, empty ones included, with its
/// 1-based number, without its `\n` or `\r\n`; a last line without a newline counts. One
/// splitter for uploads, chunks of a scenario file and files read in chunks.
enum NDJSONLines {
    /// `body(buffer, range, lineNumber, tooLong)`, `buffer` being `bytes` in place: a line longer
    /// than `maximumLineBytes` is passed with `tooLong` set. Only the first `count` bytes are read
    /// (all of them by default).
    static func forEach(in bytes: [UInt8], count: Int? = nil, maximumLineBytes: Int = .max,
                        _ body: (_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ lineNumber: Int, _ tooLong: Bool) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { whole in
            let buffer = UnsafeBufferPointer(rebasing: whole[..<min(count ?? whole.count, whole.count)])
            guard let base = buffer.baseAddress else { return }
            var lineNumber = 0
            var start = 0
            while start < buffer.count {
                let end = memchr(base + start, 0x0A, buffer.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base } ?? buffer.count
                lineNumber += 1
                var last = end
                if last > start, buffer[last - 1] == 0x0D { last -= 1 }
                try body(buffer, start..<last, lineNumber, last - start > maximumLineBytes)
                start = end + 1
            }
        }
    }
}
