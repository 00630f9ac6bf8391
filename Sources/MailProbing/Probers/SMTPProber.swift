import Foundation
import MailCanaryCore
import MailWire
import NIOCore

/// SMTP submission, layer by layer (RFC 5321, RFC 6409, RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 8314):
///
/// ```
/// resolve → connect → [tls] → greeting → capability (EHLO) → [starttls → tls → capability (EHLO)]
///         → [token] → auth → operation (MAIL FROM, RSET) | mailflow (MAIL, RCPT, DATA) → logout (QUIT)
/// S: 220 mail.example.com ESMTP Postfix
/// C: EHLO mailcanary.invalid
/// S: 250-mail.example.com
/// S: 250-STARTTLS
/// S: 250 AUTH PLAIN LOGIN
/// C: AUTH PLAIN <redacted>
/// S: 235 2.7.0 Authentication successful
/// C: MAIL FROM:<alice@example.com>
/// S: 250 2.1.0 Ok
/// C: RSET
/// ```
public struct SMTPProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let settings = context.settings
        let connection = try await ProbeConnection.open(host: target.host, port: target.port, context: context, recorder: recorder)
        defer { connection.close() }
        if target.security == .implicitTLS { try await connection.startTLS() }
        var decoder = SMTPReplyDecoder(maxLineLength: settings.limits.maxLineLength)

        func readReply(_ step: StepName, _ what: String) async throws(ProbeFailure) -> SMTPReply {
            let reply = try await connection.read(step: step, waitingFor: what) { (buffer: inout ByteBuffer) throws(ProbeFailure) -> SMTPReply? in
                do throws(SMTPReplyDecoder.Error) {
                    return try decoder.decode(&buffer)
                } catch {
                    switch error {
                    case .lineTooLong(let limit):
                        throw ProbeFailure(.protocol, reason: .lineTooLong, step: step, message: "the server sent a line longer than \(limit) bytes")
                    case .tooManyLines(let limit):
                        throw ProbeFailure(.protocol, reason: .responseTooLarge, step: step, message: "the server sent a reply of more than \(limit) lines")
                    case .malformed(let line):
                        throw ProbeFailure(.protocol, reason: .malformed, step: step, message: "the server's bytes are not SMTP: \(String(line.prefix(80)))")
                    }
                }
            }
            for (index, line) in reply.lines.enumerated() {
                recorder.transcript.server("\(reply.code)\(index == reply.lines.count - 1 ? " " : "-")\(line)")
            }
            return reply
        }

        func exchange(_ command: OutboundCommand, _ step: StepName, _ what: String) async throws(ProbeFailure) -> SMTPReply {
            connection.send(command)
            return try await readReply(step, what)
        }

        func ehlo() async throws(ProbeFailure) -> [String: String] {
            try await recorder.step(.capability) { () async throws(ProbeFailure) in
                let reply = try await exchange(SMTPCommand.ehlo(settings.ehloName), .capability, "waiting for the EHLO answer")
                guard reply.code == 250 else { throw Self.failure(for: reply, step: .capability, doing: "accept EHLO") }
                let keywords = reply.ehloKeywords
                return (keywords, "EHLO: " + keywords.keys.sorted().joined(separator: " "))
            }
        }

        try await recorder.step(.greeting) { () async throws(ProbeFailure) in
            let reply = try await readReply(.greeting, "waiting for the greeting")
            guard reply.code == 220 else { throw Self.failure(for: reply, step: .greeting, doing: "start a session") }
            recorder.greeted = true
            return ((), reply.rendered)
        }

        var keywords = try await ehlo()
        if target.security == .startTLS && settings.upgradeToTLS {
            try await recorder.step(.starttls) { () async throws(ProbeFailure) in
                guard keywords["STARTTLS"] != nil else {
                    throw ProbeFailure(.tls, reason: .handshakeFailed, step: .starttls, message: "the server does not offer STARTTLS (stripped by an intermediary, or not configured)")
                }
                let reply = try await exchange(SMTPCommand.startTLS, .starttls, "waiting for the STARTTLS answer")
                guard reply.code == 220 else {
                    if reply.isTransientFailure { throw Self.failure(for: reply, step: .starttls, doing: "start TLS") }
                    throw ProbeFailure(.tls, reason: .handshakeFailed, step: .starttls, message: "the server refused STARTTLS: \(reply.rendered)", serverReply: reply.rendered)
                }
                return ((), reply.rendered)
            }
            try await connection.startTLS()
            keywords = try await ehlo()
        } else {
            recorder.skip(.starttls, target.security == .implicitTLS ? "implicit TLS" : "plain connection (as configured)")
        }
        recorder.facts["capabilities"] = keywords.keys.sorted().joined(separator: " ")
        if let size = keywords["SIZE"], !size.isEmpty { recorder.facts["maxMessageSize"] = size }

        let credentials = settings.credentials
        var sender = settings.mailFrom ?? credentials.user ?? "mailcanary@\(settings.ehloName)"
        if !sender.contains("@") { sender += "@\(target.host)" }
        if credentials.isEmpty {
            recorder.skip(.auth, "no credentials given")
        } else {
            let mechanisms = Set((keywords["AUTH"] ?? "").uppercased().split(separator: " ").map(String.init))
            let (user, token) = try await credentials.login(context: context, recorder: recorder)
            try await recorder.step(.auth) { () async throws(ProbeFailure) in
                guard !mechanisms.isEmpty else {
                    throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "the server offers no AUTH on this port (is it the submission port?)")
                }
                var reply: SMTPReply
                let label: String
                if let token {
                    guard mechanisms.contains("XOAUTH2") else {
                        throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "an OAuth token was given but the server does not offer AUTH XOAUTH2")
                    }
                    label = "XOAUTH2"
                    reply = try await exchange(SMTPCommand.auth(mechanism: "XOAUTH2", initialResponse: SASL.xoauth2(user: user, token: token)), .auth, "waiting for the AUTH answer")
                    if reply.code == 334 {
                        // RFC 7628 §3.2.3: the error JSON comes as a challenge; answer with an empty line.
                        if let decoded = SASL.decodeBase64(reply.lines.first ?? "") { recorder.facts["saslError"] = String(decoding: decoded, as: UTF8.self) }
                        reply = try await exchange(OutboundCommand(line: ""), .auth, "waiting for the AUTH answer")
                    }
                } else if let password = credentials.password, mechanisms.contains("PLAIN") {
                    label = "PLAIN"
                    reply = try await exchange(SMTPCommand.auth(mechanism: "PLAIN", initialResponse: SASL.plain(user: user, password: password)), .auth, "waiting for the AUTH answer")
                } else if let password = credentials.password, mechanisms.contains("LOGIN") {
                    label = "LOGIN"
                    reply = try await exchange(SMTPCommand.auth(mechanism: "LOGIN"), .auth, "waiting for the AUTH answer")
                    if reply.code == 334 { reply = try await exchange(SMTPCommand.saslResponse(SASL.base64(user)), .auth, "waiting for the AUTH answer") }
                    if reply.code == 334 { reply = try await exchange(SMTPCommand.saslResponse(SASL.base64(password.exposedForWire)), .auth, "waiting for the AUTH answer") }
                } else {
                    throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "no usable AUTH mechanism: the server offers \(mechanisms.sorted().joined(separator: " "))")
                }
                guard reply.code == 235 else { throw Self.failure(for: reply, step: .auth, doing: "authenticate") }
                return ((), "AUTH \(label) as \(user): \(reply.rendered)")
            }
        }

        // A notification (the message given) or a probe's test message: one delivery path.
        let outgoing = settings.outgoingMail ?? settings.sendTestMessageTo.map { Self.testMessage(from: sender, to: $0, settings: settings, at: context.startedAt) }
        if let outgoing {
            try await recorder.step(.mailflow) { () async throws(ProbeFailure) in
                guard let mail = SMTPCommand.mailFrom(outgoing.sender) else {
                    throw ProbeFailure(.config, reason: .invalidOption, step: .mailflow, message: "the sender is not a plain address")
                }
                var reply = try await exchange(mail, .mailflow, "waiting for the MAIL FROM answer")
                guard reply.code == 250 else { throw Self.failure(for: reply, step: .mailflow, doing: "accept the sender") }
                for recipient in outgoing.recipients {
                    guard let rcpt = SMTPCommand.rcptTo(recipient) else {
                        throw ProbeFailure(.config, reason: .invalidOption, step: .mailflow, message: "a recipient is not a plain address")
                    }
                    reply = try await exchange(rcpt, .mailflow, "waiting for the RCPT TO answer")
                    guard reply.code == 250 || reply.code == 251 else { throw Self.failure(for: reply, step: .mailflow, doing: "accept the recipient \(recipient)") }
                }
                reply = try await exchange(SMTPCommand.data, .mailflow, "waiting for the DATA answer")
                guard reply.code == 354 else { throw Self.failure(for: reply, step: .mailflow, doing: "accept DATA") }
                recorder.transcript.client("<message \(outgoing.messageID)>")
                connection.write(Array(SMTPCommand.dataBody(outgoing.text).utf8))
                reply = try await readReply(.mailflow, "waiting for the end-of-data answer")
                guard reply.code == 250 else { throw Self.failure(for: reply, step: .mailflow, doing: "queue the message") }
                recorder.facts["messageId"] = outgoing.messageID
                recorder.facts["queued"] = reply.rendered
                return ((), "message \(outgoing.messageID) accepted for \(outgoing.recipients.count) recipient(s): \(reply.rendered)")
            }
        } else {
            try await recorder.step(.operation) { () async throws(ProbeFailure) in
                guard let mail = SMTPCommand.mailFrom(sender) else {
                    throw ProbeFailure(.config, reason: .invalidOption, step: .operation, message: "the sender address is not a plain address")
                }
                let reply = try await exchange(mail, .operation, "waiting for the MAIL FROM answer")
                guard reply.code == 250 else { throw Self.failure(for: reply, step: .operation, doing: "accept the sender") }
                let reset = try await exchange(SMTPCommand.rset, .operation, "waiting for the RSET answer")
                guard reset.code == 250 else { throw Self.failure(for: reset, step: .operation, doing: "reset the transaction") }
                return ((), "MAIL FROM:<\(sender)> accepted, RSET")
            }
        }

        try await recorder.step(.logout) { () async throws(ProbeFailure) in
            let reply = try await exchange(SMTPCommand.quit, .logout, "waiting for the QUIT answer")
            return ((), reply.rendered)
        }
    }

    /// By reply code (RFC 5321 §4.2, RFC 4954 §6): 421 and other 4xx are the server's; 535 and
    /// 530 at AUTH are credentials; 534/538 at AUTH are our settings; 5xx at the sender is our
    /// settings; anything else unexpected breaks the protocol.
    static func failure(for reply: SMTPReply, step: StepName, doing what: String) -> ProbeFailure {
        let text = reply.rendered
        if reply.isTransientFailure {
            return ProbeFailure(.server, reason: reply.code == 421 ? .unavailable : .temporaryFailure, step: step,
                                message: "the server could not \(what) now: \(text)", serverReply: text)
        }
        if step == .greeting, reply.isPermanentFailure {
            return ProbeFailure(.server, reason: .unavailable, step: step, message: "the server refuses sessions: \(text)", serverReply: text)
        }
        if step == .auth {
            switch reply.code {
            case 534, 538:
                return ProbeFailure(.config, reason: .invalidOption, step: step, message: "the server refuses this mechanism here: \(text)", serverReply: text)
            case 535, 530, 501, 554:
                return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "credentials rejected: \(text)", serverReply: text)
            default: break
            }
        }
        if (step == .operation || step == .mailflow), reply.isPermanentFailure {
            return ProbeFailure(.config, reason: .invalidOption, step: step, message: "the server refused to \(what): \(text)", serverReply: text)
        }
        return ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "unexpected reply when asking the server to \(what): \(text)", serverReply: text)
    }

    /// The probe's own test message (`send_test_to`), marked as a probe's.
    static func testMessage(from sender: String, to recipient: String, settings: ProbeSettings, at date: Date) -> OutgoingMail {
        let messageID = "<mailcanary.\(UInt64(date.timeIntervalSince1970 * 1000)).\(UInt32.random(in: 0...UInt32.max))@\(settings.ehloName)>"
        let text = """
            From: MailCanary <\(sender)>
            To: <\(recipient)>
            Subject: MailCanary test message
            Date: \(rfc5322Date(date))
            Message-ID: \(messageID)
            X-MailCanary-Probe: 1

            This message was sent by a MailCanary SMTP probe to test mail submission.
            """
        return OutgoingMail(sender: sender, recipients: [recipient], messageID: messageID, text: text)
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
