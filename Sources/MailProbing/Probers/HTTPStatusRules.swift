import MailCanaryCore
import MailWire

/// The verdict on an HTTP status, shared by every HTTP access path: 2xx ok; 401/403 `auth`
/// (credentials rejected, or required when none were sent; an anonymous 401 with a challenge is
/// judged by ``FrontEndChallenge`` instead); 404/410 `config` (the URL points at nothing);
/// 429 and 5xx `server`, with Retry-After; anything else `protocol`.
enum HTTPStatusRules {
    static func failure(_ head: HTTPResponseHead, step: StepName, sentCredentials: Bool) -> ProbeFailure? {
        let reply = "HTTP \(head.status) \(head.reason)"
        switch head.status {
        case 200..<300:
            return nil
        case 401, 403:
            guard sentCredentials else {
                return ProbeFailure(.auth, reason: .challengeMissing, step: step, message: "the server requires authentication (\(reply)); give --user and a password or token", serverReply: reply)
            }
            let diagnostic = head.first("x-ms-diagnostics").map { ": \($0.prefix(160))" } ?? ""
            let words = head.status == 401 ? "the credentials were rejected" : "access denied to this mailbox or protocol"
            return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "\(words) (\(reply)\(diagnostic))", serverReply: reply)
        case 404, 410:
            return ProbeFailure(.config, reason: .notFound, step: step, message: "nothing at this URL (\(reply))", serverReply: reply)
        case 429, 500..<600:
            let retry = head.first("Retry-After").map { ", Retry-After \($0)" } ?? ""
            return ProbeFailure(.server, reason: head.status == 503 || head.status == 429 ? .unavailable : .serverError, step: step,
                                message: "the server is failing (\(reply)\(retry))", serverReply: reply)
        default:
            return ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "unexpected status (\(reply))", serverReply: reply)
        }
    }
}
