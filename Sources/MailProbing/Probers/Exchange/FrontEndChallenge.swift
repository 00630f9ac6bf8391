import Foundation
import MailCanaryCore
import MailWire

/// The anonymous depth of every Exchange access path (shared/reference §3.9): an unauthenticated
/// request must reach the front end and come back 401 with a challenge. Exchange Online sends
/// `Bearer client_id=…, authorization_uri=…`; on-premises servers send Negotiate, NTLM or Basic.
///
/// 401 with a challenge: DNS, TCP, TLS and the HTTP front end are alive. 401 without one, a
/// 5xx, a redirect or a timeout: the front end is failing.
enum FrontEndChallenge {
    /// Judges an anonymous response; returns the step detail or throws the classified failure.
    static func judge(_ response: HTTPExchange.Response, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        let head = response.head
        record(head, recorder: recorder)
        let reply = "HTTP \(head.status) \(head.reason)"
        switch head.status {
        case 401:
            let challenges = head.headers.filter { $0.name.lowercased() == "www-authenticate" }.map(\.value)
            guard !challenges.isEmpty else {
                throw ProbeFailure(.auth, reason: .challengeMissing, step: .challenge,
                                   message: "401 without a WWW-Authenticate challenge: the front end's authentication is broken", serverReply: reply)
            }
            let schemes = challenges.compactMap { $0.split(separator: " ").first.map(String.init) }
            recorder.facts["authSchemes"] = schemes.joined(separator: ",")
            if let bearer = challenges.first(where: { $0.lowercased().hasPrefix("bearer") }),
               let uri = parameter("authorization_uri", in: bearer) {
                recorder.facts["authorizationURI"] = uri
            }
            return "401 with a \(schemes.joined(separator: "/")) challenge: the front end is alive"
        case 200..<300:
            // MAPI over HTTP says a request reached its layer anonymously with X-ResponseCode 8.
            if head.first("X-ResponseCode") == "8" { return "X-ResponseCode 8 (Anonymous Not Allowed): the endpoint is alive" }
            return "\(reply) without authentication: the front end is alive (anonymous access is enabled)"
        case 300..<400:
            let location = head.first("Location").map { " to \($0.prefix(120))" } ?? ""
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .challenge,
                               message: "unexpected redirect\(location) instead of an authentication challenge (\(reply))", serverReply: reply)
        default:
            throw HTTPStatusRules.failure(head, step: .challenge, sentCredentials: false)
                ?? ProbeFailure(.protocol, reason: .unexpectedReply, step: .challenge, message: "unexpected answer to an anonymous request (\(reply))", serverReply: reply)
        }
    }

    /// Both depths' start: the request sent without credentials as the `challenge` step and
    /// judged, then the credentials. Returns the `Authorization` header for the authenticated
    /// depth, or nil after recording that the probe stops at the anonymous depth.
    static func check(
        _ session: HTTPSession, _ method: String, _ path: String, headers: [HTTPField] = [], body: [UInt8] = [],
        operation: String, context: ProbeContext, recorder: ProbeRecorder
    ) async throws(ProbeFailure) -> HTTPField? {
        let anonymous = try await session.send(method, path, headers: headers, body: body, step: .challenge)
        try recorder.judge(.challenge) { () throws(ProbeFailure) in ((), try judge(anonymous, recorder: recorder)) }
        guard let authorization = try await context.settings.credentials.httpAuthorization(context: context, recorder: recorder) else {
            recorder.facts["depth"] = "anonymous"
            recorder.skip(.operation, "no credentials: checked at the anonymous depth (give --user with a token or password for \(operation))")
            return nil
        }
        recorder.facts["depth"] = "authenticated"
        return authorization
    }

    /// Front-end facts worth keeping: which server answered, the request id.
    static func record(_ head: HTTPResponseHead, recorder: ProbeRecorder) {
        recorder.facts["status"] = String(head.status)
        for (header, fact) in [("X-FEServer", "frontEndServer"), ("request-id", "requestId"), ("X-CalculatedBETarget", "backEndTarget"),
                               ("X-OWA-Version", "owaVersion"), ("MS-Server-ActiveSync", "activeSyncServer"), ("X-DiagInfo", "diagInfo")] {
            if let value = head.first(header) { recorder.facts[fact] = String(value.prefix(200)) }
        }
    }

    static func parameter(_ name: String, in challenge: String) -> String? {
        guard let range = challenge.range(of: name + "=\"") else { return nil }
        let rest = challenge[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// An authenticated response's status (``HTTPStatusRules``), after recording the front-end facts.
    static func judgeAuthenticated(_ head: HTTPResponseHead, step: StepName, recorder: ProbeRecorder) -> ProbeFailure? {
        record(head, recorder: recorder)
        return HTTPStatusRules.failure(head, step: step, sentCredentials: true)
    }
}

