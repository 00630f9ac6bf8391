import MailCanaryConfig

/// When to try a message again: doubling from `initial` up to `maximum`, spread by a jitter
/// drawn from the message's key (so it is the same on every replica and every run), a
/// receiver's Retry-After honoured up to `maximumRetryAfter`, and no attempts after `giveUpAfter`.
public struct RetryPolicy: Sendable, Equatable {
    public var initialMs: Int64
    public var maximumMs: Int64
    public var giveUpAfterMs: Int64
    public var maximumRetryAfterMs: Int64

    public init(initialMs: Int64 = 10_000, maximumMs: Int64 = 900_000, giveUpAfterMs: Int64 = 172_800_000, maximumRetryAfterMs: Int64 = 3_600_000) {
        self.initialMs = initialMs
        self.maximumMs = maximumMs
        self.giveUpAfterMs = giveUpAfterMs
        self.maximumRetryAfterMs = maximumRetryAfterMs
    }

    public init(_ config: RetryConfig) {
        self.init(initialMs: Int64(config.initial.components.seconds) * 1_000, maximumMs: Int64(config.maximum.components.seconds) * 1_000,
                  giveUpAfterMs: Int64(config.giveUpAfter.components.seconds) * 1_000,
                  maximumRetryAfterMs: Int64(config.maximumRetryAfter.components.seconds) * 1_000)
    }

    /// The wait after `attempts` failed attempts (1 = after the first): capped doubling, ±20 % jitter.
    public func backoff(attempts: Int, key: String) -> Int64 {
        let exponent = min(max(attempts - 1, 0), 40)
        let raw = exponent >= 62 ? maximumMs : min(maximumMs, initialMs << Int64(exponent))
        let jitter = 0.8 + 0.4 * Double(Self.hash(key, attempts) % 1_000) / 999
        return min(maximumMs, max(1_000, Int64(Double(raw) * jitter)))
    }

    /// The next attempt's time, or nil when the message should be abandoned.
    public func nextAttempt(createdMs: Int64, attempts: Int, nowMs: Int64, retryAfterMs: Int64?, key: String) -> Int64? {
        var wait = backoff(attempts: attempts, key: key)
        if let retryAfterMs { wait = max(1_000, min(retryAfterMs, maximumRetryAfterMs)) }
        let next = nowMs + wait
        return next - createdMs > giveUpAfterMs ? nil : next
    }

    /// FNV-1a of the key and attempt: a stable spread, not a secret.
    static func hash(_ key: String, _ attempt: Int) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        value = (value ^ UInt64(truncatingIfNeeded: attempt)) &* 0x100_0000_01b3
        return value
    }
}
