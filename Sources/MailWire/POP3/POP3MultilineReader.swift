import NIOCore

/// Reads the body of a POP3 multi-line response (RFC 1939 §3): lines up to a lone `.`,
/// with byte-stuffed leading dots removed. Bounded in line count.
public struct POP3MultilineReader: Sendable {
    public enum Error: Swift.Error, Equatable, Sendable {
        case lineTooLong(limit: Int)
        case tooManyLines(limit: Int)
    }

    private var framer: LineFramer
    /// Default 256 lines: a CAPA list has about ten.
    public var maxLines: Int
    public private(set) var lines: [String] = []

    public init(maxLineLength: Int = 8_192, maxLines: Int = 256) {
        self.framer = LineFramer(maxLineLength: maxLineLength)
        self.maxLines = maxLines
    }

    /// True once the terminating `.` was read.
    public mutating func read(_ buffer: inout ByteBuffer) throws(Error) -> Bool {
        while true {
            switch framer.nextLine(&buffer) {
            case .needMoreData: return false
            case .lineTooLong: throw .lineTooLong(limit: framer.maxLineLength)
            case .line(let line):
                if line == "." { return true }
                guard lines.count < maxLines else { throw .tooManyLines(limit: maxLines) }
                lines.append(line.hasPrefix("..") ? String(line.dropFirst()) : line)
            }
        }
    }
}
