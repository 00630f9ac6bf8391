import Foundation
import MailCanaryCore
import MailWire

/// Exchange ActiveSync ([MS-ASHTTP], [MS-ASCMD]): the anonymous challenge; with credentials an
/// authenticated `OPTIONS` (MS-ASProtocolVersions and MS-ASProtocolCommands must be present,
/// §2.2.4.1.2) and a `FolderSync` with SyncKey 0 ([MS-ASCMD] §2.2.1.5) whose Status is judged.
///
/// 451 (mailbox moved, `X-MS-Location`) is followed once within the same domain; 503 is
/// `server` (with Retry-After); 449 (provisioning required) is `config`; 457 (credentials
/// must be refreshed at `X-MS-Credential-Service-Url`) is `auth`.
public struct ActiveSyncProber: Prober {
    public init() {}

    static let protocolVersion = "14.1"

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let path = target.pathOnly == "/" ? "/Microsoft-Server-ActiveSync" : target.pathOnly
        var session = HTTPSession(host: target.host, port: target.port, context: context, recorder: recorder)

        guard let authorization = try await FrontEndChallenge.check(session, "OPTIONS", path, operation: "FolderSync",
                                                                    context: context, recorder: recorder) else { return }
        var currentPath = path
        var options = try await session.send("OPTIONS", currentPath, headers: [authorization], step: .capability)
        if options.head.status == 451 {
            // §3.2.5.1.1 ⚠️: 451 names the server to use instead; follow it once, credentials only within the domain.
            let moved = try recorder.judge(.capability) { () throws(ProbeFailure) in
                (try Self.moved(options, from: target), "451: the mailbox moved")
            }
            try await recorder.step(.redirect) { () async throws(ProbeFailure) in ((), "451 → \(moved.displayString)") }
            session = HTTPSession(host: moved.host, port: moved.port, context: context, recorder: recorder)
            currentPath = moved.pathOnly
            options = try await session.send("OPTIONS", currentPath, headers: [authorization], step: .capability)
        }
        try recorder.judge(.capability) { () throws(ProbeFailure) in ((), try Self.judgeOptions(options, recorder: recorder)) }

