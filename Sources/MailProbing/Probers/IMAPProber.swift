import MailCanaryCore
import MailWire

/// IMAP, layer by layer (RFC 3501 / RFC 9051):
///
/// ```
/// resolve → connect → [tls] → greeting → [starttls → tls] → capability → [token] → auth → operation (SELECT) → logout
/// S: * OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN] Dovecot ready.
/// C: a1 STARTTLS
/// S: a1 OK Begin TLS negotiation now.
/// C: a2 CAPABILITY
/// S: * CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN AUTH=XOAUTH2
/// S: a2 OK Pre-login capabilities listed, post-login capabilities have more.
/// C: a3 AUTHENTICATE PLAIN <redacted>
/// S: a3 OK Logged in
/// C: a4 SELECT INBOX
/// S: * 3 EXISTS
/// S: a4 OK [READ-WRITE] Select completed.
/// C: a5 LOGOUT
/// ```
/// `PREAUTH` on a connection that must still be upgraded is refused: STARTTLS is impossible in
/// the authenticated state (RFC 3501 §6.2.1), so accepting it would skip TLS.
public struct IMAPProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let connection = try await ProbeConnection.open(host: target.host, port: target.port, context: context, recorder: recorder)
        defer { connection.close() }
        if target.security == .implicitTLS { try await connection.startTLS() }
        let session = IMAPSession(connection: connection, recorder: recorder, limits: context.settings.limits)

        let preauthenticated = try await recorder.step(.greeting) { () async throws(ProbeFailure) in
            let response = try await session.readResponse(step: .greeting, waitingFor: "waiting for the greeting")
            guard case .untagged(.status(let status)) = response else {
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .greeting, message: "the first line is not an IMAP greeting: \(IMAPSession.render(response))")
            }
            switch status.kind {
            case .ok:
                recorder.greeted = true
                return (false, status.rendered)
            case .preauth:
                recorder.greeted = true
                if target.security == .startTLS {
                    throw ProbeFailure(.protocol, reason: .startTLSRequired, step: .greeting,
                                       message: "the server sent PREAUTH before STARTTLS; refusing to continue without TLS", serverReply: "* " + status.rendered)
                }
                return (true, status.rendered)
            case .bye:
                throw ProbeFailure(.server, reason: .unavailable, step: .greeting, message: "the server refused the session: \(status.text)", serverReply: "* " + status.rendered)
            case .no, .bad:
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .greeting, message: "unexpected greeting: \(status.rendered)", serverReply: "* " + status.rendered)
            }
        }

        if target.security == .startTLS {
            try await recorder.step(.starttls) { () async throws(ProbeFailure) in
                let tag = session.nextTag()
                connection.send(IMAPCommand.startTLS(tag: tag))
                let (_, status) = try await session.readUntilTagged(tag, step: .starttls, waitingFor: "waiting for the STARTTLS answer")
                guard status.kind == .ok else {
                    throw ProbeFailure(.tls, reason: .handshakeFailed, step: .starttls,
                                       message: "the server refused STARTTLS: \(status.text)", serverReply: "\(tag) \(status.rendered)")
                }
                return ((), status.rendered)
            }
            try await connection.startTLS()
        } else {
            recorder.skip(.starttls, target.security == .implicitTLS ? "implicit TLS" : "plain connection")
        }

        let capabilities = try await recorder.step(.capability) { () async throws(ProbeFailure) in
            let tag = session.nextTag()
            connection.send(IMAPCommand.capability(tag: tag))
            let (untagged, status) = try await session.readUntilTagged(tag, step: .capability, waitingFor: "waiting for CAPABILITY")
            guard status.kind == .ok else { throw IMAPSession.failure(for: status, step: .capability, doing: "list capabilities") }
            let caps = untagged.reduce(into: [String]()) { result, data in
                if case .capability(let list) = data { result += list }
            }
            let set = Set(caps.map { $0.uppercased() })
            guard set.contains("IMAP4REV1") || set.contains("IMAP4REV2") else {
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .capability, message: "the server lists neither IMAP4rev1 nor IMAP4rev2")
            }
            return (set, caps.joined(separator: " "))
        }
        recorder.facts["capabilities"] = capabilities.sorted().joined(separator: " ")

        if preauthenticated {
            recorder.skip(.auth, "the server pre-authenticated the session (PREAUTH)")
        } else if context.settings.credentials.isEmpty {
            recorder.skip(.auth, "no credentials given: checked to the capability step")
            recorder.skip(.operation, "needs credentials")
            try await logout(session: session, recorder: recorder)
            return
        } else {
            try await authenticate(session: session, capabilities: capabilities, context: context, recorder: recorder)
        }

        try await recorder.step(.operation) { () async throws(ProbeFailure) in
            let tag = session.nextTag()
            connection.send(IMAPCommand.select(tag: tag, mailbox: context.settings.mailbox))
            let (untagged, status) = try await session.readUntilTagged(tag, step: .operation, waitingFor: "waiting for SELECT")
            guard status.kind == .ok else { throw IMAPSession.failure(for: status, step: .operation, doing: "select \(context.settings.mailbox)") }
            let count = untagged.lazy.compactMap { data -> Int? in
                if case .exists(let count) = data { return count }
                return nil
            }.last
            recorder.facts["messages"] = count.map(String.init)
            return ((), "SELECT \(context.settings.mailbox): \(count.map { "\($0) messages" } ?? "no EXISTS count")")
        }
        try await logout(session: session, recorder: recorder)
    }

    func authenticate(session: IMAPSession, capabilities: Set<String>, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let credentials = context.settings.credentials
        let (user, token) = try await credentials.login(context: context, recorder: recorder)
        try await recorder.step(.auth) { () async throws(ProbeFailure) in
            let tag = session.nextTag()
            let saslIR = capabilities.contains("SASL-IR")
            let mechanism: String
            let initial: String
            if let token {
                guard capabilities.contains("AUTH=XOAUTH2") else {
                    throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "an OAuth token was given but the server does not offer AUTH=XOAUTH2")
                }
                mechanism = "XOAUTH2"
                initial = SASL.xoauth2(user: user, token: token)
            } else if let password = credentials.password {
                if capabilities.contains("AUTH=PLAIN") {
                    mechanism = "PLAIN"
                    initial = SASL.plain(user: user, password: password)
                } else {
                    guard !capabilities.contains("LOGINDISABLED") else {
                        throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "the server disables LOGIN and offers no AUTH=PLAIN")
                    }
                    guard let login = IMAPCommand.login(tag: tag, user: user, password: password) else {
                        throw ProbeFailure(.config, reason: .invalidOption, step: .auth, message: "the user name or password contains a line break")
                    }
                    session.connection.send(login)
                    let (_, status) = try await session.readUntilTagged(tag, step: .auth, waitingFor: "waiting for the LOGIN answer")
                    guard status.kind == .ok else { throw IMAPSession.failure(for: status, step: .auth, doing: "log in") }
                    return ((), "LOGIN as \(user): \(status.text)")
                }
            } else {
                throw ProbeFailure(.config, reason: .missingCredential, step: .auth, message: "no password or token")
            }
            if saslIR {
                session.connection.send(IMAPCommand.authenticate(tag: tag, mechanism: mechanism, initialResponse: initial))
            } else {
                session.connection.send(IMAPCommand.authenticate(tag: tag, mechanism: mechanism))
            }
            var sentInitial = saslIR
            while true {
                let response = try await session.readResponse(step: .auth, waitingFor: "waiting for the AUTHENTICATE answer")
                switch response {
                case .continuation(let challenge):
                    if !sentInitial {
                        session.connection.send(IMAPCommand.saslResponse(initial))
                        sentInitial = true
                    } else {
                        // XOAUTH2 failure: a base64 JSON error; answer with an empty line (RFC 7628 §3.2.3).
                        if let decoded = SASL.decodeBase64(challenge) { recorder.facts["saslError"] = String(decoding: decoded, as: UTF8.self) }
                        session.connection.send(OutboundCommand(line: ""))
                    }
                case .tagged(let responseTag, let status) where responseTag == tag:
                    guard status.kind == .ok else {
                        var failure = IMAPSession.failure(for: status, step: .auth, doing: "authenticate")
                        if let detail = recorder.facts["saslError"] { failure.message += " (\(detail))" }
                        throw failure
                    }
                    return ((), "AUTHENTICATE \(mechanism) as \(user): \(status.text)")
                case .untagged(let data):
                    if let bye = IMAPSession.bye(data) {
                        throw ProbeFailure(.server, reason: .unavailable, step: .auth, message: "the server ended the session: \(bye.text)", serverReply: "* " + bye.rendered)
                    }
                case .tagged(let other, _):
                    throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .auth, message: "the server answered tag \(other), expected \(tag)")
                }
            }
        }
    }

    func logout(session: IMAPSession, recorder: ProbeRecorder) async throws(ProbeFailure) {
        try await recorder.step(.logout) { () async throws(ProbeFailure) in
            let tag = session.nextTag()
            session.connection.send(IMAPCommand.logout(tag: tag))
            let (_, status) = try await session.readUntilTagged(tag, step: .logout, waitingFor: "waiting for the LOGOUT answer", byeExpected: true)
            return ((), status.rendered)
        }
    }
}
