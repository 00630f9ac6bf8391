import Crypto
import Foundation
import MailCanaryStorage

/// Sessions decided from values: a session is valid until it has been idle too long or has
/// lasted too long, whichever comes first. The cookie holds a random secret; the store keeps only
/// its SHA-256, so a stolen database opens no session.
public struct SessionPolicy: Sendable, Equatable {
    public var idleMs: Int64
    public var maximumMs: Int64

    public init(idleMs: Int64, maximumMs: Int64) {
        self.idleMs = idleMs
        self.maximumMs = maximumMs
    }

    public enum Decision: Sendable, Equatable {
        /// Valid; `touch` says whether to record the use (at most once a minute).
        case valid(touch: Bool)
        case idle
        case tooOld
    }

    public func decide(_ session: SessionRecord, nowMs: Int64) -> Decision {
        if nowMs - session.createdMs >= maximumMs { return .tooOld }
        if nowMs - session.lastSeenMs >= idleMs { return .idle }
        return .valid(touch: nowMs - session.lastSeenMs >= 60_000)
    }

    public static let cookieName = "mc_session"

    /// A new random secret for a cookie or a form token (32 bytes, URL-safe base64).
    public static func newSecret() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The Set-Cookie value: HttpOnly, SameSite=Strict, Secure when the site is served over HTTPS.
    public static func cookie(_ secret: String, maxAgeSeconds: Int64, secure: Bool) -> String {
        "\(cookieName)=\(secret); Path=/; Max-Age=\(maxAgeSeconds); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    public static func clearedCookie(secure: Bool) -> String {
        "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Compares two tokens in time independent of where they differ.
    public static func tokensMatch(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count, !x.isEmpty else { return false }
        var difference: UInt8 = 0
        for (p, q) in zip(x, y) { difference |= p ^ q }
        return difference == 0
    }
}
