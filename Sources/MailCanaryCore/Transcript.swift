/// A bounded record of the conversation, `C: ` for what the probe sent and `S: ` for what the
/// server answered.
///
/// Credentials never enter it: encoders hand over an already-redacted line (see `MailWire`'s
/// `OutboundCommand`). Bounded in lines and in characters per line so that a hostile server
/// cannot make the transcript large.
public struct Transcript: Codable, Sendable, Equatable {
    public private(set) var lines: [String]
    public private(set) var truncated: Bool

    /// Default 200 lines: enough for a full IMAP/SMTP dialogue with capability lists.
    public var maxLines: Int
    /// Default 512 characters: a line longer than that is cut and marked with `…`.
    public var maxLineLength: Int

    public init(maxLines: Int = 200, maxLineLength: Int = 512) {
        self.lines = []
        self.truncated = false
        self.maxLines = maxLines
        self.maxLineLength = maxLineLength
    }

    public mutating func client(_ text: String) { append("C: " + text) }
    public mutating func server(_ text: String) { append("S: " + text) }
    public mutating func note(_ text: String) { append("-- " + text) }

    private mutating func append(_ line: String) {
        guard lines.count < maxLines else {
            truncated = true
            return
        }
        var cleaned = line
        // Control characters would break a terminal or a page; most lines have none.
        if line.utf8.contains(where: { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F }) {
            cleaned = String(String.UnicodeScalarView(line.unicodeScalars.map { scalar in
                (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F ? "·" : scalar
            }))
        }
        if cleaned.utf8.count > maxLineLength, cleaned.count > maxLineLength {
            cleaned = String(cleaned.prefix(maxLineLength)) + "…"
        }
        lines.append(cleaned)
    }

    enum CodingKeys: String, CodingKey { case lines, truncated }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.lines = try container.decode([String].self, forKey: .lines)
        self.truncated = try container.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
        self.maxLines = 200
        self.maxLineLength = 512
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lines, forKey: .lines)
        try container.encode(truncated, forKey: .truncated)
    }
}
