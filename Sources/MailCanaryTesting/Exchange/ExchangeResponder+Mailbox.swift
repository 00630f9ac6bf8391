import Foundation
import MailWire

extension ExchangeResponder {
    // MARK: MAPI over HTTP

    /// The mailbox endpoint of [MS-OXCMAPIHTTP]. Anonymous requests stop at the front end's
    /// 401 (shared/reference §3.5). Authenticated requests need the headers of §2.2.2.1 (else
    /// X-ResponseCode 7, Missing Header); `Connect` (§2.2.4.1) is answered chunked with the
    /// PROCESSING, PENDING and DONE meta-tags (§2.2.7, §3.2.5.2) and sets the session cookie
    /// (§3.1.5.2 ⚠️ cookie name); `Disconnect` (§2.2.4.3) needs that cookie (else 13, Missing Cookie).
    func mapi(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        guard request.method == "POST" else {
            // X-ResponseCode 2, Invalid Verb (§2.2.3.3.3).
            return .full(status: 200, headers: [("X-ResponseCode", "2"), ("Content-Type", "text/html")], body: Array("Invalid verb".utf8))
        }
        return authenticated(request, fault) {
            func failure(_ code: Int, _ text: String) -> ExchangeReply {
                .full(status: 200, headers: [("X-ResponseCode", String(code)), ("X-RequestType", request.header("X-RequestType") ?? ""),
                                             ("Content-Type", "text/html")], body: Array(text.utf8))
            }
            for required in ["X-RequestType", "X-RequestId", "X-ClientInfo"] where request.header(required) == nil {
                return failure(7, "Missing header \(required)")
            }
            guard request.header("Content-Type")?.lowercased().hasPrefix("application/mapi-http") == true else {
                return failure(4, "Invalid Content-Type")
            }
            let type = request.header("X-RequestType") ?? ""
            var headers: [(String, String)] = [
                ("Content-Type", "application/mapi-http"),
                ("X-RequestType", type),
                ("X-RequestId", request.header("X-RequestId") ?? ""),
                ("X-ClientInfo", request.header("X-ClientInfo") ?? ""),
                ("X-ServerApplication", "Exchange/15.20.8655.021"),
                ("X-PendingPeriod", "15000"),
                ("X-ExpirationInfo", "1800000"),
            ]
            switch type.lowercased() {
            case "connect":
                guard Self.validConnectBody(request.body) else { return failure(12, "Invalid request body") }
                if fault == .backendFailing {
                    // The front end accepted the request; the mailbox server behind it failed:
                    // X-ResponseCode 1, Unknown Failure, in the additional headers after DONE.
                    headers.append(("X-ResponseCode", "0"))
                    return .chunked(status: 200, headers: headers, chunks: [
                        (0, Array("PROCESSING\r\n".utf8)),
                        (50, Array("PENDING\r\n".utf8)),
                        (0, Array("DONE\r\nX-ResponseCode: 1\r\nX-ElapsedTime: 61\r\nX-StartTime: Sun, 22 Nov 2026 10:00:00 GMT\r\n\r\n".utf8)),
                    ])
                }
                headers.append(("X-ResponseCode", "0"))
                headers.append(("Set-Cookie", "MapiContext=lab-session-7f3a; path=/mapi/emsmdb; secure; HttpOnly"))
                headers.append(("Set-Cookie", "MapiSequence=1-AAAA; path=/mapi/emsmdb; secure; HttpOnly"))
                let body = MAPIHTTP.connectResponseBody(displayName: configuration.displayName, dnPrefix: configuration.legacyDN)
                return .chunked(status: 200, headers: headers, chunks: [
                    (0, Array("PROCESSING\r\n".utf8)),
                    (20, Array("PENDING\r\n".utf8)),
                    (0, Array("DONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 23\r\nX-StartTime: Sun, 22 Nov 2026 10:00:00 GMT\r\n\r\n".utf8) + body),
                ])
            case "disconnect":
                guard request.header("Cookie")?.contains("MapiContext=") == true else { return failure(13, "Missing cookie") }
                headers.append(("X-ResponseCode", "0"))
                return .chunked(status: 200, headers: headers, chunks: [
                    (0, Array("PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 2\r\n\r\n".utf8) + MAPIHTTP.disconnectRequestBody() + MAPIHTTP.disconnectRequestBody()),
                ])
            case "ping":
                headers.append(("X-ResponseCode", "0"))
                return .full(status: 200, headers: headers, body: [])
            default:
                return failure(5, "Invalid request type")
            }
        }
    }

