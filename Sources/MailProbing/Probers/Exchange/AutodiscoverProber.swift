import Foundation
import MailCanaryCore
import MailWire
import NIOCore

/// Autodiscover, the first phase of every Outlook and ActiveSync client.
///
/// `autodiscover+https://HOST[:PORT]/?email=A` checks one endpoint: Autodiscover v2 (JSON,
/// anonymous: `json` step), then POX (`pox` step: `POST /autodiscover/autodiscover.xml` with
/// `X-MapiHttpCapability: 1`; anonymous it must answer 401 with a challenge, with credentials
/// it must return settings). Redirects (HTTP 302, `redirectUrl`, `redirectAddr`) are followed
/// up to 10 times ([MS-OXDSCLI]; the RedirectUrl doc).
///
/// `autodiscover://DOMAIN?email=A` runs the client's discovery ([MS-OXDSCLI] §3.1.5): the
/// domain, then `autodiscover.DOMAIN`, then the HTTP redirect method on port 80, then the SRV
/// record `_autodiscover._tcp.DOMAIN`; each method is a `discover` step, the first that works
/// gives its layers and the endpoints a client would use. Test-only parameters `port` and
/// `httpPort` move the HTTPS and HTTP ports; `allow=HOST,HOST` names extra hosts that may
/// receive credentials (Microsoft 365's own hosts are allowed already).
///
/// Credentials never go to a host outside the domain (``DomainPolicy``), and there is no
/// fallback to a parent domain.
public struct AutodiscoverProber: Prober {
    public init() {}

