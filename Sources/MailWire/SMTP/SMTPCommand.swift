import MailCanaryCore

/// Builders for the SMTP commands a probe sends (RFC 5321 §4.1, RFC 3207, RFC 4954).
///
/// ```
/// C: EHLO probe.mailcanary.invalid
/// C: STARTTLS
/// C: AUTH PLAIN <redacted>
/// C: MAIL FROM:<probe@example.com>
/// C: RSET
/// C: QUIT
/// ```
public enum SMTPCommand {
    public static func ehlo(_ name: String) -> OutboundCommand { .init(line: "EHLO \(name)") }
    public static let startTLS = OutboundCommand(line: "STARTTLS")
    public static let rset = OutboundCommand(line: "RSET")
    public static let quit = OutboundCommand(line: "QUIT")
    public static let data = OutboundCommand(line: "DATA")

    public static func auth(mechanism: String, initialResponse: String) -> OutboundCommand {
        .init(head: "AUTH \(mechanism)", secretTail: initialResponse)
    }

    public static func auth(mechanism: String) -> OutboundCommand { .init(line: "AUTH \(mechanism)") }

    /// A response to a 334 challenge; always treated as secret.
    public static func saslResponse(_ response: String) -> OutboundCommand { .init(head: "", secretTail: response) }

    public static func mailFrom(_ address: String) -> OutboundCommand? {
        guard isSafeAddress(address) else { return nil }
        return .init(line: "MAIL FROM:<\(address)>")
    }

    public static func rcptTo(_ address: String) -> OutboundCommand? {
        guard isSafeAddress(address) else { return nil }
        return .init(line: "RCPT TO:<\(address)>")
    }

    static func isSafeAddress(_ address: String) -> Bool {
        LineSafety.isSingleLine(address) && !address.contains(where: { $0 == "<" || $0 == ">" || $0 == " " })
    }

    /// The message body for DATA with dot-stuffing (RFC 5321 §4.5.2) and the terminating `.`.
    public static func dataBody(_ message: String) -> String {
        var out = ""
        for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
            var text = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if text.hasPrefix(".") { text = "." + text }
            out += text + "\r\n"
        }
        return out + ".\r\n"
    }
}
