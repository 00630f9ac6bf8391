import Glibc

/// Reads an NDJSON file in chunks that end at a line end, so that chunks can be parsed apart
/// (on several cores) and their lines still come out whole and in order. A line longer than
/// the maximum is cut out of its chunk and counted, never held in memory whole.
struct NDJSONChunkReader {
    struct Chunk: Sendable {
        var bytes: [UInt8]
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
    mutating func next() throws(NDJSONFileReader.OpenError) -> Chunk? {
        while !finished {
            var block = [UInt8](repeating: 0, count: chunkBytes)
            let count = block.withUnsafeMutableBytes { read(fd, $0.baseAddress!, chunkBytes) }
            guard count >= 0 else { throw NDJSONFileReader.OpenError(path: path, reason: String(cString: strerror(errno))) }
            block.removeLast(chunkBytes - count)
            if count == 0 {
                finished = true
                if !carry.isEmpty, !skipping {
                    defer { carry = []; tooLong = 0 }
                    return Chunk(bytes: carry, tooLongBefore: tooLong)
                }
                return tooLong > 0 ? Chunk(bytes: [], tooLongBefore: tooLong) : nil
            }
            if skipping {
                // Inside an over-long line: drop up to its end.
                guard let newline = block.firstIndex(of: 0x0A) else { continue }
                block.removeFirst(newline + 1)
                skipping = false
            }
            carry += block
            guard let lastNewline = carry.lastIndex(of: 0x0A) else {
                if carry.count > maximumLineBytes {
                    carry = []
                    skipping = true
                    tooLong += 1
                }
                continue
            }
            let chunk = Array(carry[...lastNewline])
            carry.removeFirst(lastNewline + 1)
            defer { tooLong = 0 }
            return Chunk(bytes: chunk, tooLongBefore: tooLong)
        }
        return nil
    }
}
