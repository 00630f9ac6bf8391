import MailCanaryNotify
import MailCanaryStorage
import MailCanaryWatch
import Testing

@Suite("Delivery: verdicts, capped backoff, Retry-After")
struct DeliveryPolicyTests {
    let policy = RetryPolicy(initialMs: 10_000, maximumMs: 900_000, giveUpAfterMs: 86_400_000, maximumRetryAfterMs: 3_600_000)

    @Test("HTTP answers: 2xx taken, 408/425/429/5xx later, other codes never")
    func verdicts() {
        #expect(DeliveryVerdict.http(status: 204, retryAfterMs: nil, body: "") == .delivered("HTTP 204"))
        for status in [408, 425, 429, 500, 502, 503] {
            guard case .retry = DeliveryVerdict.http(status: status, retryAfterMs: nil, body: "") else { Issue.record("\(status)"); continue }
        }
        for status in [301, 400, 401, 403, 404, 410] {
            guard case .refused = DeliveryVerdict.http(status: status, retryAfterMs: nil, body: "no_service") else { Issue.record("\(status)"); continue }
        }
        // The receiver's answer is kept short, on one line, without control characters.
        guard case .refused(let detail) = DeliveryVerdict.http(status: 400, retryAfterMs: nil, body: "bad\r\n\u{1b}[31m" + String(repeating: "x", count: 500)) else {
            Issue.record("not refused"); return
        }
        #expect(!detail.contains("\n") && !detail.contains("\u{1b}") && detail.count < 150)
    }

    @Test("backoff doubles from the first wait, stays within ±20 %, and is capped")
    func backoff() {
        for attempt in 1...30 {
            let wait = policy.backoff(attempts: attempt, key: "k")
            let nominal = min(900_000, 10_000 << Int64(min(attempt - 1, 40)))
            #expect(wait <= 900_000)
            #expect(Double(wait) >= Double(nominal) * 0.8 - 1 && Double(wait) <= Double(nominal) * 1.2 + 1)
        }
        #expect(policy.backoff(attempts: 3, key: "a") == policy.backoff(attempts: 3, key: "a"))
        #expect(policy.backoff(attempts: 3, key: "a") != policy.backoff(attempts: 3, key: "b"))
    }

    @Test("Retry-After: seconds and HTTP dates honoured, capped, unreadable ignored")
    func retryAfter() {
        let now: Int64 = 1_764_062_040_000   // Tue, 25 Nov 2025 09:14:00 GMT
        #expect(OutboundHTTP.retryAfterMs("120", nowMs: now) == 120_000)
        #expect(OutboundHTTP.retryAfterMs("Tue, 25 Nov 2025 09:15:30 GMT", nowMs: now) == 90_000)
        #expect(OutboundHTTP.retryAfterMs("soon", nowMs: now) == nil)
        #expect(OutboundHTTP.retryAfterMs(nil, nowMs: now) == nil)
        #expect(OutboundHTTP.retryAfterMs("99999999999999999999", nowMs: now)! > 0)
        #expect(policy.nextAttempt(createdMs: now, attempts: 1, nowMs: now, retryAfterMs: 120_000, key: "k") == now + 120_000)
        #expect(policy.nextAttempt(createdMs: now, attempts: 1, nowMs: now, retryAfterMs: 86_000_000, key: "k") == now + 3_600_000)
    }

    @Test("a verdict becomes the outbox row's next state; the retry period ends in abandonment")
    func updates() {
        let entry = OutboxEntry(id: 1, key: "i/opened", channel: "hook", incidentID: "i", kind: "opened", createdMs: 0, payload: "{}",
                                attempts: 2, nextAttemptMs: 0)
        let delivered = DeliveryVerdict.delivered("HTTP 200").update(for: entry, nowMs: 5_000, policy: policy)
        #expect(delivered == DeliveryUpdate(status: .delivered, attempts: 3, nextAttemptMs: 5_000, lastResult: "HTTP 200", deliveredMs: 5_000))
        let later = DeliveryVerdict.retry("HTTP 429", retryAfterMs: 30_000).update(for: entry, nowMs: 5_000, policy: policy)
        #expect(later.status == .pending && later.nextAttemptMs == 35_000 && later.lastResult.contains("Retry-After"))
        #expect(DeliveryVerdict.refused("HTTP 404").update(for: entry, nowMs: 5_000, policy: policy).status == .failed)
        let late = DeliveryVerdict.retry("HTTP 503", retryAfterMs: nil).update(for: entry, nowMs: 86_399_000, policy: policy)
        #expect(late.status == .abandoned)
    }
}
