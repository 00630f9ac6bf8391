import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryWatch

/// Renders a message for a configured channel and sends it; reads the channel's secrets (URL,
/// signing key, relay password) at the moment of sending, so a rotated secret is picked up
/// without a restart and no secret is held in the outbox.
public struct ChannelDispatcher: Sendable {
    public var config: NotificationConfig
    public var environment: [String: String]
    let http: HTTPChannelSender
    let email = EmailChannelSender()

    public init(config: NotificationConfig, environment: [String: String] = ProcessInfo.processInfo.environment, http: HTTPChannelSender = HTTPChannelSender()) {
        self.config = config
        self.environment = environment
        self.http = http
    }

    public func send(_ message: NotificationMessage, channelID: String, nowMs: Int64) async -> DeliveryVerdict {
        guard let channel = config.channel(channelID) else {
            return .refused("no channel is named '\(channelID)' in the configuration any more")
        }
        switch channel.kind {
        case .webhook, .slack, .teams:
            let url: String
            switch channel.url {
            case .inline(let text)?: url = text
            case .secret(let reference)?:
                switch SecretReader.read(reference, environment: environment) {
                case .success(let secret): url = secret.exposedForWire
                case .failure(let error): return .retry("the channel's url: \(error.message)", retryAfterMs: nil)
                }
            case nil: return .refused("the channel has no url")
            }
            var headers = [("Content-Type", "application/json; charset=utf-8")]
            let body: [UInt8]
            switch channel.kind {
            case .slack: body = SlackFormat.body(message)
            case .teams: body = TeamsFormat.body(message)
            default:
                body = WebhookFormat.body(message)
                headers += [("X-MailCanary-Event", message.transition.kind.rawValue), ("X-MailCanary-Delivery", message.transition.key)]
                if let reference = channel.signingSecret {
                    switch SecretReader.read(reference, environment: environment) {
                    case .success(let secret):
                        let timestamp = nowMs / 1_000
                        headers += [("X-MailCanary-Timestamp", String(timestamp)),
                                    ("X-MailCanary-Signature", WebhookFormat.signature(body: body, secret: secret, timestampSeconds: timestamp))]
                    case .failure(let error):
                        return .retry("the channel's signing_secret: \(error.message)", retryAfterMs: nil)
                    }
                }
            }
            return await http.post(url: url, headers: headers, body: body, timeout: channel.timeout, caFile: channel.caFile, nowMs: nowMs)
        case .email:
            guard let relay = channel.email else { return .refused("the channel has no smtp relay") }
            var password: Secret?
            if let reference = relay.password {
                switch SecretReader.read(reference, environment: environment) {
                case .success(let secret): password = secret
                case .failure(let error): return .retry("the relay password: \(error.message)", retryAfterMs: nil)
                }
            }
            return await email.send(message, channel: channel.id, email: relay, password: password, caFile: channel.caFile,
                                    timeout: channel.timeout, nowMs: nowMs)
        }
    }

    public func shutdown() async {
        await http.shutdown()
    }
}
