/// One SMTP reply, its continuation lines folded (RFC 5321 §4.2).
///
/// ```
/// S: 250-mail.example.com
/// S: 250-STARTTLS
/// S: 250 AUTH PLAIN LOGIN      → SMTPReply(code: 250, lines: ["mail.example.com", "STARTTLS", "AUTH PLAIN LOGIN"])
/// ```
public struct SMTPReply: Equatable, Sendable {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositiveCompletion: Bool { (200..<300).contains(code) }
    public var isPositiveIntermediate: Bool { (300..<400).contains(code) }
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    public var isPermanentFailure: Bool { (500..<600).contains(code) }

    /// The reply as one line for messages: `535 5.7.8 Error: authentication failed`.
    public var rendered: String { "\(code) " + lines.joined(separator: " / ") }

    /// EHLO keywords (RFC 5321 §4.1.1.1): every line after the first, upper-cased first word.
    public var ehloKeywords: [String: String] {
        var keywords: [String: String] = [:]
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let first = parts.first else { continue }
            keywords[first.uppercased()] = parts.count > 1 ? String(parts[1]) : ""
        }
        return keywords
    }
}
