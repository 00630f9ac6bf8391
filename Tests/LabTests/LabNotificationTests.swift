import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify
import Testing

/// Notification e-mail through the lab's real Postfix, delivered by Dovecot's LMTP into the
/// mailbox, read back from the Maildir: the project's own SMTP client, STARTTLS, AUTH, a
/// hostile error text, and a refused password.
@Suite("Lab: notification e-mail through Postfix", .enabled(if: Lab.available), .serialized)
struct LabNotificationTests {
    let lab = Lab.current!

    func dispatcher(port: String, security: EmailChannelConfig.Security, password: String?) -> ChannelDispatcher {
        var email = EmailChannelConfig()
        email.host = lab.host
        email.port = Int(lab[port]) ?? 0
        email.security = security
        if password != nil {
            email.user = lab.user
            email.password = .environment("MC_LAB_RELAY_PASSWORD")
        }
        email.from = "mailcanary@lab.test"
        email.to = [lab.user]
        var channel = NotificationChannelConfig(id: "mail", kind: .email)
        channel.email = email
        channel.caFile = lab.caFile
        var config = NotificationConfig()
        config.channels = [channel]
        return ChannelDispatcher(config: config, environment: password.map { ["MC_LAB_RELAY_PASSWORD": $0] } ?? [:])
    }

    static let hostile = "<script>alert(1)</script> \r\nBcc: victim@example.com\r\n.\r\nQUIT ✓"

    func message(key: String) -> NotificationMessage {
        let incident = IncidentDigest(id: "lab-\(key)", service: "lab", status: .serviceInterruption, openedMs: 1_764_062_040_000,
                                      paths: ["imap"], regions: ["local"], cause: "server-side", workaround: "Use Outlook on the web.",
                                      sampleErrors: [Self.hostile])
        return NotificationMessage(transition: NotificationTransition(kind: .opened, key: "lab-\(key)/opened", atMs: 1_764_062_040_000,
                                                                      summary: "opened (service interruption)"), incident: incident)
    }

    /// The delivered file holding a Message-ID, waiting for Postfix and LMTP.
    func delivered(_ messageID: String) async throws -> String? {
        let maildir = lab["DIR"] + "/mail/\(lab.user)/Maildir"
        for _ in 0..<100 {
            for folder in ["new", "cur"] {
                let path = maildir + "/" + folder
                for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    if let text = try? String(contentsOfFile: path + "/" + name, encoding: .utf8), text.contains("Message-ID: \(messageID)") {
                        return text
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    @Test("submission with STARTTLS and AUTH: the message reaches the mailbox intact and escaped")
    func submission() async throws {
        let key = UUID().uuidString
        let message = message(key: key)
        let verdict = await dispatcher(port: "SUBMISSION_PORT", security: .starttls, password: lab.password)
            .send(message, channelID: "mail", nowMs: Int64(Date().timeIntervalSince1970 * 1_000))
        guard case .delivered(let detail) = verdict else { Issue.record("not delivered: \(verdict)"); return }
        #expect(detail.contains("250"))
        let id = EmailFormat.message(message, from: "mailcanary@lab.test", to: [lab.user], channel: "mail", dateMs: 0).messageID
        let text = try #require(try await delivered(id), "the message did not arrive in the Maildir")
        let header = text.components(separatedBy: "\r\n\r\n").first ?? text.components(separatedBy: "\n\n").first ?? ""
        #expect(!header.lowercased().contains("bcc:"))
        #expect(header.contains("Subject: "))
        #expect(header.contains("X-MailCanary-Delivery: lab-\(key)/opened"))
        // Both parts decode; the HTML one shows the hostile text escaped.
        let parts = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "Content-Transfer-Encoding: base64\n\n").dropFirst()
        let decoded = parts.map { part in
            String(decoding: Data(base64Encoded: part.components(separatedBy: "\n--")[0].replacingOccurrences(of: "\n", with: "")) ?? Data(), as: UTF8.self)
        }
        #expect(decoded.count == 2)
        #expect(decoded.first?.contains(Self.hostile) == true)
        #expect(decoded.last?.contains("&lt;script&gt;") == true && decoded.last?.contains("<script>") == false)
    }

    @Test("a relay on port 25 without TLS (security: none) takes the message too")
    func plainRelay() async throws {
        let key = UUID().uuidString
        let message = message(key: key)
        let verdict = await dispatcher(port: "SMTP_PORT", security: .none, password: nil)
            .send(message, channelID: "mail", nowMs: Int64(Date().timeIntervalSince1970 * 1_000))
        guard case .delivered = verdict else { Issue.record("not delivered: \(verdict)"); return }
        let id = EmailFormat.message(message, from: "mailcanary@lab.test", to: [lab.user], channel: "mail", dateMs: 0).messageID
        #expect(try await delivered(id) != nil)
    }

    @Test("a wrong relay password is refused (not retried), and the password is in no answer")
    func wrongPassword() async throws {
        let wrong = "wrong-\(UUID().uuidString)"
        let verdict = await dispatcher(port: "SUBMISSION_PORT", security: .starttls, password: wrong)
            .send(message(key: UUID().uuidString), channelID: "mail", nowMs: Int64(Date().timeIntervalSince1970 * 1_000))
        guard case .refused(let detail) = verdict else { Issue.record("not refused: \(verdict)"); return }
        #expect(detail.contains("auth"))
        #expect(!detail.contains(wrong))
    }

    @Test("an unreachable relay is retried later")
    func unreachable() async throws {
        var email = EmailChannelConfig()
        email.host = lab.host
        email.port = 1
        email.from = "mailcanary@lab.test"
        email.to = [lab.user]
        let verdict = await EmailChannelSender().send(message(key: "x"), channel: "mail", email: email, password: nil, caFile: lab.caFile,
                                                      timeout: .seconds(5), nowMs: 0)
        guard case .retry(let detail, _) = verdict else { Issue.record("not retried: \(verdict)"); return }
        #expect(detail.contains("connect"))
    }
}
