import Foundation
import MailCanaryCore

/// Postfix smtpd lines (`… postfix/submission/smtpd[123]: …`, from `maillog_file` or syslog).
/// The path comes from the syslog name: `submission` and `smtps` are client submission, plain
/// `smtpd` is inbound SMTP.
///
/// - a submission session's `disconnect from … auth=1 …` is a successful login (a failed one,
///   `auth=0/1`, was counted at its SASL warning); inbound mail counts at its `QUEUEID: client=` line;
/// - `warning: host[ip]: SASL PLAIN authentication failed: …, sasl_username=u` an authentication failure;
/// - `SSL_accept error from host[ip]: reason` a TLS failure;
/// - `NOQUEUE: reject: RCPT from …: 554 5.7.1 …` a rejection, with its reply;
/// - `warning: … SASL authentication failure: cannot connect to saslauthd` (and Dovecot SASL
///   socket errors) the server's fault;
/// - connects, disconnects and lost connections are ignored; other programs are unknown.
public struct PostfixLogParser: MailLogParser {
    public init() {}

    public mutating func parse(_ line: Substring, referenceMs: Int64) -> LogLineResult {
        guard let (time, afterTime) = LogTimestamp.parse(line, referenceMs: referenceMs) else { return .unknown }
        guard let start = afterTime.range(of: "postfix") else { return .unknown }
        let program = afterTime[start.lowerBound...].prefix { $0 != "[" && $0 != ":" }
        guard let colon = afterTime[start.lowerBound...].range(of: ": ") else { return .unknown }
        let message = afterTime[colon.upperBound...]
        guard program.hasSuffix("/smtpd") else { return .ignored }
        let submission = program.contains("submission") || program.contains("smtps")
        let path: AccessPath = submission ? .smtpSubmission : .smtpInbound
        let client: ClientKind = submission ? .imapClient : .smtpClient
        let user = Self.value("sasl_username", in: message)
        if message.contains("SASL") && message.contains("authentication failed") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true, error: "authentication failed", user: user))
        }
        if message.contains("SASL authentication failure") || message.contains("connect to private/auth") || message.contains("connect to saslauthd") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true,
                                       error: "server error: the SASL authentication service failed"))
        }
        if message.hasPrefix("SSL_accept error from ") {
            let reason = message.split(separator: ": ", maxSplits: 1).dropFirst().first ?? "handshake failed"
            // A client that hung up mid-handshake (often a port check) is not a server's TLS failure.
            guard reason != "lost connection" else { return .ignored }
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true, error: "TLS handshake failed: \(reason)"))
        }
        if message.hasPrefix("NOQUEUE: reject: ") {
            let reply = message.split(separator: ": ", maxSplits: 3).dropFirst(3).first?.prefix { $0 != ";" } ?? "rejected"
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: true, error: "rejected: \(reply)", user: user))
        }
        if submission, message.hasPrefix("disconnect from "),
           let auth = message.split(separator: " ").first(where: { $0.hasPrefix("auth=") }), !auth.contains("/") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: false))
        }
        if !submission, message.contains(": client="), !message.hasPrefix("NOQUEUE") {
            return .event(MailLogEvent(timeMs: time, path: path, client: client, failed: false))
        }
        return .ignored
    }

    /// `name=value` up to the next comma.
    static func value(_ name: String, in text: Substring) -> String? {
        guard let start = text.range(of: "\(name)=") else { return nil }
        let value = text[start.upperBound...].prefix { $0 != "," && $0 != " " }
        return value.isEmpty ? nil : String(value)
    }
}
