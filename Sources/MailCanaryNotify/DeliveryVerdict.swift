import MailCanaryStorage

/// What one attempt came to, from a channel: the receiver took it, it may take it later, or it
/// never will. A failing receiver is data, not a thrown error.
public enum DeliveryVerdict: Sendable, Equatable {
    case delivered(String)
    case retry(String, retryAfterMs: Int64?)
    case refused(String)

    /// An HTTP answer (RFC 9110 §15): 2xx taken; 408, 425, 429 and 5xx later; other codes never
    /// (a wrong URL, a revoked webhook, a payload the receiver rejects).
    public static func http(status: Int, retryAfterMs: Int64?, body: String) -> DeliveryVerdict {
        let snippet = Self.snippet(body)
        let detail = "HTTP \(status)" + (snippet.isEmpty ? "" : ": \(snippet)")
        switch status {
        case 200..<300: return .delivered(detail)
        case 408, 425, 429, 500..<600: return .retry(detail, retryAfterMs: retryAfterMs)
        default: return .refused(detail)
        }
    }

    /// A short, single-line, printable excerpt of a receiver's answer for the record.
    static func snippet(_ body: String) -> String {
        let line = body.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : String($0) }.joined()
        let trimmed = line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return trimmed.count > 120 ? String(trimmed.prefix(120)) + "…" : trimmed
    }

    /// The outbox row's new state after this verdict.
    public func update(for entry: OutboxEntry, nowMs: Int64, policy: RetryPolicy) -> DeliveryUpdate {
        let attempts = entry.attempts + 1
        switch self {
        case .delivered(let detail):
            return DeliveryUpdate(status: .delivered, attempts: attempts, nextAttemptMs: nowMs, lastResult: detail, deliveredMs: nowMs)
        case .refused(let detail):
            return DeliveryUpdate(status: .failed, attempts: attempts, nextAttemptMs: nowMs, lastResult: detail + " (not retried)")
        case .retry(let detail, let retryAfterMs):
            guard let next = policy.nextAttempt(createdMs: entry.createdMs, attempts: attempts, nowMs: nowMs, retryAfterMs: retryAfterMs,
                                                key: entry.key + "|" + entry.channel) else {
                return DeliveryUpdate(status: .abandoned, attempts: attempts, nextAttemptMs: nowMs,
                                      lastResult: detail + " (given up: no attempt is left in the retry period)")
            }
            let seconds = (next - nowMs + 500) / 1_000
            return DeliveryUpdate(status: .pending, attempts: attempts, nextAttemptMs: next,
                                  lastResult: detail + "; next attempt in \(seconds) s" + (retryAfterMs != nil ? " (Retry-After)" : ""))
        }
    }
}
