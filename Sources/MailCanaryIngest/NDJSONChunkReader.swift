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
    /// Each read goes straight behind the carried start of a cut line, so the bytes are copied
    /// once (by the kernel) and only the cut line's start is copied again.
    mutating func next() throws(NDJSONFileReader.OpenError) -> Chunk? {
        while !finished {
            var failure: Int32 = 0
            var block = [UInt8](unsafeUninitializedCapacity: carry.count + chunkBytes) { buffer, initialized in
                let carried = buffer.initialize(fromContentsOf: carry)
                let count = read(fd, buffer.baseAddress! + carried, chunkBytes)
                if count < 0 { failure = errno }
                initialized = carried + max(count, 0)
            }
            guard failure == 0 else { throw NDJSONFileReader.OpenError(path: path, reason: String(cString: strerror(failure))) }
            let count = block.count - carry.count
            if count == 0 {
                finished = true
                if !carry.isEmpty, !skipping {
                    defer { carry = []; tooLong = 0 }
                    return Chunk(bytes: carry, tooLongBefore: tooLong)
                }
                return tooLong > 0 ? Chunk(bytes: [], tooLongBefore: tooLong) : nil
            }
            if skipping {
                // Inside an over-long line (nothing carried): drop up to its end.
                guard let newline = block.firstIndex(of: 0x0A) else { continue }
                block.removeFirst(newline + 1)
                skipping = false
            }
            guard let lastNewline = Self.lastNewline(in: block) else {
                if block.count > maximumLineBytes {
                    carry = []
                    skipping = true
                    tooLong += 1
                } else {
                    carry = block
                }
                continue
            }
            carry = Array(block[(lastNewline + 1)...])
            block.removeLast(block.count - lastNewline - 1)
            defer { tooLong = 0 }
            return Chunk(bytes: block, tooLongBefore: tooLong)
        }
        return nil
    }

    /// Searched from the end: a chunk's last line end is usually within its last few hundred bytes.
    private static func lastNewline(in bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = buffer.count
            while index > 0 {
                index -= 1
                if buffer[index] == 0x0A { return index }
            }
            return nil
        }
    }
}
