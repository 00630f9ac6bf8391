import MailCanaryCore
import MailWire
import NIOCore

/// POP3, layer by layer (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 SASL, RFC 3206 codes):
///
/// ```
/// resolve → connect → [tls] → greeting → [starttls → tls] → capability → [token] → auth → operation (STAT) → logout (QUIT)
/// S: +OK Dovecot ready.
/// C: STLS
/// S: +OK Begin TLS negotiation now.
/// C: CAPA
/// S: +OK
/// S: SASL PLAIN XOAUTH2
/// S: .
/// C: AUTH PLAIN <redacted>
/// S: +OK Logged in.
/// C: STAT
/// S: +OK 3 1420
/// C: QUIT
/// ```
public struct POP3Prober: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let connection = try await ProbeConnection.open(host: target.host, port: target.port, context: context, recorder: recorder)
        defer { connection.close() }
        if target.security == .implicitTLS { try await connection.startTLS() }
        let framer = LineFramer(maxLineLength: context.settings.limits.maxLineLength)

        func readReply(_ step: StepName, _ what: String) async throws(ProbeFailure) -> POP3Reply {
            let line = try await connection.read(step: step, waitingFor: what) { (buffer: inout ByteBuffer) throws(ProbeFailure) -> String? in
                switch framer.nextLine(&buffer) {
                case .needMoreData: return nil
                case .line(let line): return line
                case .lineTooLong:
                    throw ProbeFailure(.protocol, reason: .lineTooLong, step: step, message: "the server sent a line longer than \(framer.maxLineLength) bytes")
                }
            }
            recorder.transcript.server(line)
            guard let reply = POP3Reply.parse(line) else {
                throw ProbeFailure(.protocol, reason: .malformed, step: step, message: "the server's bytes are not POP3: \(String(line.prefix(80)))")
            }
            return reply
        }

        try await recorder.step(.greeting) { () async throws(ProbeFailure) in
            let reply = try await readReply(.greeting, "waiting for the greeting")
            guard reply.status == .ok else {
                throw Self.failure(for: reply, step: .greeting, doing: "start a session")
            }
            recorder.greeted = true
            return ((), reply.line)
        }

        if target.security == .startTLS {
            try await recorder.step(.starttls) { () async throws(ProbeFailure) in
                connection.send(POP3Command.stls)
                let reply = try await readReply(.starttls, "waiting for the STLS answer")
                guard reply.status == .ok else {
                    throw ProbeFailure(.tls, reason: .handshakeFailed, step: .starttls, message: "the server refused STLS: \(reply.text)", serverReply: reply.line)
                }
                return ((), reply.line)
            }
            try await connection.startTLS()
        } else {
            recorder.skip(.starttls, target.security == .implicitTLS ? "implicit TLS" : "plain connection")
        }

        let capabilities = try await recorder.step(.capability) { () async throws(ProbeFailure) in
            connection.send(POP3Command.capa)
            let reply = try await readReply(.capability, "waiting for CAPA")
            guard reply.status == .ok else { return ([String](), "CAPA not supported: \(reply.text)") }
            var reader = POP3MultilineReader(maxLineLength: context.settings.limits.maxLineLength)
            _ = try await connection.read(step: .capability, waitingFor: "reading the CAPA list") { (buffer: inout ByteBuffer) throws(ProbeFailure) -> Bool? in
                do {
                    return try reader.read(&buffer) ? true : nil
                } catch {
                    throw ProbeFailure(.protocol, reason: .responseTooLarge, step: .capability, message: "the CAPA list is too long: \(error)")
                }
            }
            for line in reader.lines { recorder.transcript.server(line) }
            return (reader.lines, reader.lines.joined(separator: ", "))
        }
        recorder.facts["capabilities"] = capabilities.joined(separator: ", ")

        if context.settings.credentials.isEmpty {
            recorder.skip(.auth, "no credentials given: checked to the capability step")
            recorder.skip(.operation, "needs credentials")
        } else {
            let credentials = context.settings.credentials
            let sasl = Set(capabilities.first { $0.uppercased().hasPrefix("SASL") }?
                .uppercased().split(separator: " ").dropFirst().map(String.init) ?? [])
            let (user, token) = try await credentials.login(context: context, recorder: recorder)
            try await recorder.step(.auth) { () async throws(ProbeFailure) in
                let command: OutboundCommand
                let label: String
                if let token {
                    guard sasl.contains("XOAUTH2") else {
                        throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "an OAuth token was given but the server does not offer SASL XOAUTH2")
                    }
                    command = POP3Command.auth(mechanism: "XOAUTH2", initialResponse: SASL.xoauth2(user: user, token: token))
                    label = "AUTH XOAUTH2"
                } else if let password = credentials.password, sasl.contains("PLAIN") {
                    command = POP3Command.auth(mechanism: "PLAIN", initialResponse: SASL.plain(user: user, password: password))
                    label = "AUTH PLAIN"
                } else if let password = credentials.password {
                    guard let userCommand = POP3Command.user(user), let passCommand = POP3Command.pass(password) else {
                        throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "the user name or password contains a line break")
                    }
                    connection.send(userCommand)
                    let userReply = try await readReply(.auth, "waiting for the USER answer")
                    guard userReply.status == .ok else { throw Self.failure(for: userReply, step: .auth, doing: "log in") }
                    command = passCommand
                    label = "USER/PASS"
                } else {
                    throw ProbeFailure(.config, reason: .missingCredential, step: .auth, message: "no password or token")
                }
                connection.send(command)
                var reply = try await readReply(.auth, "waiting for the authentication answer")
                if reply.status == .continuation {
                    if let decoded = SASL.decodeBase64(reply.text) { recorder.facts["saslError"] = String(decoding: decoded, as: UTF8.self) }
                    connection.send(OutboundCommand(line: ""))
                    reply = try await readReply(.auth, "waiting for the authentication answer")
                }
                guard reply.status == .ok else { throw Self.failure(for: reply, step: .auth, doing: "log in") }
                return ((), "\(label) as \(user): \(reply.text)")
            }
            try await recorder.step(.operation) { () async throws(ProbeFailure) in
                connection.send(POP3Command.stat)
                let reply = try await readReply(.operation, "waiting for STAT")
                guard reply.status == .ok else { throw Self.failure(for: reply, step: .operation, doing: "count messages") }
                let parts = reply.text.split(separator: " ")
                guard parts.count >= 2, let count = Int(parts[0]), let size = Int(parts[1]) else {
                    throw ProbeFailure(.protocol, reason: .malformed, step: .operation, message: "malformed STAT answer: \(reply.line)")
                }
                recorder.facts["messages"] = String(count)
                return ((), "STAT: \(count) messages, \(size) octets")
            }
        }

        try await recorder.step(.logout) { () async throws(ProbeFailure) in
            connection.send(POP3Command.quit)
            let reply = try await readReply(.logout, "waiting for the QUIT answer")
            return ((), reply.line)
        }
    }

    /// `-ERR` by extended code (RFC 2449 §8, RFC 3206): `[SYS/…]` and `[IN-USE]` are the
    /// server's, `[AUTH]` and an uncoded refusal at login are credentials.
    static func failure(for reply: POP3Reply, step: StepName, doing what: String) -> ProbeFailure {
        let code = reply.code ?? ""
        if code.hasPrefix("SYS") || code == "IN-USE" || code == "LOGIN-DELAY" || step == .greeting {
            return ProbeFailure(.server, reason: .unavailable, step: step, message: "the server could not \(what): \(reply.text)", serverReply: reply.line)
        }
        if step == .auth {
            return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "credentials rejected: \(reply.text)", serverReply: reply.line)
        }
        return ProbeFailure(.server, reason: .serverError, step: step, message: "the server could not \(what): \(reply.text)", serverReply: reply.line)
    }
}
