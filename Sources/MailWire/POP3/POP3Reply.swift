/// One POP3 status reply (RFC 1939 §3) with its extended response code (RFC 2449 §8, RFC 3206).
///
/// ```
/// S: +OK Dovecot ready.                  → ok, code nil
/// S: -ERR [AUTH] Authentication failed.  → err, code "AUTH"
/// S: -ERR [SYS/TEMP] Try again later     → err, code "SYS/TEMP"
/// S: +                                   → continuation (SASL, RFC 5034 §4)
/// ```
public struct POP3Reply: Equatable, Sendable {
    public enum Status: Equatable, Sendable { case ok, err, continuation }

    public var status: Status
    public var code: String?
    public var text: String
    public var line: String

    public init(status: Status, code: String?, text: String, line: String) {
        self.status = status
        self.code = code
        self.text = text
        self.line = line
    }

    /// Parses one reply line; nil when the line is not a POP3 reply at all.
    public static func parse(_ line: String) -> POP3Reply? {
        let status: Status
        var rest: Substring
        if line.hasPrefix("+OK") {
            status = .ok
            rest = line.dropFirst(3)
        } else if line.hasPrefix("-ERR") {
            status = .err
            rest = line.dropFirst(4)
        } else if line == "+" || line.hasPrefix("+ ") {
            return POP3Reply(status: .continuation, code: nil, text: String(line.dropFirst(2)), line: line)
        } else {
            return nil
        }
        guard rest.isEmpty || rest.first == " " else { return nil }
        rest = rest.drop { $0 == " " }
        var code: String?
        if rest.first == "[", let close = rest.firstIndex(of: "]") {
            code = String(rest[rest.index(after: rest.startIndex)..<close]).uppercased()
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        return POP3Reply(status: status, code: code, text: String(rest), line: line)
    }
}
