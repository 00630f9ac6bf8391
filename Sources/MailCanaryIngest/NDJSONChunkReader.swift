import Glibc

/// Reads an NDJSON file in chunks that end at a line end, so that chunks can be parsed apart
/// (on several cores) and their lines still come out whole and in order. A line longer than
/// the maximum is cut out of its chunk and counted, never held in memory whole.
struct NDJSONChunkReader {
    struct Chunk: Sendable {
        /// The chunk's lines are the first `length` bytes; a reused buffer may hold more after them.
        var bytes: [UInt8]
        var length: Int
        /// Lines dropped for their length just before this chunk's first line.
        var tooLongBefore: Int
    }

    let path: String
    let fd: Int32
    let chunkBytes: Int
    let maximumLineBytes: Int
    private var carry: [UInt8] = []
    private var skipping = false
    private var tooLong = 0
    private var finished = false

    init(path: String, chunkBytes: Int, maximumLineBytes: Int) throws(NDJSONFileReader.OpenError) {
        self.path = path
        fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw NDJSONFileReader.OpenError(path: path, reason: String(cString: strerror(errno))) }
        self.chunkBytes = chunkBytes
        self.maximumLineBytes = maximumLineBytes
    }

    func close() { _ = Glibc.close(fd) }

    /// The next chunk (whole lines; the last may lack its newline), nil at the end of the file.
    /// Each read goes straight behind the carried start of a cut line, so the bytes are copied
    /// once (by the kernel) and only the cut line's start is copied again.
    ///
    /// `spare` is the buffer of a chunk no longer needed, read into again: its pages are already
    /// mapped, where a fresh megabyte for every chunk costs a page fault per 4 KiB. Its length
    /// stays as it is (only `length` says what is valid), so it is never filled or trimmed.
    /// It is taken (`consuming`): held anywhere else too, the first write would copy all of it.
    mutating func next(reusing spare: consuming [UInt8] = []) throws(NDJSONFileReader.OpenError) -> Chunk? {
        var block = spare
        while !finished {
            let carried = carry.count
            if block.count < carried + chunkBytes { block = [UInt8](repeating: 0, count: carried + chunkBytes) }
            let count = block.withUnsafeMutableBufferPointer { buffer in
                _ = UnsafeMutableBufferPointer(rebasing: buffer[..<carried]).initialize(fromContentsOf: carry)
                return read(fd, buffer.baseAddress! + carried, chunkBytes)
            }
            guard count >= 0 else { throw NDJSONFileReader.OpenError(path: path, reason: String(cString: strerror(errno))) }
            var length = carried + count
            if count == 0 {
                finished = true
                if !carry.isEmpty, !skipping {
                    defer { carry = []; tooLong = 0 }
                    return Chunk(bytes: carry, length: carry.count, tooLongBefore: tooLong)
                }
                return tooLong > 0 ? Chunk(bytes: [], length: 0, tooLongBefore: tooLong) : nil
            }
            if skipping {
                // Inside an over-long line (nothing carried): drop up to its end.
                guard let newline = block[..<length].firstIndex(of: 0x0A) else { continue }
                block.withUnsafeMutableBufferPointer { buffer in
                    _ = memmove(buffer.baseAddress!, buffer.baseAddress! + newline + 1, length - newline - 1)
                }
                length -= newline + 1
                skipping = false
            }
            guard let lastNewline = Self.lastNewline(in: block, length: length) else {
                if length > maximumLineBytes {
                    carry = []
                    skipping = true
                    tooLong += 1
                } else {
                    carry = Array(block[..<length])
                }
                continue
            }
            carry = Array(block[(lastNewline + 1)..<length])
            defer { tooLong = 0 }
            return Chunk(bytes: block, length: lastNewline + 1, tooLongBefore: tooLong)
        }
        return nil
    }

    /// Searched from the end: a chunk's last line end is usually within its last few hundred bytes.
    private static func lastNewline(in bytes: [UInt8], length: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = length
            while index > 0 {
                index -= 1
                if buffer[index] == 0x0A { return index }
            }
            return nil
        }
    }
}
