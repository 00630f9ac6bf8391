import Foundation
import MailWire

/// The answers of the Exchange test server: a pure function from request (and the fault in
/// force) to reply. Each answer names the specification section it follows.
public struct ExchangeResponder: Sendable {
    public struct Configuration: Sendable {
        /// The accepted domain; Autodiscover answers for mailboxes in it.
        public var domain = "contoso.test"
        /// The host the server names in the URLs it hands out (Autodiscover), with its port.
        public var publicHost = "mail.contoso.test"
        public var publicPort = 443
        public var user = "alice@contoso.test"
        public var password = "lab-password"
        public var displayName = "Alice Lab"
        public var clientID = "mailcanary-probe"
        public var clientSecret = "lab-client-secret"
        /// The token the token endpoint issues and the other endpoints accept.
        public var accessToken = "lab-access-token"
        public var tenant = "contoso.test"
        /// The public key of the app's registered certificate: client assertions signed by it are accepted.
        public var assertionPublicKeyPEM: String?
        /// A host outside the domain, for ``ExchangeFault/autodiscoverWrongHost``.
        public var foreignHost = "autodiscover.attacker.example"
        public init() {}

        var hostWithPort: String { publicPort == 443 ? publicHost : "\(publicHost):\(publicPort)" }
        var legacyDN: String { "/o=ContosoLab/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice" }
    }

    public var configuration: Configuration
    public init(configuration: Configuration) { self.configuration = configuration }

    public func respond(to request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        let path = request.path.lowercased()
        if fault == .frontEndDown {
            // An overloaded or failed front end: IIS/load balancer 503 with Retry-After (RFC 9110 §15.6.4).
            return .text(503, "Service Unavailable", headers: [("Retry-After", "30")])
        }
        if !request.secure {
            // The HTTP redirect method ([MS-OXDSCLI] §3.1.5.2.1 step 3): an unauthenticated GET on
            // port 80 is answered with a 302 to the HTTPS Autodiscover URL.
            // The target is `mail.` + the domain asked for, on the HTTPS port (a host in the same domain).
            if path == "/autodiscover/autodiscover.xml" {
                let domain = request.host.hasPrefix("autodiscover.") ? String(request.host.dropFirst("autodiscover.".count)) : configuration.domain
                let port = configuration.publicPort == 443 ? "" : ":\(configuration.publicPort)"
                return .full(status: 302, headers: [("Location", "https://mail.\(domain)\(port)/autodiscover/autodiscover.xml")], body: [])
            }
            return .text(404, "Not Found")
        }
        if path.hasSuffix("/oauth2/v2.0/token") { return token(request, fault: fault) }
        if path.hasPrefix("/autodiscover/autodiscover.json") { return autodiscoverJSON(request, fault: fault) }
        if path == "/autodiscover/autodiscover.xml" { return autodiscoverPOX(request, fault: fault) }
        if path.hasSuffix("/healthcheck.htm") { return healthcheck(path: path, fault: fault) }
        if path.hasPrefix("/mapi/emsmdb") || path.hasPrefix("/mapi/nspi") { return mapi(request, fault: fault) }
        if path == "/ews/exchange.asmx" { return ews(request, fault: fault) }
        if path.hasPrefix("/microsoft-server-activesync") { return activeSync(request, fault: fault) }
        if path.hasPrefix("/owa") { return owa(request) }
        if path.hasPrefix("/v1.0/users/") { return graph(request, fault: fault) }
        return .text(404, "Not Found")
    }

    // MARK: authentication

    enum Authentication { case none, valid, invalid }

    func authentication(of request: ExchangeRequest) -> Authentication {
        guard let value = request.header("Authorization") else { return .none }
        if value.hasPrefix("Bearer ") { return String(value.dropFirst(7)) == configuration.accessToken ? .valid : .invalid }
        if value.hasPrefix("Basic ") {
            let decoded = Data(base64Encoded: String(value.dropFirst(6))).map { String(decoding: $0, as: UTF8.self) }
            return decoded == "\(configuration.user):\(configuration.password)" ? .valid : .invalid
        }
        return .invalid
    }

