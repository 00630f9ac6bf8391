import MailCanaryCore

/// Builders for the POP3 commands a probe sends (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH).
///
/// ```
/// C: CAPA
/// C: STLS
/// C: USER alice
/// C: PASS <redacted>
/// C: AUTH PLAIN <redacted>
/// C: STAT
/// C: QUIT
/// ```
public enum POP3Command {
    public static let capa = OutboundCommand(line: "CAPA")
    public static let stls = OutboundCommand(line: "STLS")
    public static let stat = OutboundCommand(line: "STAT")
    public static let quit = OutboundCommand(line: "QUIT")

    public static func user(_ name: String) -> OutboundCommand? {
        guard isSafe(name) else { return nil }
        return .init(line: "USER \(name)")
    }

    public static func pass(_ password: Secret) -> OutboundCommand? {
        guard isSafe(password.exposedForWire) else { return nil }
        return .init(head: "PASS", secretTail: password.exposedForWire)
    }

    public static func auth(mechanism: String, initialResponse: String) -> OutboundCommand {
        .init(head: "AUTH \(mechanism)", secretTail: initialResponse)
    }

    public static func saslResponse(_ response: String) -> OutboundCommand {
        .init(head: "", secretTail: response)
    }

    static func isSafe(_ text: String) -> Bool {
        LineSafety.isSingleLine(text)
    }
}
