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
            return "\(reply) without authentication: the front end is alive (anonymous access is enabled)"
        case 429, 500..<600:
            let retry = head.first("Retry-After").map { ", Retry-After \($0)" } ?? ""
            throw ProbeFailure(.server, reason: head.status == 503 || head.status == 429 ? .unavailable : .serverError, step: .challenge,
                               message: "the front end is failing (\(reply)\(retry))", serverReply: reply)
        case 404, 410:
            throw ProbeFailure(.config, reason: .notFound, step: .challenge, message: "nothing published at this path (\(reply))", serverReply: reply)
        case 300..<400:
            let location = head.first("Location").map { " to \($0.prefix(120))" } ?? ""
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .challenge,
                               message: "unexpected redirect\(location) instead of an authentication challenge (\(reply))", serverReply: reply)
        default:
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .challenge,
                               message: "unexpected answer to an anonymous request (\(reply))", serverReply: reply)
        }
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

    /// The status verdict shared by authenticated operations: 401/403 `auth`, 404 `config`,
    /// 429/5xx `server`; nil for 2xx (the caller reads the body).
    static func judgeAuthenticated(_ head: HTTPResponseHead, step: StepName, recorder: ProbeRecorder) -> ProbeFailure? {
        record(head, recorder: recorder)
        let reply = "HTTP \(head.status) \(head.reason)"
        switch head.status {
        case 200..<300:
            return nil
        case 401:
            let diagnostic = head.first("x-ms-diagnostics").map { ": \($0.prefix(160))" } ?? ""
            return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "the credentials were rejected (\(reply)\(diagnostic))", serverReply: reply)
        case 403:
            return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "access denied to this mailbox or protocol (\(reply))", serverReply: reply)
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

extension Credentials {
    /// The `Authorization` header for an HTTP access path: a Bearer token (fetched as the
    /// `token` step) or Basic with the password; nil without credentials (anonymous depth).
    func httpAuthorization(context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> HTTPField? {
        if let provider = token {
            let issued = try await recorder.step(.token) { () async throws(ProbeFailure) in try await provider.token(context: context) }
            return HTTPField("Authorization", secret: Secret("Bearer " + issued.exposedForWire))
        }
        if let password {
            guard let user, !user.isEmpty else {
                throw ProbeFailure(.config, reason: .missingCredential, step: .auth, message: "a password was given but no user name (--user)")
            }
            return HTTPField("Authorization", secret: Secret("Basic " + SASL.base64("\(user):\(password.exposedForWire)")))
        }
        return nil
    }
}