    static let json = StepName("json")
    static let pox = StepName("pox")

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let email = target.parameter("email") ?? ""
        let allowed = DomainPolicy.microsoft365Hosts.union(
            (target.parameter("allow") ?? "").split(separator: ",").map { $0.lowercased().trimmingCharacters(in: .whitespaces) })
        if target.scheme == .autodiscoverHTTPS {
            // The operator named this endpoint: its own host may receive the credentials.
            let domain = email.split(separator: "@").last.map(String.init) ?? target.host
            let policy = Policy(domain: domain, allowed: allowed.union([target.host.lowercased()]))
            try await checkEndpoint(host: target.host, port: target.port, email: email, policy: policy, context: context, recorder: recorder)
            return
        }
        try await discover(target, email: email, allowed: allowed, context: context, recorder: recorder)
    }

    struct Policy {
        var domain: String
        var allowed: Set<String>
        func mayReceive(_ host: String) -> Bool { DomainPolicy.mayReceiveCredentials(host, domain: domain, allowed: allowed) }
    }

    // MARK: discovery

    func discover(_ target: ProbeTarget, email: String, allowed: Set<String>, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let domain = target.host.lowercased()
        let httpsPort = target.parameter("port").flatMap(Int.init) ?? 443
        let httpPort = target.parameter("httpPort").flatMap(Int.init) ?? 80
        let policy = Policy(domain: domain, allowed: allowed)
        enum Method { case https(String, Int), httpRedirect, srv }
        let methods: [(String, Method)] = [
            ("domain", .https(domain, httpsPort)),
            ("autodiscover-host", .https("autodiscover." + domain, httpsPort)),
            ("http-redirect", .httpRedirect),
            ("srv", .srv),
        ]
        var best: (failure: ProbeFailure, depth: Int)?
        for (index, (name, method)) in methods.enumerated() {
            let remaining = context.deadline - .now()
            guard remaining > .zero else { break }
            // Each method gets at most half of what is left (the last one all of it), so that a
            // silent first host does not starve the fallbacks.
            var sub = context
            if index < methods.count - 1 { sub.deadline = .now() + .nanoseconds(remaining.nanoseconds / 2) }
            let scratch = ProbeRecorder(transcript: recorder.transcript)
            let start = NIODeadline.now()
            do {
                let url: String
                switch method {
                case .https(let host, let port):
                    url = "https://\(host):\(port)/autodiscover/autodiscover.xml"
                    try await checkEndpoint(host: host, port: port, email: email, policy: policy, context: sub, recorder: scratch)
                case .httpRedirect:
                    let host = "autodiscover." + domain
                    let next = try await httpRedirect(host: host, port: httpPort, policy: policy, context: sub, recorder: scratch)
                    url = "http://\(host):\(httpPort) → \(next.displayString)"
                    try await checkEndpoint(host: next.host, port: next.port, email: email, policy: policy, context: sub, recorder: scratch)
                case .srv:
                    let record = try await srv(domain: domain, policy: policy, context: sub, recorder: scratch)
                    url = "SRV → https://\(record.host):\(record.port)"
                    try await checkEndpoint(host: record.host, port: record.port, email: email, policy: policy, context: sub, recorder: scratch)
                }
                recorder.record(.discover, .ok, since: start, detail: "\(name): \(url)")
                recorder.adopt(scratch)
                recorder.facts["method"] = name
                return
            } catch {
                recorder.record(.discover, .failed, since: start, detail: "\(name): \(error.failureClass.rawValue) at \(error.step.rawValue): \(error.message)")
                let depth = Self.depth(of: scratch)
                if depth >= (best?.depth ?? 0) { best = (error, depth) }
            }
        }
        var failure = best?.failure ?? ProbeFailure(.timeout, reason: .responseTimeout, step: .discover, message: "no time left for the discovery methods")
        failure.message = "every Autodiscover method failed; the most advanced: \(failure.message)"
        throw failure
    }

    /// How far a method got: greeted (an HTTP answer) beats a TLS or TCP failure beats DNS.
    static func depth(of scratch: ProbeRecorder) -> Int {
        let reached = scratch.steps.filter { $0.outcome == .ok }.map(\.name)
        if scratch.greeted { return 3 + reached.count }
        if reached.contains(.connect) { return 2 }
        if reached.contains(.resolve) { return 1 }
        return 0
    }

    /// The HTTP redirect method ([MS-OXDSCLI] §3.1.5.2 ⚠️): an unauthenticated GET on port 80
    /// must answer 302 with an https Location, which must stay within the domain.
    func httpRedirect(host: String, port: Int, policy: Policy, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> ProbeTarget {
        let session = HTTPSession(host: host, port: port, secure: false, context: context, recorder: recorder)
        let response = try await session.send("GET", "/autodiscover/autodiscover.xml", step: .redirect)
        return try recorder.judge(.redirect) { () throws(ProbeFailure) -> (ProbeTarget, String) in
            guard [301, 302, 307, 308].contains(response.head.status), let location = response.head.first("Location") else {
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .redirect, message: "http://\(host) answered HTTP \(response.head.status), not a redirect")
            }
            guard let next = try? ProbeTarget(parsing: location), next.scheme == .https else {
                throw ProbeFailure(.protocol, reason: .unexpectedReply, step: .redirect, message: "the redirect goes to '\(location.prefix(120))', not an https URL")
            }
            guard policy.mayReceive(next.host) else {
                throw ProbeFailure(.protocol, reason: .redirectOutsideDomain, step: .redirect,
                                   message: "the HTTP redirect points at \(next.host), outside \(policy.domain): not followed (credential-leak guard)")
            }
            return (next, "\(response.head.status) → \(next.displayString)")
        }
    }

    /// The SRV method: `_autodiscover._tcp.DOMAIN`, lowest priority first; the target must be
    /// within the domain.
    func srv(domain: String, policy: Policy, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> (host: String, port: Int) {
        let name = "_autodiscover._tcp." + domain
        return try await recorder.step(.resolve) { () async throws(ProbeFailure) -> ((host: String, port: Int), String) in
            let response = await DNSClient.query(name, type: .srv, server: context.settings.dnsServer, deadline: context.deadline)
            if let failure = Resolver.failure(for: response.status, host: name, what: "SRV", server: response.server) { throw failure }
            guard let record = response.records.filter({ $0.type == "SRV" }).min(by: { ($0.priority ?? 0, -($0.weight ?? 0)) < ($1.priority ?? 0, -($1.weight ?? 0)) }),
                  let host = record.target, let port = record.port else {
                throw ProbeFailure(.dns, reason: .noData, step: .resolve, message: "\(name) has no SRV record")
            }
            guard policy.mayReceive(host) else {
                throw ProbeFailure(.protocol, reason: .redirectOutsideDomain, step: .resolve,
                                   message: "the SRV record points at \(host), outside \(policy.domain): not followed (credential-leak guard)")
            }
            return ((host, port), "SRV \(name) → \(host):\(port) (TTL \(record.ttl))")
        }
    }

    // MARK: one endpoint

    func checkEndpoint(host: String, port: Int, email: String, policy: Policy, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        var session = HTTPSession(host: host, port: port, context: context, recorder: recorder)
        recorder.facts["endpoint"] = "https://\(session.authority)/autodiscover/autodiscover.xml"
        try await jsonV2(session: session, email: email, recorder: recorder)

        let credentials = context.settings.credentials
        var authorization: HTTPField?
        if !credentials.isEmpty {
            guard policy.mayReceive(host) else {
                throw ProbeFailure(.protocol, reason: .redirectOutsideDomain, step: Self.pox, message: "\(host) is outside \(policy.domain): credentials not sent")
            }
            authorization = try await credentials.httpAuthorization(context: context, recorder: recorder)
        }
        var address = email
        var path = "/autodiscover/autodiscover.xml"
        var visited: Set<String> = []
        for _ in 0...context.settings.limits.maxRedirects {
            let key = "\(session.authority)\(path) \(address)".lowercased()
            guard visited.insert(key).inserted else {
                throw ProbeFailure(.protocol, reason: .redirectLimit, step: .redirect, message: "Autodiscover redirect loop: \(key) was already asked")
            }
            var headers = [HTTPField("Content-Type", "text/xml; charset=utf-8"), HTTPField("X-MapiHttpCapability", "1"),
                           HTTPField("X-ClientCanHandle", "Negotiate,ExHttpInfo"), HTTPField("X-AnchorMailbox", address)]
            if let authorization { headers.append(authorization) }
            let body = Array(Self.poxRequest(email: address).utf8)
            let response = try await session.send("POST", path, headers: headers, body: body, step: Self.pox)
            let outcome = try recorder.judge(Self.pox) { () throws(ProbeFailure) -> (POXOutcome, String) in
                try Self.judgePOX(response, anonymous: authorization == nil, recorder: recorder)
            }
            switch outcome {
            case .done:
                return
            case .redirectURL(let url):
                guard let next = try? ProbeTarget(parsing: url), next.scheme == .https else {
                    throw ProbeFailure(.protocol, reason: .malformed, step: .redirect, message: "RedirectUrl '\(url.prefix(120))' is not an https URL")
                }
                guard authorization == nil || policy.mayReceive(next.host) else {
                    _ = try await recorder.step(.redirect) { () async throws(ProbeFailure) -> ((), String) in
                        throw ProbeFailure(.protocol, reason: .redirectOutsideDomain, step: .redirect,
                                           message: "Autodiscover redirects to \(next.host), outside \(policy.domain): credentials not sent (credential-leak guard)")
                    }
                    return
                }
                try await recorder.step(.redirect) { () async throws(ProbeFailure) in ((), "redirectUrl → \(next.displayString)") }
                if next.host.lowercased() != session.host.lowercased() || next.port != session.port {
                    session = HTTPSession(host: next.host, port: next.port, context: context, recorder: recorder)
                }
                path = next.pathOnly
            case .redirectAddress(let next):
                try await recorder.step(.redirect) { () async throws(ProbeFailure) in ((), "redirectAddr → \(next)") }
                address = next
            }
        }
        throw ProbeFailure(.protocol, reason: .redirectLimit, step: .redirect, message: "more than \(context.settings.limits.maxRedirects) Autodiscover redirects")
    }

    /// Autodiscover v2 for EWS and ActiveSync: anonymous; a 404 means the server has no v2
    /// endpoint (older Exchange) and is noted, not failed.
    func jsonV2(session: HTTPSession, email: String, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let encoded = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "@.-_"))) ?? email
        for (protocolName, fact) in [("EWS", "ewsUrl"), ("ActiveSync", "activeSyncUrl")] {
            let response = try await session.send("GET", "/autodiscover/autodiscover.json/v1.0/\(encoded)?Protocol=\(protocolName)",
                                                  headers: [HTTPField("Accept", "application/json")], step: Self.json)
            try recorder.judge(Self.json) { () throws(ProbeFailure) -> ((), String) in
                if response.head.status == 404 { return ((), "no Autodiscover v2 here (404)") }
                if let failure = FrontEndChallenge.judgeAuthenticated(response.head, step: Self.json, recorder: recorder) { throw failure }
                let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
                guard let url = object?["Url"] as? String, !url.isEmpty else {
                    let code = object?["ErrorCode"] as? String
                    throw ProbeFailure(.protocol, reason: .malformed, step: Self.json,
                                       message: "Autodiscover v2 answered without a Url\(code.map { " (ErrorCode \($0))" } ?? "")")
                }
                recorder.facts[fact] = url
                return ((), "v2 \(protocolName) → \(url)")
            }
        }
    }

    enum POXOutcome { case done, redirectURL(String), redirectAddress(String) }

    static func judgePOX(_ response: HTTPExchange.Response, anonymous: Bool, recorder: ProbeRecorder) throws(ProbeFailure) -> (POXOutcome, String) {
        if anonymous {
            return (.done, "anonymous: " + (try FrontEndChallenge.judge(response, recorder: recorder)))
        }
        if let failure = FrontEndChallenge.judgeAuthenticated(response.head, step: pox, recorder: recorder) { throw failure }
        let document: XMLNode
        do {
            document = try XMLNode.parse(response.body)
        } catch {
            throw ProbeFailure(.protocol, reason: .malformed, step: pox, message: "the POX response is not XML: \(error)")
        }
        if let error = document.first("Error") {
            let code = error.value("ErrorCode") ?? "?"
            let message = error.value("Message") ?? ""
            // [MS-OXDSCLI] §2.2.4.1.1.1.2: 500 the address is unknown; 501 bad request data;
            // 600/601/602 invalid request, provider not available, account not found.
            let (failureClass, reason): (FailureClass, FailureReason) = switch code {
            case "500", "602": (.config, .notFound)
            case "600", "501": (.protocol, .unexpectedReply)
            default: (.server, .backendError)
            }
            throw ProbeFailure(failureClass, reason: reason, step: pox, message: "Autodiscover error \(code): \(message.prefix(160))", serverReply: "ErrorCode \(code)")
        }
        guard let account = document.first("Account") else {
            throw ProbeFailure(.protocol, reason: .malformed, step: pox, message: "the POX response has no Account element")
        }
        switch account.value("Action")?.lowercased() {
        case "redirecturl":
            guard let url = account.value("RedirectUrl") else { throw ProbeFailure(.protocol, reason: .malformed, step: pox, message: "redirectUrl without RedirectUrl") }
            return (.redirectURL(url), "redirectUrl \(url.prefix(120))")
        case "redirectaddr":
            guard let address = account.value("RedirectAddr") else { throw ProbeFailure(.protocol, reason: .malformed, step: pox, message: "redirectAddr without RedirectAddr") }
            return (.redirectAddress(address), "redirectAddr \(address)")
        case "settings":
            break
        default:
            throw ProbeFailure(.protocol, reason: .malformed, step: pox, message: "the POX response has no usable Action")
        }
        var types: [String] = []
        for protocolNode in account.all("Protocol") {
            let type = protocolNode.attributes["Type"] ?? protocolNode.children.first { $0.name == "Type" }?.text ?? "?"
            types.append(type)
            switch type {
            case "mapiHttp":
                if let url = protocolNode.first("MailStore")?.value("ExternalUrl") { recorder.facts["mapiMailStoreUrl"] = url }
                if let url = protocolNode.first("AddressBook")?.value("ExternalUrl") { recorder.facts["mapiAddressBookUrl"] = url }
            case "EXCH", "EXPR":
                if let url = protocolNode.value("EwsUrl") { recorder.facts["ewsUrl"] = url }
                if let url = protocolNode.value("OABUrl") { recorder.facts["oabUrl"] = url }
            case "WEB":
                if let url = protocolNode.value("OWAUrl") { recorder.facts["owaUrl"] = url }
            default:
                break
            }
        }
        if let name = document.value("DisplayName") { recorder.facts["displayName"] = name }
        if let legacyDN = document.value("LegacyDN") { recorder.facts["legacyDN"] = legacyDN }
        guard types.contains("EXCH") || types.contains("EXPR") || types.contains("mapiHttp") else {
            // RCA's "Missing EXCH Element" / "Missing EXPR Element".
            throw ProbeFailure(.protocol, reason: .unexpectedReply, step: pox, message: "the settings name no EXCH, EXPR or mapiHttp protocol")
        }
        recorder.facts["protocols"] = types.joined(separator: ",")
        return (.done, "settings: \(types.joined(separator: ", "))\(recorder.facts["mapiMailStoreUrl"].map { "; MAPI \($0)" } ?? "")")
    }

    static func poxRequest(email: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?>
        <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
          <Request>
            <EMailAddress>\(EWSProber.escape(email))</EMailAddress>
            <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
          </Request>
        </Autodiscover>
        """
    }
}
