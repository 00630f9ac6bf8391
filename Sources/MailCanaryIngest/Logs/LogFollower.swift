import Foundation

/// Reads a log file as it grows, across rotation: each ``poll()`` returns the complete lines
/// written since the last one. When the name points to a new file (rotated: another inode) the
/// old file is read to its end first, then the new one from its start; a file that shrank
/// (truncated in place, `copytruncate`) is read again from its start (as with `tail -F`, a file
/// truncated and refilled past its old size between two polls cannot be told from one that grew). A partial last line waits
/// for its newline. Lines longer than `maximumLineBytes` are cut there.
public final class LogFollower {
    public let path: String
    public let maximumLineBytes: Int
    private var handle: FileHandle?
    private var inode: UInt64?
    private var offset: UInt64 = 0
    private var partial: [UInt8] = []
    /// Rotations and truncations seen.
    public private(set) var rotations = 0

    /// `fromEnd`: start at the current end of the file (follow only what comes), else at its start.
    public init(path: String, fromEnd: Bool, maximumLineBytes: Int = 64 << 10) {
        self.path = path
        self.maximumLineBytes = maximumLineBytes
        if open(), fromEnd, let handle { offset = (try? handle.seekToEnd()) ?? 0 }
    }

    deinit { try? handle?.close() }

    @discardableResult
    private func open() -> Bool {
        try? handle?.close()
        handle = FileHandle(forReadingAtPath: path)
        offset = 0
        inode = Self.inode(of: path)
        return handle != nil
    }

    static func inode(of path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    static func size(of path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : nil
    }

    /// The complete lines added since the last poll.
    public func poll() -> [Substring] {
        var bytes: [UInt8] = []
        if handle == nil {
            guard open() else { return [] }
        }
        let current = Self.inode(of: path)
        if let current, current != inode {
            // Rotated: finish the old file, then start the new one.
            bytes += readToEnd()
            open()
            rotations += 1
        } else if let size = Self.size(of: path), size < offset {
            try? handle?.seek(toOffset: 0)
            offset = 0
            partial = []
            rotations += 1
        }
        bytes += readToEnd()
        return lines(bytes)
    }

    private func readToEnd() -> [UInt8] {
        guard let handle else { return [] }
        let data = (try? handle.readToEnd()) ?? Data()
        offset += UInt64(data.count)
        return [UInt8](data)
    }

    private func lines(_ bytes: [UInt8]) -> [Substring] {
        var buffer = partial + bytes
        var lines: [Substring] = []
        var start = 0
        while let newline = buffer[start...].firstIndex(of: 10) {
            let end = min(newline, start + maximumLineBytes)
            lines.append(Substring(String(decoding: buffer[start..<end], as: UTF8.self)))
            start = newline + 1
        }
        buffer.removeFirst(start)
        if buffer.count > maximumLineBytes { buffer.removeAll() }
        partial = buffer
        return lines
    }
}
