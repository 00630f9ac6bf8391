import NIOCore

/// Parses IMAP responses from a byte stream, literals included, with hard bounds.
///
/// A response is one line, unless the line ends in a literal announcement `{n}` (RFC 3501 §4.3)
/// or `{n+}` (RFC 7888), in which case `n` octets follow and then the rest of the response.
/// Literals are skipped, not kept (the probe needs none of their contents), so memory stays
/// bounded; a literal above `maxLiteralSize` is refused at once, before any of it arrives, which
/// is how a "1 GB literal" hostile server fails fast.
///
/// Grammar subset (RFC 3501 §9):
/// ```
/// response-tagged = tag SP resp-cond-state CRLF
/// response-data   = "*" SP (resp-cond-state / resp-cond-bye / resp-cond-auth /
///                   mailbox-data / capability-data / ...) CRLF
/// continue-req    = "+" [SP (resp-text / base64)] CRLF
/// resp-text       = ["[" resp-text-code "]" SP] text
/// ```
public struct IMAPResponseParser: Sendable {
    public enum Error: Swift.Error, Equatable, Sendable {
        case lineTooLong(limit: Int)
        case literalTooLarge(size: Int, limit: Int)
        case responseTooLarge(limit: Int)
        case malformed(line: String)
    }

    private var framer: LineFramer
    /// Largest literal accepted. Default 64 KiB: no response a probe reads needs more.
    public var maxLiteralSize: Int
    /// Largest response (all its lines together). Default 64 KiB.
    public var maxResponseSize: Int

    private var pending: String = ""
    private var literalRemaining: Int = 0

    public init(maxLineLength: Int = 8_192, maxLiteralSize: Int = 65_536, maxResponseSize: Int = 65_536) {
        self.framer = LineFramer(maxLineLength: maxLineLength)
        self.maxLiteralSize = maxLiteralSize
        self.maxResponseSize = maxResponseSize
    }

    /// Returns the next complete response, or nil when more bytes are needed.
    public mutating func parse(_ buffer: inout ByteBuffer) throws(Error) -> IMAPResponse? {
        while true {
            if literalRemaining > 0 {
                let take = min(literalRemaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: take)
                literalRemaining -= take
                if literalRemaining > 0 { return nil }
            }
            switch framer.nextLine(&buffer) {
            case .needMoreData:
                return nil
            case .lineTooLong:
                throw .lineTooLong(limit: framer.maxLineLength)
            case .line(let line):
                pending += line
                guard pending.utf8.count <= maxResponseSize else {
                    throw .responseTooLarge(limit: maxResponseSize)
                }
                if let size = Self.literalAnnouncement(in: line) {
                    guard size <= maxLiteralSize else {
                        throw .literalTooLarge(size: size, limit: maxLiteralSize)
                    }
                    literalRemaining = size
                    continue
                }
                let complete = pending
                pending = ""
                return try Self.parseResponse(complete)
            }
        }
    }

    /// `{123}` or `{123+}` at the end of a line; nil otherwise.
    static func literalAnnouncement(in line: String) -> Int? {
        guard line.hasSuffix("}"), let open = line.lastIndex(of: "{") else { return nil }
        var digits = line[line.index(after: open)..<line.index(before: line.endIndex)]
        if digits.hasSuffix("+") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCIIDigitCharacter) else { return nil }
        return Int(digits)
    }

    static func parseResponse(_ line: String) throws(Error) -> IMAPResponse {
        if line == "+" { return .continuation("") }
        if line.hasPrefix("+ ") { return .continuation(String(line.dropFirst(2))) }
        guard let space = line.firstIndex(of: " ") else { throw .malformed(line: line) }
        let tag = String(line[..<space])
        let rest = String(line[line.index(after: space)...])
        if tag == "*" {
            return .untagged(try parseUntagged(rest, line: line))
        }
        guard tag.allSatisfy(Self.isTagCharacter) else { throw .malformed(line: line) }
        guard let status = parseStatus(rest), [.ok, .no, .bad].contains(status.kind) else {
            throw .malformed(line: line)
        }
        return .tagged(tag: tag, status)
    }

    static func parseUntagged(_ rest: String, line: String) throws(Error) -> IMAPUntagged {
        if let status = parseStatus(rest) { return .status(status) }
        let words = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = words.first else { throw .malformed(line: line) }
        if first.uppercased() == "CAPABILITY" {
            return .capability(words.dropFirst().map(String.init))
        }
        if words.count >= 2, let number = Int(first), words[1].uppercased() == "EXISTS" {
            return .exists(number)
        }
        guard first.allSatisfy({ $0.isASCIIDigitCharacter || Self.isAtomCharacter($0) }) else {
            throw .malformed(line: line)
        }
        return .other(rest)
    }

    /// `OK [CODE args] text`, `NO text`, ...; nil if the words are not a status.
    static func parseStatus(_ text: String) -> IMAPStatus? {
        let word = text.prefix { $0 != " " }
        guard let kind = IMAPStatus.Kind(rawValue: word.uppercased()) else { return nil }
        var rest = text.dropFirst(word.count)
        if rest.first == " " { rest = rest.dropFirst() }
        var code: String?
        if rest.first == "[", let close = rest.firstIndex(of: "]") {
            code = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if rest.first == " " { rest = rest.dropFirst() }
        }
        return IMAPStatus(kind: kind, code: code, text: String(rest))
    }

    static func isTagCharacter(_ character: Character) -> Bool {
        isAtomCharacter(character) && character != "+"
    }

    /// ATOM-CHAR of RFC 3501 §9: any CHAR except atom-specials.
    static func isAtomCharacter(_ character: Character) -> Bool {
        guard let ascii = character.asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"(){%*\"\\]".contains(character)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}
