import Crypto
import Foundation
import MailCanaryCore

/// The generic webhook: the message as JSON, signed so the receiver can tell it came from us
/// and was not replayed. Signature scheme (documented in docs/notifications.md):
///
/// ```
/// X-MailCanary-Timestamp: 1764062040            (Unix seconds of the attempt)
/// X-MailCanary-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
/// X-MailCanary-Delivery:  contoso-20251125-0914/opened   (the same on every retry: de-duplicate on it)
/// ```
public enum WebhookFormat {
    struct Payload: Encodable {
        var key: String
        var event: String
        var summary: String
        var at: String
        var headline: String
        var link: String?
        var mutedBy: String?
        var incident: Incident
    }

    struct Incident: Encodable {
        var id, service, status, cause: String
        var layer: String?
        var paths, regions: [String]
        var workaround: String?
        var workaroundClient: String?
        var openedAt: String
        var resolvedAt: String?
        var affectedUsersEstimate: Int
        var sampleErrors: [String]
        var advisories: [String]
        var leadOverAdvisoryMinutes: Double?
    }

    /// JSON with sorted keys; every string escaped by the encoder, so no text can break out.
    public static func body(_ message: NotificationMessage) -> [UInt8] {
        let digest = message.incident
        let payload = Payload(
            key: message.transition.key, event: message.transition.kind.rawValue, summary: message.transition.summary,
            at: UTCTimestamp.format(message.transition.atMs), headline: message.headline, link: message.link, mutedBy: message.mutedBy,
            incident: Incident(id: digest.id, service: digest.service, status: digest.status.rawValue, cause: digest.cause, layer: digest.layer,
                               paths: digest.paths, regions: digest.regions, workaround: digest.workaround, workaroundClient: digest.workaroundClient,
                               openedAt: UTCTimestamp.format(digest.openedMs), resolvedAt: digest.resolvedMs.map(UTCTimestamp.format),
                               affectedUsersEstimate: digest.affectedUsers, sampleErrors: digest.sampleErrors, advisories: digest.advisories,
                               leadOverAdvisoryMinutes: digest.leadOverAdvisoryMinutes))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(payload)) ?? Data("{}".utf8))
    }

    /// `v1=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` under the secret.
    public static func signature(body: [UInt8], secret: Secret, timestampSeconds: Int64) -> String {
        var signed = Array("\(timestampSeconds).".utf8)
        signed += body
        let key = SymmetricKey(data: Array(secret.exposedForWire.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: key)
        return "v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