    /// §2.2.4.1.1: a NUL-terminated UserDn followed by five uint32 values.
    static func validConnectBody(_ body: [UInt8]) -> Bool {
        guard let nul = body.firstIndex(of: 0), nul > 0 else { return false }
        return body.count >= nul + 1 + 20
    }

    // MARK: EWS

    /// `POST /EWS/Exchange.asmx` (getfolder-operation.md): a SOAP GetFolder of the inbox.
    func ews(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        guard request.method == "POST" else { return .text(405, "Method Not Allowed", headers: [("Allow", "POST")]) }
        return authenticated(request, fault) {
            let text = String(decoding: request.body, as: UTF8.self)
            guard text.contains("GetFolder"), text.contains("DistinguishedFolderId") else {
                return .text(500, """
                <?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>\
                <faultcode>a:ErrorSchemaValidation</faultcode><faultstring>The request failed schema validation.</faultstring></s:Fault></s:Body></s:Envelope>
                """, type: "text/xml; charset=utf-8")
            }
            if fault == .backendFailing {
                return .text(200, ExchangeFixtures.getFolderError(code: "ErrorServerBusy", text: "The server cannot service this request right now. Try again later."),
                             type: "text/xml; charset=utf-8")
            }
            return .text(200, ExchangeFixtures.getFolderResponse(total: 12, unread: 3), type: "text/xml; charset=utf-8")
        }
    }

    // MARK: ActiveSync

    /// [MS-ASHTTP]: `OPTIONS /Microsoft-Server-ActiveSync` answers with MS-ASProtocolVersions
    /// and MS-ASProtocolCommands (§2.2.4.1.2.1-2); `POST ?Cmd=FolderSync` ([MS-ASCMD] §2.2.1.5)
    /// with a WBXML FolderSync whose Status is 1 (success) or 6 (server error).
    /// 451 with X-MS-Location for a moved mailbox, 503 with Retry-After (§3.2.5.2).
    static let movedActiveSyncPath = "/Microsoft-Server-ActiveSync/moved"

    func activeSync(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        authenticated(request, fault) {
            // The mailbox moved: everything but the new location answers 451 with X-MS-Location.
            if fault == .activeSyncMoved, request.path.lowercased() != Self.movedActiveSyncPath.lowercased() {
                let origin = request.header("Host") ?? configuration.hostWithPort
                return .full(status: 451, headers: [("X-MS-Location", "https://\(origin)\(Self.movedActiveSyncPath)")], body: [])
            }
            let common: [(String, String)] = [("MS-Server-ActiveSync", "15.20"), ("Cache-Control", "private")]
            switch request.method {
            case "OPTIONS":
                return .full(status: 200, headers: common + [
                    ("Allow", "OPTIONS,POST"),
                    ("Public", "OPTIONS,POST"),
                    ("MS-ASProtocolVersions", "2.0,2.1,2.5,12.0,12.1,14.0,14.1,16.0,16.1"),
                    ("MS-ASProtocolCommands", "Sync,SendMail,SmartForward,SmartReply,GetAttachment,GetHierarchy,CreateCollection,DeleteCollection,MoveCollection,FolderSync,FolderCreate,FolderDelete,FolderUpdate,MoveItems,GetItemEstimate,MeetingResponse,Search,Settings,Ping,ItemOperations,Provision,ResolveRecipients,ValidateCert,Find"),
                ], body: [])
            case "POST":
                guard request.query.first(where: { $0.key.lowercased() == "cmd" })?.value == "FolderSync" else {
                    return .text(400, "Bad Request")
                }
                guard let document = try? WBXML.decode(request.body),
                      document.firstText(page: WBXML.FolderHierarchy.page, tag: WBXML.FolderHierarchy.syncKey) != nil else {
                    return .text(400, "Bad Request")
                }
                let status = fault == .backendFailing ? "6" : "1"
                let page = WBXML.FolderHierarchy.page
                var children: [WBXML.Node] = [.element(page: page, tag: WBXML.FolderHierarchy.status, children: [.text(status)])]
                if status == "1" {
                    children.append(.element(page: page, tag: WBXML.FolderHierarchy.syncKey, children: [.text("1")]))
                    children.append(.element(page: page, tag: WBXML.FolderHierarchy.changes, children: [
                        .element(page: page, tag: WBXML.FolderHierarchy.count, children: [.text("0")]),
                    ]))
                }
                let body = WBXML.encode(.element(page: page, tag: WBXML.FolderHierarchy.folderSync, children: children))
                return .full(status: 200, headers: common + [("Content-Type", "application/vnd.ms-sync.wbxml")], body: body)
            default:
                return .text(405, "Method Not Allowed", headers: [("Allow", "OPTIONS,POST")])
            }
        }
    }

