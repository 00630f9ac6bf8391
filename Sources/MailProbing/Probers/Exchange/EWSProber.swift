import Foundation
import MailCanaryCore
import MailWire

/// Exchange Web Services: the anonymous challenge, then an authenticated `GetFolder` of the
/// inbox (SOAP, getfolder-operation.md) with its `ResponseCode` mapped to a failure class.
///
/// URL: `ews+https://HOST[:PORT][/EWS/Exchange.asmx]`; `impersonate=ADDRESS` adds the
/// ExchangeImpersonation header and `X-AnchorMailbox`, which app-only tokens need.
public struct EWSProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let path = target.pathOnly == "/" ? "/EWS/Exchange.asmx" : target.pathOnly
        let session = HTTPSession(host: target.host, port: target.port, context: context, recorder: recorder)
        let impersonate = target.parameter("impersonate")
        let body = Array(Self.getFolderRequest(impersonate: impersonate).utf8)
        var headers = [HTTPField("Content-Type", "text/xml; charset=utf-8"), HTTPField("Accept", "text/xml")]
        if let impersonate { headers.append(HTTPField("X-AnchorMailbox", impersonate)) }

        guard let authorization = try await FrontEndChallenge.check(session, "POST", path, headers: headers, body: body,
                                                                    operation: "GetFolder", context: context, recorder: recorder) else { return }
        let response = try await session.send("POST", path, headers: headers + [authorization], body: body, step: .operation)
        try recorder.judge(.operation) { () throws(ProbeFailure) in
            ((), try Self.judge(response, recorder: recorder))
        }
    }

    static func getFolderRequest(impersonate: String?) -> String {
        let impersonation = impersonate.map {
            "<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>\(Self.escape($0))</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>"
        } ?? ""
        return """
        <?xml version="1.0" encoding="utf-8"?>
        <soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
          <soap:Header><t:RequestServerVersion Version="Exchange2016" />\(impersonation)</soap:Header>
          <soap:Body>
            <GetFolder xmlns="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
              <FolderShape><t:BaseShape>Default</t:BaseShape></FolderShape>
              <FolderIds><t:DistinguishedFolderId Id="inbox"/></FolderIds>
            </GetFolder>
          </soap:Body>
        </soap:Envelope>
        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func judge(_ response: HTTPExchange.Response, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        // A SOAP fault comes with 500: read the body before judging the status.
        let document = try? XMLNode.parse(response.body)
        if response.head.status == 500, let fault = document?.first("Fault") {
            let code = fault.value("faultcode") ?? "?"
            let text = fault.value("faultstring") ?? ""
            let (failureClass, reason) = code.contains("ErrorSchemaValidation") || code.contains("Client") ? (FailureClass.protocol, FailureReason.unexpectedReply) : (.server, .backendError)
            throw ProbeFailure(failureClass, reason: reason, step: .operation, message: "SOAP fault \(code): \(text.prefix(160))", serverReply: code)
        }
        if let failure = FrontEndChallenge.judgeAuthenticated(response.head, step: .operation, recorder: recorder) { throw failure }
        guard let document, let message = document.first("GetFolderResponseMessage") else {
            throw ProbeFailure(.protocol, reason: .malformed, step: .operation, message: "the answer is not a GetFolder response")
        }
        let responseClass = message.attributes["ResponseClass"] ?? "?"
        let code = message.value("ResponseCode") ?? "?"
        recorder.facts["responseCode"] = code
        guard responseClass == "Success", code == "NoError" else {
            let text = message.value("MessageText") ?? ""
            let (failureClass, reason) = classify(code)
            var words = "GetFolder: \(responseClass) \(code)"
            if !text.isEmpty { words += ": \(text.prefix(160))" }
            if let backOff = message.all("Value").first(where: { $0.attributes["Name"] == "BackOffMilliseconds" }) {
                words += " (back off \(backOff.text) ms)"
            }
            throw ProbeFailure(failureClass, reason: reason, step: .operation, message: words, serverReply: code)
        }
        let folder = message.first("Folder")
        let name = folder?.value("DisplayName") ?? "?"
        let total = folder?.value("TotalCount") ?? "?"
        let unread = folder?.value("UnreadCount") ?? "?"
        recorder.facts["folder"] = name
        recorder.facts["totalCount"] = total
        recorder.facts["unreadCount"] = unread
        return "GetFolder inbox: NoError, \(name) has \(total) items, \(unread) unread"
    }

    /// EWS `ResponseCode` (ResponseCodeType) → failure class. The server's own trouble
    /// (busy, store unavailable, timeouts, internal errors) is `server`; refusals of this
    /// account are `auth`; a mailbox that does not exist is `config`; the rest `protocol`.
    static func classify(_ code: String) -> (FailureClass, FailureReason) {
        let server = ["ErrorServerBusy", "ErrorMailboxStoreUnavailable", "ErrorInternalServerError", "ErrorInternalServerTransientError",
                      "ErrorTimeoutExpired", "ErrorConnectionFailed", "ErrorMailboxMoveInProgress", "ErrorMailboxFailover",
                      "ErrorADUnavailable", "ErrorBatchProcessingStopped", "ErrorServerTemporaryUnavailable"]
        let auth = ["ErrorAccessDenied", "ErrorImpersonateUserDenied", "ErrorImpersonationDenied", "ErrorNoApplicableProxyCASServersAvailable",
                    "ErrorAccountDisabled", "ErrorPasswordExpired", "ErrorProxyTokenExpired", "ErrorInvalidCredentials"]
        let config = ["ErrorNonExistentMailbox", "ErrorInvalidSmtpAddress", "ErrorMailboxConfiguration", "ErrorInvalidUserPrincipalName"]
        if server.contains(code) { return (.server, .backendError) }
        if auth.contains(code) { return (.auth, .credentialsRejected) }
        if config.contains(code) { return (.config, .notFound) }
        return (.protocol, .unexpectedReply)
    }
}
