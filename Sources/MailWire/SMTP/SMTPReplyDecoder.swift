import NIOCore

/// Turns framed lines into ``SMTPReply`` values, folding `250-` continuation lines.
///
/// Why not a `ByteToMessageDecoder`? The probe reads replies with one deadline for the whole
/// exchange from its own connection buffer, and STARTTLS must see that no byte is left over
/// before the handshake (RFC 3207 §4, the "STARTTLS command injection" defence); a decoder
/// inside the pipeline would hide those bytes. So this is a plain value the prober drives.
public struct SMTPReplyDecoder: Sendable {
    public enum Error: Swift.Error, Equatable, Sendable {
        case lineTooLong(limit: Int)
        case malformed(line: String)
        case tooManyLines(limit: Int)
    }

    private var framer: LineFramer
    /// Default 128 lines; EHLO replies have about a dozen.
    public var maxLines: Int
    private var code: Int?
    private var lines: [String] = []

    public init(maxLineLength: Int = 8_192, maxLines: Int = 128) {
        self.framer = LineFramer(maxLineLength: maxLineLength)
        self.maxLines = maxLines
    }

    /// Returns the next complete reply, or nil when more bytes are needed.
    public mutating func decode(_ buffer: inout ByteBuffer) throws(Error) -> SMTPReply? {
        while true {
            switch framer.nextLine(&buffer) {
            case .needMoreData: return nil
            case .lineTooLong: throw .lineTooLong(limit: framer.maxLineLength)
            case .line(let line):
                let utf8 = Array(line.utf8)
                guard utf8.count >= 3,
                      utf8[0...2].allSatisfy({ $0 >= 48 && $0 <= 57 }),
                      utf8[0] >= UInt8(ascii: "2"), utf8[0] <= UInt8(ascii: "5"),
                      utf8.count == 3 || utf8[3] == UInt8(ascii: " ") || utf8[3] == UInt8(ascii: "-"),
                      let lineCode = Int(String(decoding: utf8[0...2], as: UTF8.self))
                else { throw .malformed(line: line) }
                if let code, code != lineCode { throw .malformed(line: line) }
                code = lineCode
                guard lines.count < maxLines else { throw .tooManyLines(limit: maxLines) }
                lines.append(utf8.count > 4 ? String(decoding: utf8[4...], as: UTF8.self) : "")
                if utf8.count == 3 || utf8[3] == UInt8(ascii: " ") {
                    let reply = SMTPReply(code: lineCode, lines: lines)
                    self.code = nil
                    self.lines = []
                    return reply
                }
            }
        }
    }
}