    // MARK: Outlook on the web

    /// `/owa/` redirects an anonymous browser to the forms sign-in page, which renders a form.
    func owa(_ request: ExchangeRequest) -> ExchangeReply {
        let path = request.path.lowercased()
        let origin = request.header("Host") ?? configuration.hostWithPort
        if path == "/owa" || path == "/owa/" {
            return .full(status: 302, headers: [("Location", "https://\(origin)/owa/auth/logon.aspx?replaceCurrent=1&url=https%3a%2f%2f\(request.host)%2fowa%2f"),
                                                ("X-OWA-Version", "15.2.1544.4"), ("X-FEServer", "EXFE01")], body: [])
        }
        if path == "/owa/auth/logon.aspx" {
            return .text(200, ExchangeFixtures.owaSignInPage, type: "text/html; charset=utf-8", headers: [("X-OWA-Version", "15.2.1544.4"), ("X-FEServer", "EXFE01")])
        }
        return .text(404, "Not Found")
    }

    // MARK: Graph

    /// `GET /v1.0/users/{id}/mailFolders/inbox` (Graph mailFolder resource): the inbox's counts
    /// for an app token with Mail.Read; errors are Graph error objects (`{"error":{"code",…}}`).
    func graph(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        func graphError(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = []) -> ExchangeReply {
            .text(status, #"{"error":{"code":"\#(code)","message":"\#(message)","innerError":{"request-id":"5c1e0000-0000-4000-8000-000000000001","date":"2026-11-22T10:00:00"}}}"#,
                  type: "application/json", headers: headers)
        }
        let parts = request.path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard parts.count == 5, parts[3].lowercased() == "mailfolders", parts[4].lowercased() == "inbox" else {
            return graphError(400, "BadRequest", "Resource not found for the segment '\(parts.last ?? "")'.")
        }
        switch authentication(of: request) {
        case .none:
            return graphError(401, "InvalidAuthenticationToken", "Access token is empty.", headers: fault == .authBroken ? [] : [("WWW-Authenticate", #"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000""#)])
        case .invalid:
            return graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
        case .valid:
            break
        }
        if fault == .authBroken { return graphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.") }
        if fault == .backendFailing { return graphError(503, "serviceNotAvailable", "Service unavailable.", headers: [("Retry-After", "10")]) }
        guard parts[2].lowercased() == configuration.user else {
            return graphError(404, "ErrorInvalidUser", "The requested user '\(parts[2])' is invalid.")
        }
        return .text(200, #"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users('\#(configuration.user)')/mailFolders/$entity","id":"AAMkAGI2TGuLAAA=","displayName":"Inbox","parentFolderId":"AAMkAGI2TAAA=","childFolderCount":0,"unreadItemCount":3,"totalItemCount":12,"isHidden":false}"#,
                     type: "application/json")
    }
}