    /// 401 as Exchange Online's front end sends it (shared/reference §3.9): the Bearer challenge
    /// pointing at the identity provider, then `Basic Realm=""`; with ``ExchangeFault/authBroken``
    /// the challenge is missing (an authentication module that fails).
    func unauthorized(_ fault: ExchangeFault, error: String? = nil) -> ExchangeReply {
        if fault == .authBroken { return .text(401, "401 - Unauthorized") }
        var bearer = ExchangeFixtures.bearerChallenge
        if let error { bearer += ", error=\"\(error)\"" }
        return .full(status: 401, headers: [
            ("WWW-Authenticate", bearer),
            ("WWW-Authenticate", "Basic Realm=\"\""),
            ("X-FEServer", "EXFE01"),
            ("request-id", "2bd11fa7-2a1f-4b2b-9a1b-000000000401"),
        ], body: [])
    }

    /// Runs `body` when the request carries valid credentials, else answers 401.
    func authenticated(_ request: ExchangeRequest, _ fault: ExchangeFault, _ body: () -> ExchangeReply) -> ExchangeReply {
        switch authentication(of: request) {
        case .none: return unauthorized(fault)
        case .invalid: return unauthorized(fault, error: "invalid_token")
        case .valid: return fault == .authBroken ? unauthorized(fault) : body()
        }
    }

    // MARK: token endpoint

