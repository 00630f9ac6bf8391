import NIOCore

/// Splits a byte stream into lines ending in LF (CRLF or bare LF), with a hard length bound.
///
/// The bound is the defence against an endless banner: once more than `maxLineLength` bytes
/// arrive without a line end, the framer says `.lineTooLong` instead of waiting for more.
/// It never copies the rest of the buffer, so it is cheap to call after every read.
///
/// ```
///   buffer: "* OK ready\r\n* CAP" ──nextLine──▶ .line("* OK ready"), buffer: "* CAP"
///   buffer: "* CAP"               ──nextLine──▶ .needMoreData
/// ```
public struct LineFramer: Sendable {
    public enum Result: Equatable, Sendable {
        case line(String)
        case needMoreData
        case lineTooLong
    }

    /// Longest line accepted, without the line end. Default 8 KiB: RFC 5321 §4.5.3.1.5 asks for
    /// 512, RFC 3501 servers send capability lists of a few hundred bytes.
    public var maxLineLength: Int

    public init(maxLineLength: Int = 8_192) {
        self.maxLineLength = maxLineLength
    }

    public func nextLine(_ buffer: inout ByteBuffer) -> Result {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            return buffer.readableBytes > maxLineLength ? .lineTooLong : .needMoreData
        }
        var length = newline - view.startIndex
        if length > maxLineLength + 1 { return .lineTooLong }
        let bytes = buffer.readSlice(length: length + 1)!
        if length > 0, bytes.getInteger(at: bytes.readerIndex + length - 1, as: UInt8.self) == UInt8(ascii: "\r") {
            length -= 1
        }
        if length > maxLineLength { return .lineTooLong }
        // Invalid UTF-8 is replaced (U+FFFD), never fatal: a hostile server's bytes are data.
        return .line(String(decoding: bytes.readableBytesView.prefix(length), as: UTF8.self))
    }
}