        let user = context.settings.credentials.user ?? ""
        let query = "?Cmd=FolderSync&User=\(Self.queryEncode(user))&DeviceId=MailCanary0Probe01&DeviceType=MailCanary"
        let body = WBXML.encode(.element(page: WBXML.FolderHierarchy.page, tag: WBXML.FolderHierarchy.folderSync, children: [
            .element(page: WBXML.FolderHierarchy.page, tag: WBXML.FolderHierarchy.syncKey, children: [.text("0")]),
        ]))
        let headers = [authorization, HTTPField("MS-ASProtocolVersion", Self.protocolVersion),
                       HTTPField("Content-Type", "application/vnd.ms-sync.wbxml"), HTTPField("Accept", "application/vnd.ms-sync.wbxml")]
        let sync = try await session.send("POST", currentPath + query, headers: headers, body: body, step: .operation)
        try recorder.judge(.operation) { () throws(ProbeFailure) in ((), try Self.judgeFolderSync(sync, recorder: recorder)) }
    }

    static func moved(_ response: HTTPExchange.Response, from target: ProbeTarget) throws(ProbeFailure) -> ProbeTarget {
        guard let location = response.head.first("X-MS-Location"), let next = try? ProbeTarget(parsing: location), next.scheme == .https else {
            throw ProbeFailure(.protocol, reason: .malformed, step: .capability, message: "451 without a usable X-MS-Location")
        }
        guard DomainPolicy.sameDomain(next.host, target.host) else {
            throw ProbeFailure(.protocol, reason: .redirectOutsideDomain, step: .capability,
                               message: "451 points at \(next.host), outside \(DomainPolicy.registrable(target.host)): credentials not sent there")
        }
        return next
    }

    static func judgeOptions(_ response: HTTPExchange.Response, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        if let failure = special(response.head, step: .capability) ?? FrontEndChallenge.judgeAuthenticated(response.head, step: .capability, recorder: recorder) {
            throw failure
        }
        guard let versions = response.head.first("MS-ASProtocolVersions"), response.head.first("MS-ASProtocolCommands") != nil else {
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .capability,
                               message: "OPTIONS answered without MS-ASProtocolVersions/MS-ASProtocolCommands: not an ActiveSync server (or a proxy in between)")
        }
        recorder.facts["protocolVersions"] = versions
        let list = versions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard list.contains(protocolVersion) || list.contains("16.1") || list.contains("16.0") else {
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .capability, message: "the server offers ActiveSync \(versions), not 14.1 or later")
        }
        return "OPTIONS: versions \(versions)"
    }

    static func judgeFolderSync(_ response: HTTPExchange.Response, recorder: ProbeRecorder) throws(ProbeFailure) -> String {
        if let failure = special(response.head, step: .operation) ?? FrontEndChallenge.judgeAuthenticated(response.head, step: .operation, recorder: recorder) {
            throw failure
        }
        let document: WBXML.Node
        do {
            document = try WBXML.decode(response.body)
        } catch {
            throw ProbeFailure(.protocol, reason: .malformed, step: .operation, message: "FolderSync response: \(error)")
        }
        guard let status = document.firstText(page: WBXML.FolderHierarchy.page, tag: WBXML.FolderHierarchy.status) else {
            throw ProbeFailure(.protocol, reason: .malformed, step: .operation, message: "FolderSync response without a Status")
        }
        recorder.facts["folderSyncStatus"] = status
        guard status == "1" else {
            let (failureClass, reason, meaning) = classify(Int(status) ?? -1)
            throw ProbeFailure(failureClass, reason: reason, step: .operation, message: "FolderSync Status \(status) (\(meaning))", serverReply: "Status \(status)")
        }
        let count = document.firstText(page: WBXML.FolderHierarchy.page, tag: WBXML.FolderHierarchy.count) ?? "?"
        return "FolderSync: Status 1, \(count) folder changes"
    }

    /// The ActiveSync-specific HTTP statuses ([MS-ASHTTP] §3.2.5.2 ⚠️ for 449/457).
    static func special(_ head: HTTPResponseHead, step: StepName) -> ProbeFailure? {
        let reply = "HTTP \(head.status) \(head.reason)"
        switch head.status {
        case 449:
            return ProbeFailure(.config, reason: .invalidOption, step: step, message: "the server requires device provisioning (449): allow the probe's device or exempt it", serverReply: reply)
        case 457:
            let where_ = head.first("X-MS-Credential-Service-Url").map { " at \($0.prefix(120))" } ?? ""
            return ProbeFailure(.auth, reason: .credentialsRejected, step: step, message: "the credentials must be renewed (457)\(where_)", serverReply: reply)
        case 451:
            return ProbeFailure(.protocol, reason: .redirectLimit, step: step, message: "the mailbox moved again (451)", serverReply: reply)
        default:
            return nil
        }
    }

    /// FolderSync Status ([MS-ASCMD] §2.2.3.177.5) and common status codes (§2.2.2).
    static func classify(_ status: Int) -> (FailureClass, FailureReason, String) {
        switch status {
        case 6: return (.server, .backendError, "server error")
        case 11: return (.server, .backendError, "unknown error")
        case 9: return (.protocol, .unexpectedReply, "synchronization key mismatch")
        case 10: return (.protocol, .unexpectedReply, "incorrectly formatted request")
        case 12: return (.protocol, .unexpectedReply, "code unknown")
        case 110, 111: return (.server, .backendError, status == 111 ? "server error, retry later" : "server error")
        case 126, 127, 129, 130, 131, 177: return (.auth, .credentialsRejected, "the user or device is not allowed")
        case 140, 141, 142, 143, 144: return (.config, .invalidOption, "device provisioning required")
        default: return (.protocol, .unexpectedReply, "unexpected status")
        }
    }

    static func queryEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? text
    }
}
