import Foundation
import MailCanaryCore
import MailWire

/// Microsoft Graph, the long-term API path: `GET /v1.0/users/{id}/mailFolders/inbox` with an
/// app token (application permission Mail.Read, or Mail.ReadBasic). Without a token only the
/// anonymous challenge is checked.
///
/// URL: `graph+https://HOST[:PORT]/?user=ID` (object id or user principal name).
public struct GraphProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let user = target.parameter("user") ?? ""
        let encoded = user.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~@"))) ?? user
        let base = target.pathOnly == "/" ? "/v1.0" : (target.pathOnly.hasSuffix("/") ? String(target.pathOnly.dropLast()) : target.pathOnly)
        let path = "\(base)/users/\(encoded)/mailFolders/inbox"
        let session = HTTPSession(host: target.host, port: target.port, context: context, recorder: recorder)
        // Graph takes app tokens only: without one the probe stays at the anonymous depth.
        guard context.settings.credentials.token != nil,
              let authorization = try await context.settings.credentials.httpAuthorization(context: context, recorder: recorder) else {
            let anonymous = try await session.send("GET", path, headers: [HTTPField("Accept", "application/json")], step: .challenge)
            try recorder.judge(.challenge) { () throws(ProbeFailure) in ((), try FrontEndChallenge.judge(anonymous, recorder: recorder)) }
            recorder.facts["depth"] = "anonymous"
            recorder.skip(.operation, "no token: checked at the anonymous depth (Graph needs an app token: --token-url/--tenant with --client-id)")
            return
        }
        recorder.facts["depth"] = "authenticated"
        let response = try await session.send("GET", path, headers: [authorization, HTTPField("Accept", "application/json")], step: .operation)
        try recorder.judge(.operation) { () throws(ProbeFailure) in ((), try Self.judge(response, recorder: recorder)) }
    }

    static func judge(_ response: HTTPExchange.Response, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let head = response.head
        if let error = json?["error"] as? [String: Any] {
            let code = error["code"] as? String ?? "?"
            let message = (error["message"] as? String).map { String($0.prefix(160)) } ?? ""
            recorder.facts["graphError"] = code
            if let inner = error["innerError"] as? [String: Any], let id = inner["request-id"] as? String { recorder.facts["requestId"] = id }
            var failure = FrontEndChallenge.judgeAuthenticated(head, step: .operation, recorder: recorder)
                ?? ProbeFailure(.protocol, reason: .unexpectedReply, step: .operation, message: "")
            if head.status == 403 { failure.message = "Graph refused: \(code) (does the app have Mail.Read with admin consent?) \(message)" }
            else { failure.message = "Graph \(head.status) \(code): \(message)" + (head.first("Retry-After").map { " (Retry-After \($0))" } ?? "") }
            failure.serverReply = code
            throw failure
        }
        if let failure = FrontEndChallenge.judgeAuthenticated(head, step: .operation, recorder: recorder) { throw failure }
        guard let json, let name = json["displayName"] as? String else {
            throw ProbeFailure(.protocol, reason: .malformed, step: .operation, message: "the answer is not a Graph mailFolder")
        }
        let total = json["totalItemCount"].map { "\($0)" } ?? "?"
        let unread = json["unreadItemCount"].map { "\($0)" } ?? "?"
        recorder.facts["folder"] = name
        recorder.facts["totalCount"] = total
        recorder.facts["unreadCount"] = unread
        return "mailFolders/inbox: \(name), \(total) items, \(unread) unread"
    }
}
