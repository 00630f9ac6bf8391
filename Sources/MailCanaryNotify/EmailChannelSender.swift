import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailProbing
import NIOPosix

/// Sends a notification through an SMTP relay with the project's own SMTP client (the SMTP
/// prober's layered session: resolve, connect, TLS, greeting, EHLO, STARTTLS, AUTH, MAIL/RCPT/DATA),
/// so the record of a failed send says at which layer it failed, like a probe.
public struct EmailChannelSender: Sendable {
    public init() {}

    public func send(_ message: NotificationMessage, channel: String, email: EmailChannelConfig, password: Secret?, caFile: String?,
                     timeout: Duration, nowMs: Int64) async -> DeliveryVerdict {
        let rendered = EmailFormat.message(message, from: email.from, to: email.to, channel: channel, dateMs: nowMs)
        var settings = ProbeSettings()
        settings.timeout = timeout
        settings.tls = TLSOptions(caFile: caFile)
        settings.credentials = Credentials(user: email.user, password: password)
        settings.ehloName = email.ehloName ?? "mailcanary.invalid"
        settings.outgoingMail = OutgoingMail(sender: email.from, recipients: email.to, messageID: rendered.messageID, text: rendered.text)
        settings.upgradeToTLS = email.security != .none
        let target = ProbeTarget(scheme: email.security == .tls ? .smtps : .smtp, host: email.host, port: email.port)
        let trust: TrustEvaluator
        do {
            trust = try TrustEvaluator(options: settings.tls)
        } catch {
            return .refused("cannot read the channel's CA file: \(error)")
        }
        let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, trust: trust)
        let result = await runner.run(target, settings: settings, now: Date(timeIntervalSince1970: Double(nowMs) / 1_000))
        guard result.outcome != .ok, let failureClass = result.failureClass else {
            return .delivered("SMTP: " + (result.facts["queued"] ?? "accepted"))
        }
        let detail = "SMTP \(result.failedStep?.rawValue ?? "session") failed (\(failureClass.rawValue)): \(result.error ?? "no detail")"
        switch failureClass {
        case .config, .auth, .protocol:
            // 5xx refusals, rejected credentials, a relay that does not speak SMTP: a person must act.
            return .refused(detail)
        default:
            return .retry(detail, retryAfterMs: nil)
        }
    }
}
