/// Token buckets per sender address for the unauthenticated report API: a burst of `burst`
/// reports, then one per `refillMs`. Generous on purpose: during an outage a whole office
/// reports from behind one NAT address; repeated reports of one person are folded by detection
/// (each reporter counts once per incident), so the limit only stops floods. A value: ``admit(_:nowMs:)`` decides and returns how long
/// to wait when refused. Buckets idle long enough to be full again are forgotten.
struct ReportRateLimiter: Sendable {
    var burst: Double
    var refillMs: Double
    /// At most this many senders are remembered; past it the idle ones are dropped first.
    var maximumSenders: Int
    private var buckets: [String: Bucket] = [:]

    init(burst: Double = 30, refillMs: Double = 2_000, maximumSenders: Int = 100_000) {
        self.burst = burst
        self.refillMs = refillMs
        self.maximumSenders = maximumSenders
    }

    private struct Bucket {
        var tokens: Double
        var atMs: Int64
    }

    /// Senders currently remembered (bounded by `maximumSenders`, plus the one just admitted).
    var rememberedSenders: Int { buckets.count }

    enum Decision: Equatable {
        case admit
        case refuse(retryAfterSeconds: Int)
    }

    mutating func admit(_ sender: String, nowMs: Int64) -> Decision {
        var bucket = buckets[sender] ?? Bucket(tokens: burst, atMs: nowMs)
        bucket.tokens = min(burst, bucket.tokens + Double(max(0, nowMs - bucket.atMs)) / refillMs)
        bucket.atMs = nowMs
        guard bucket.tokens >= 1 else {
            buckets[sender] = bucket
            return .refuse(retryAfterSeconds: max(1, Int(((1 - bucket.tokens) * refillMs / 1_000).rounded(.up))))
        }
        bucket.tokens -= 1
        buckets[sender] = bucket
        if buckets.count > maximumSenders { forgetIdle(nowMs: nowMs) }
        return .admit
    }

    private mutating func forgetIdle(nowMs: Int64) {
        let full = Int64(burst * refillMs)
        buckets = buckets.filter { nowMs - $0.value.atMs < full }
        if buckets.count > maximumSenders { buckets.removeAll() }
    }
}
