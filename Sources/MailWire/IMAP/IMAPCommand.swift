import Foundation

import MailCanaryCore

/// Builders for the IMAP commands a probe sends (RFC 3501 §6), each with its transcript text.
///
/// ```
/// C: a1 CAPABILITY
/// C: a2 STARTTLS
/// C: a3 LOGIN "alice" <redacted>
/// C: a4 AUTHENTICATE PLAIN <redacted>        (SASL-IR, RFC 4959)
/// C: a5 SELECT INBOX
/// C: a6 LOGOUT
/// ```
public enum IMAPCommand {
    public static func capability(tag: String) -> OutboundCommand { .init(line: "\(tag) CAPABILITY") }
    public static func startTLS(tag: String) -> OutboundCommand { .init(line: "\(tag) STARTTLS") }
    public static func select(tag: String, mailbox: String = "INBOX") -> OutboundCommand {
        .init(line: "\(tag) SELECT \(quoted(mailbox) ?? "INBOX")")
    }
    public static func logout(tag: String) -> OutboundCommand { .init(line: "\(tag) LOGOUT") }

    /// LOGIN with quoted strings; nil when the user name or password cannot be quoted
    /// (CR, LF or NUL), which the caller reports as a `config` failure.
    public static func login(tag: String, user: String, password: Secret) -> OutboundCommand? {
        guard let quotedUser = quoted(user), let quotedPassword = quoted(password.exposedForWire) else { return nil }
        return .init(head: "\(tag) LOGIN \(quotedUser)", secretTail: quotedPassword)
    }

    /// AUTHENTICATE with an initial response (SASL-IR, RFC 4959), used when the server lists SASL-IR.
    public static func authenticate(tag: String, mechanism: String, initialResponse: String) -> OutboundCommand {
        .init(head: "\(tag) AUTHENTICATE \(mechanism)", secretTail: initialResponse)
    }

    /// AUTHENTICATE without an initial response; the response goes after the `+` continuation.
    public static func authenticate(tag: String, mechanism: String) -> OutboundCommand {
        .init(line: "\(tag) AUTHENTICATE \(mechanism)")
    }

    /// A SASL response line sent after a continuation request; always secret.
    public static func saslResponse(_ response: String) -> OutboundCommand {
        .init(head: "", secretTail: response)
    }

    /// RFC 3501 quoted string; nil for characters a quoted string cannot carry.
    public static func quoted(_ text: String) -> String? {
        guard LineSafety.isSingleLine(text) else { return nil }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
