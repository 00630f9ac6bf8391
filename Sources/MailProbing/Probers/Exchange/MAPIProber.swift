import Foundation
import MailCanaryCore
import MailWire

/// MAPI over HTTP, the classic Outlook transport ([MS-OXCMAPIHTTP]), at two depths.
///
/// Anonymous (no credentials): `resolve`, `connect`, `tls`, then `challenge`: a POST to the
/// mailbox endpoint without credentials must come back 401 with a challenge.
/// Authenticated: then `token` (when a token provider is set), `operation`: a `Connect` request
/// with the headers of §2.2.2.1, its chunked PROCESSING/PENDING/DONE response (§2.2.7) and the
/// X-ResponseCode (§2.2.3.3.3) mapped to a failure class; finally `logout`: `Disconnect`.
///
/// URL: `mapi+https://HOST[:PORT][/mapi/emsmdb/?MailboxId=ID]`; `legacyDN=` gives the UserDn of
/// Connect (Autodiscover prints it), else one is derived from the user name ⚠️.
public struct MAPIProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let endpoint = target.pathOnly == "/" ? "/mapi/emsmdb/" + (target.parameter("MailboxId").map { "?MailboxId=\($0)" } ?? "") : Self.withoutLocalParameters(target.resource)
        let session = HTTPSession(host: target.host, port: target.port, context: context, recorder: recorder)
        let clientInfo = "{\(UUID().uuidString)}"
        let requestID = UUID().uuidString
        var counter = 0
        func mapiHeaders(_ type: String) -> [HTTPField] {
            counter += 1
            return [
                HTTPField("Content-Type", "application/mapi-http"),
                HTTPField("Accept", "application/mapi-http"),
                HTTPField("X-RequestType", type),
                HTTPField("X-RequestId", "{\(requestID)}:\(counter)"),
                HTTPField("X-ClientInfo", clientInfo),
                HTTPField("X-ClientApplication", "Outlook/16.0.18025.20000"),
                HTTPField("client-request-id", UUID().uuidString),
            ]
        }

        guard let authorization = try await FrontEndChallenge.check(session, "POST", endpoint, headers: mapiHeaders("Connect"),
                                                                    operation: "Connect", context: context, recorder: recorder) else { return }
        let user = context.settings.credentials.user ?? ""
        let userDN = target.parameter("legacyDN") ?? "/o=MailCanary/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=\(user)"
        if !user.isEmpty { recorder.facts["user"] = user }

        let connect = try await session.send("POST", endpoint, headers: mapiHeaders("Connect") + [authorization, HTTPField("X-User-Identity", user)],
                                             body: MAPIHTTP.connectRequestBody(userDN: userDN), step: .operation)
        try recorder.judge(.operation) { () throws(ProbeFailure) in
            let framed = try Self.judge(connect, request: "Connect", step: .operation, recorder: recorder)
            let response: MAPIHTTP.ConnectResponse
            do {
                response = try MAPIHTTP.parseConnectResponse(framed.body)
            } catch {
                throw ProbeFailure(.protocol, reason: .malformed, step: .operation, message: "the Connect response body is malformed: \(error)")
            }
            guard response.statusCode == 0 else {
                throw ProbeFailure(.server, reason: .backendError, step: .operation,
                                   message: "Connect failed with StatusCode 0x\(String(response.statusCode, radix: 16))", serverReply: "StatusCode \(response.statusCode)")
            }
            if let code = response.errorCode, code != 0 {
                // ecLoginFailure 0x80040111 / ecLoginPerm 0x000003F2: the mailbox refuses this user.
                let auth = code == 0x8004_0111 || code == 0x3F2
                throw ProbeFailure(auth ? .auth : .server, reason: auth ? .credentialsRejected : .backendError, step: .operation,
                                   message: "Connect returned ErrorCode 0x\(String(code, radix: 16, uppercase: true))", serverReply: "ErrorCode 0x\(String(code, radix: 16))")
            }
            if let name = response.displayName, !name.isEmpty { recorder.facts["displayName"] = name }
            let pending = framed.metaTags.filter { $0 == "PENDING" }.count
            return ((), "Connect: X-ResponseCode 0, \(framed.metaTags.joined(separator: "/"))\(pending > 0 ? " (\(pending) keep-alive)" : ""), mailbox \(response.displayName ?? "?")")
        }

        let disconnect = try await session.send("POST", endpoint, headers: mapiHeaders("Disconnect") + [authorization],
                                                body: MAPIHTTP.disconnectRequestBody(), step: .logout, sendCookies: true)
        try recorder.judge(.logout) { () throws(ProbeFailure) in
            _ = try Self.judge(disconnect, request: "Disconnect", step: .logout, recorder: recorder)
            return ((), "Disconnect: X-ResponseCode 0")
        }
    }

    /// The HTTP status, then the X-ResponseCode (from the additional headers after DONE when
    /// there are any, else from the response head), then the framing.
    static func judge(_ response: HTTPExchange.Response, request: String, step: StepName, recorder: ProbeRecorder) throws(ProbeFailure) -> MAPIHTTP.Framed {
        if let failure = FrontEndChallenge.judgeAuthenticated(response.head, step: step, recorder: recorder) { throw failure }
        var framed: MAPIHTTP.Framed?
        let isMAPI = response.head.first("Content-Type")?.lowercased().hasPrefix("application/mapi-http") == true
        if isMAPI {
            do {
                framed = try MAPIHTTP.unframe(response.body)
            } catch {
                throw ProbeFailure(.protocol, reason: .malformed, step: step, message: "\(request) response: \(error)")
            }
        }
        guard let codeText = framed?.header("X-ResponseCode") ?? response.head.first("X-ResponseCode") else {
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "\(request) response has no X-ResponseCode: not a MAPI over HTTP endpoint?")
        }
        guard let code = Int(codeText.trimmingCharacters(in: .whitespaces)) else {
            throw ProbeFailure(.protocol, reason: .malformed, step: step, message: "X-ResponseCode '\(codeText.prefix(20))' is not a number")
        }
        recorder.facts["xResponseCode"] = String(code)
        if let elapsed = framed?.header("X-ElapsedTime") { recorder.facts["serverElapsedMs"] = elapsed }
        guard code == 0 else {
            let (failureClass, reason) = classify(code)
            throw ProbeFailure(failureClass, reason: reason, step: step,
                               message: "\(request) failed: X-ResponseCode \(code) (\(MAPIHTTP.responseCodeMeaning(code)))", serverReply: "X-ResponseCode: \(code)")
        }
        guard let framed else {
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: step, message: "\(request) response is not application/mapi-http")
        }
        return framed
    }

    /// X-ResponseCode → failure class: 8 and 11 are authentication; the request-shape codes
    /// (2-5, 7, 9, 12) and the session codes (6, 10, 13) are `protocol`; 1 and 14+ (Endpoint
    /// Disabled, Shutting Down…) are the server's.
    static func classify(_ code: Int) -> (FailureClass, FailureReason) {
        switch code {
        case 8, 11: return (.auth, .credentialsRejected)
        case 2, 3, 4, 5, 6, 7, 9, 10, 12, 13: return (.protocol, .unexpectedReply)
        default: return (.server, .backendError)
        }
    }

    /// Drops this probe's own parameters (`legacyDN`) from the endpoint's query.
    static func withoutLocalParameters(_ resource: String) -> String {
        let parts = resource.split(separator: "?", maxSplits: 1)
        guard parts.count == 2 else { return resource }
        let kept = parts[1].split(separator: "&").filter { !$0.lowercased().hasPrefix("legacydn=") }
        return kept.isEmpty ? String(parts[0]) : String(parts[0]) + "?" + kept.joined(separator: "&")
    }
}