    /// `POST /{tenant}/oauth2/v2.0/token` (RFC 6749 §4.4 and §6; the Microsoft identity platform's
    /// client-credentials document for the shapes, shared/reference §1.2). Errors are RFC 6749
    /// §5.2 objects whose `error_description` starts with the AADSTS code.
    func token(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        let form = Self.formFields(request.body)
        func error(_ status: Int, _ code: String, _ description: String) -> ExchangeReply {
            let body = #"{"error":"\#(code)","error_description":"\#(description)\r\nTrace ID: 0b5e8f4c-0000-4000-8000-000000000000\r\nTimestamp: 2026-11-22 10:00:00Z","error_codes":[\#(description.dropFirst(6).prefix { $0.isNumber })]}"#
            return .text(status, body, type: "application/json; charset=utf-8")
        }
        switch fault {
        case .authBroken:
            return error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")
        case .tokenInteractionRequired:
            return error(400, "interaction_required", "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.")
        case .tokenTransient:
            return error(503, "temporarily_unavailable", "AADSTS90033: A transient error has occurred. Please try again.")
        default:
            break
        }
        guard form["client_id"] == configuration.clientID else {
            return error(400, "unauthorized_client", "AADSTS700016: Application with identifier '\(form["client_id"] ?? "")' was not found in the directory '\(configuration.tenant)'.")
        }
        switch form["grant_type"] {
        case "client_credentials":
            if form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", let assertion = form["client_assertion"] {
                guard let key = configuration.assertionPublicKeyPEM else {
                    return error(401, "invalid_client", "AADSTS700027: No certificate is registered on the application.")
                }
                if let problem = ClientAssertionCheck.verify(assertion, clientID: configuration.clientID, publicKeyPEM: key,
                                                             nowSeconds: Int64(Date().timeIntervalSince1970)) {
                    return error(401, "invalid_client", problem)
                }
            } else if form["client_secret"] != configuration.clientSecret {
                return error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
            }
        case "refresh_token":
            guard form["refresh_token"] == "lab-refresh-token" else {
                return error(400, "invalid_grant", "AADSTS70000: The provided value for the input parameter 'refresh_token' is not valid.")
            }
        default:
            return error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.")
        }
        let body = #"{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"\#(configuration.accessToken)"}"#
        return .text(200, body, type: "application/json; charset=utf-8")
    }

    static func formFields(_ body: [UInt8]) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    // MARK: Autodiscover

    /// Autodiscover v2 (shared/reference §3.3): `GET /autodiscover/autodiscover.json/v1.0/{address}?Protocol=P`,
    /// anonymous, answered with `{"Protocol":P,"Url":…}`; an unknown protocol is a 400 with
    /// `ErrorCode` `InvalidProtocol`.
    func autodiscoverJSON(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        let address = request.path.split(separator: "/").last.map { String($0).removingPercentEncoding ?? String($0) } ?? ""
        let protocolName = request.query.first { $0.key.lowercased() == "protocol" }?.value ?? ""
        let urls = [
            "ews": "https://\(configuration.hostWithPort)/EWS/Exchange.asmx",
            "activesync": "https://\(configuration.hostWithPort)/Microsoft-Server-ActiveSync",
            "autodiscoverv1": "https://\(configuration.hostWithPort)/autodiscover/autodiscover.xml",
            "rest": "https://\(configuration.hostWithPort)/api",
        ]
        guard let url = urls[protocolName.lowercased()] else {
            let body = #"{"ErrorCode":"InvalidProtocol","ErrorMessage":"The given protocol value '\#(protocolName)' is invalid. Supported values are 'Rest,ActiveSync,Ews,AutodiscoverV1'"}"#
            return .text(400, body, type: "application/json")
        }
        guard address.lowercased().split(separator: "@").first == configuration.user.split(separator: "@").first else {
            return .text(404, #"{"ErrorCode":"UserNotFound","ErrorMessage":"The user was not found."}"#, type: "application/json")
        }
        if fault == .autodiscoverWrongHost {
            let foreign = url.replacingOccurrences(of: configuration.hostWithPort, with: configuration.foreignHost)
            return .text(200, #"{"Protocol":"\#(protocolName)","Url":"\#(foreign)"}"#, type: "application/json")
        }
        return .text(200, #"{"Protocol":"\#(protocolName)","Url":"\#(url)"}"#, type: "application/json",
                     headers: [("request-id", "7c0d0c5e-0000-4000-8000-00000000a2d2")])
    }

    /// POX Autodiscover ([MS-OXDSCLI] §3.2.5): `POST /autodiscover/autodiscover.xml`, authenticated;
    /// `X-MapiHttpCapability: 1` adds the mapiHttp protocol element (§2.2.4.1.1.2.8 ⚠️).
    func autodiscoverPOX(_ request: ExchangeRequest, fault: ExchangeFault) -> ExchangeReply {
        guard request.method == "POST" else { return .text(405, "Method Not Allowed", headers: [("Allow", "POST")]) }
        return authenticated(request, fault) {
            let text = String(decoding: request.body, as: UTF8.self)
            guard let email = Self.element("EMailAddress", in: text) else {
                return .text(200, ExchangeFixtures.poxError(code: 600, message: "Invalid Request"), type: "text/xml; charset=utf-8")
            }
            switch fault {
            case .autodiscoverLoop:
                // redirectUrl back to this very endpoint: a client must stop after 10 (RedirectUrl doc).
                let value = "https://\(request.header("Host") ?? configuration.hostWithPort)/autodiscover/autodiscover.xml"
                return .text(200, ExchangeFixtures.poxRedirect(action: "redirectUrl", value: value), type: "text/xml; charset=utf-8")
            case .autodiscoverWrongHost:
                let value = "https://\(configuration.foreignHost)/autodiscover/autodiscover.xml"
                return .text(200, ExchangeFixtures.poxRedirect(action: "redirectUrl", value: value), type: "text/xml; charset=utf-8")
            default:
                break
            }
            // Any domain of the lab answers for the same mailbox (discovery tests use several domains).
            guard email.lowercased().split(separator: "@").first == configuration.user.split(separator: "@").first else {
                // ErrorCode 500 "The e-mail address cannot be found." ([MS-OXDSCLI] §2.2.4.1.1.1.2).
                return .text(200, ExchangeFixtures.poxError(code: 500, message: "The e-mail address cannot be found."), type: "text/xml; charset=utf-8")
            }
            let body = ExchangeFixtures.poxResponse(email: email, displayName: configuration.displayName, legacyDN: configuration.legacyDN,
                                                    host: configuration.hostWithPort, mapiHTTP: request.header("X-MapiHttpCapability") != nil)
            return .text(200, body, type: "text/xml; charset=utf-8")
        }
    }

    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return String(text[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: healthcheck.htm

    /// `/{vdir}/healthcheck.htm` (shared/reference §3.2): `200 OK<br/>SERVER-FQDN` while the
    /// protocol's component is Active; otherwise not 200.
    func healthcheck(path: String, fault: ExchangeFault) -> ExchangeReply {
        let vdirs = ["/owa", "/ecp", "/ews", "/mapi", "/microsoft-server-activesync", "/autodiscover", "/oab", "/rpc", "/powershell"]
        guard let vdir = vdirs.first(where: { path == $0 + "/healthcheck.htm" }) else { return .text(404, "Not Found") }
        if fault == .backendFailing, vdir == "/mapi" || vdir == "/ews" || vdir == "/rpc" {
            return .text(503, "Service Unavailable")
        }
        return .text(200, "200 OK<br/>EXMBX01.\(configuration.domain)", type: "text/html")
    }
}
