import Foundation
import MailCanaryCore

/// Dovecot 2.3/2.4 login lines, from its own `log_path` (`Nov 22 20:22:12 imap-login: Info: …`)
/// or from syslog (`… host dovecot: imap-login: …`, `… dovecot[123]: …`):
///
/// - `Login: user=<u>, method=PLAIN, …` is a successful login (IMAP or POP3 by the service name);
/// - `Disconnected: … (auth failed, 1 attempts in 2 secs): user=<u>` (2.4: `Login aborted: …`,
///   2.2: `Aborted login (auth failed …)`) an authentication failure;
/// - `(auth service reported temporary failure)`, `(internal failure …)` the server's fault;
/// - `TLS handshaking: SSL_accept() failed: …` a TLS failure;
/// - disconnects without any login attempt (`no auth attempts`, probes, scanners) say nothing
///   about clients and are ignored, as are every other Dovecot line; other programs are unknown.
public struct DovecotLogParser: MailLogParser {
    public init() {}

    public mutating func parse(_ line: Substring, referenceMs: Int64) -> LogLineResult {
        guard let (time, afterTime) = LogTimestamp.parse(line, referenceMs: referenceMs) else { return .unknown }
        var rest = afterTime
        // Syslog: "host dovecot: " or "host dovecot[pid]: " before the service.
        if let marker = rest.range(of: "dovecot: ") ?? rest.range(of: "dovecot["), rest[..<marker.lowerBound].split(separator: " ").count <= 1 {
            rest = rest[marker.upperBound...]
            if let colon = rest.range(of: "]: "), rest[..<colon.lowerBound].allSatisfy(\.isNumber) { rest = rest[colon.upperBound...] }
        }
        let path: AccessPath
        if rest.hasPrefix("imap-login: ") {
            path = .imap
        } else if rest.hasPrefix("pop3-login: ") {
            path = .pop3
        } else if rest.hasPrefix("master: ") || rest.hasPrefix("auth: ") || rest.hasPrefix("auth-worker") || rest.hasPrefix("lmtp")
                    || rest.hasPrefix("imap(") || rest.hasPrefix("pop3(") || rest.hasPrefix("anvil: ") || rest.hasPrefix("config: ")
                    || rest.hasPrefix("stats: ") || rest.hasPrefix("lda(") || rest.hasPrefix("indexer") {
            return .ignored
        } else {
            return .unknown
        }
        let client: ClientKind = .imapClient
        let user = Self.field("user", in: rest)
        if rest.contains(": Login: ") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: false, user: user))
        }
        guard rest.contains("Disconnected") || rest.contains("Login aborted") || rest.contains("Aborted login") else { return .ignored }
        if rest.contains("(auth failed") || rest.contains("(tried to use disallowed") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true, error: "authentication failed", user: user))
        }
        if rest.contains("auth service reported temporary failure") || rest.contains("internal failure") || rest.contains("auth process")
            || rest.contains("client_limit") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true,
                                       error: "server error: the authentication service failed", user: user))
        }
        if let tls = rest.range(of: "TLS handshaking: ") {
            let reason = rest[tls.upperBound...].prefix { $0 != "," }
            // A client that hung up during the handshake is not a TLS failure of the server.
            guard reason != "Connection closed" else { return .ignored }
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true, error: "TLS handshake failed: \(reason)", user: user))
        }
        return .ignored
    }

    /// `name=<value>` → value (nil when empty).
    static func field(_ name: String, in text: Substring) -> String? {
        guard let start = text.range(of: "\(name)=<") else { return nil }
        let value = text[start.upperBound...].prefix { $0 != ">" }
        return value.isEmpty ? nil : String(value)
    }
}
