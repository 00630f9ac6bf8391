import Foundation
import MailCanaryCore
import MailWire
import NIOCore

/// Requests access tokens from an OAuth2 token endpoint (RFC 6749 §4.4 client credentials,
/// §6 refresh token) and caches each until shortly before it expires.
///
/// ```
/// POST /{tenant}/oauth2/v2.0/token HTTP/1.1
/// Content-Type: application/x-www-form-urlencoded
///
/// grant_type=client_credentials&client_id=…&client_secret=<redacted>&scope=…
/// ```
/// A refusal (`{"error":"invalid_client","error_description":"AADSTS7000215: …"}`) is an `auth`
/// failure of the `token` step; a 5xx is `server`; both have the cause `authentication`.
public final class OAuth2TokenProvider: TokenProvider {
    public enum Grant: Sendable {
        case clientCredentials
        case refreshToken(Secret)
    }

    public struct Endpoint: Sendable {
        public var secure: Bool
        public var host: String
        public var port: Int
        public var path: String

        /// Parses `https://host[:port]/path`; nil when it is not an http(s) URL.
        public init?(url: String) {
            guard let target = try? ProbeTarget(parsing: url), target.scheme == .https || target.scheme == .http else { return nil }
            secure = target.scheme == .https
            host = target.host
            port = target.port
            path = target.resource
        }
    }

    let endpoint: Endpoint
    let clientID: String
    let clientSecret: Secret?
    let scope: String?
    let grant: Grant
    /// Tokens are renewed this long before they expire. Default 5 minutes, as MSAL does.
    let renewalMargin: TimeInterval
    private let cache = TokenCache()

    public init(endpoint: Endpoint, clientID: String, clientSecret: Secret?, scope: String?, grant: Grant, renewalMargin: TimeInterval = 300) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.grant = grant
        self.renewalMargin = renewalMargin
    }

    public func token(context: ProbeContext) async throws(ProbeFailure) -> (token: Secret, detail: String) {
        if let cached = await cache.valid(at: context.startedAt) {
            let minutes = Int(cached.expires.timeIntervalSince(context.startedAt) / 60)
            return (cached.token, "cached token, \(minutes) min left")
        }
        // The token request's own layers go to a scratch recorder: the probe shows one `token` step.
        do {
            let issued = try await fetch(context: context, recorder: ProbeRecorder())
            return (issued.token, issued.detail)
        } catch {
            var failure = error
            failure.step = .token
            throw failure
        }
    }

    /// A fresh token request whose layers (`resolve`, `connect`, `tls`, `token`) are recorded
    /// on `recorder`: the token endpoint probed as an access path. The cache is refreshed too.
    public func requestToken(context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> (token: Secret, lifetimeMinutes: Int) {
        let issued = try await fetch(context: context, recorder: recorder)
        return (issued.token, Int(issued.lifetime / 60))
    }

    /// One token request; the `token` step recorded on `recorder` carries the verdict.
    func fetch(context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) -> (token: Secret, detail: String, lifetime: TimeInterval) {
        var form: [(String, String)] = [("client_id", clientID)]
        switch grant {
        case .clientCredentials:
            form.append(("grant_type", "client_credentials"))
        case .refreshToken(let refresh):
            form.append(("grant_type", "refresh_token"))
            form.append(("refresh_token", refresh.exposedForWire))
        }
        if let clientSecret { form.append(("client_secret", clientSecret.exposedForWire)) }
        if let scope { form.append(("scope", scope)) }
        let body = form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let request = HTTPRequest(
            method: "POST",
            target: endpoint.path,
            host: HTTPRequest.authority(host: endpoint.host, port: endpoint.port, secure: endpoint.secure),
            headers: [
                HTTPField("Content-Type", "application/x-www-form-urlencoded"),
                HTTPField("Accept", "application/json"),
                HTTPField("User-Agent", "MailCanary"),
            ],
            body: Array(body.utf8)
        )
        let response: HTTPExchange.Response
        do {
            response = try await HTTPExchange.perform(request, secure: endpoint.secure, host: endpoint.host, port: endpoint.port,
                                                      step: .token, context: context, recorder: recorder)
        } catch {
            var failure = error
            failure.message = "token endpoint \(endpoint.host): \(failure.message)"
            throw failure
        }
        let issued = try recorder.judge(.token) { () throws(ProbeFailure) in
            let issued = try interpret(response)
            return (issued, issued.detail)
        }
        await cache.store(issued.token, until: context.startedAt.addingTimeInterval(max(0, issued.lifetime - renewalMargin)))
        return issued
    }

    /// The token and its lifetime in seconds, or the classified refusal.
    func interpret(_ response: HTTPExchange.Response) throws(ProbeFailure) -> (token: Secret, detail: String, lifetime: TimeInterval) {
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let status = response.head.status
        if status == 200, let access = json?["access_token"] as? String, !access.isEmpty {
            let lifetime = (json?["expires_in"] as? Double) ?? Double(json?["expires_in"] as? String ?? "") ?? 3600
            return (Secret(access), "token issued by \(endpoint.host), valid \(Int(lifetime / 60)) min", lifetime)
        }
        let code = json?["error"] as? String
        let description = (json?["error_description"] as? String).map { String($0.prefix(300)) }
        let aadsts = description.flatMap(Self.aadstsCode)
        var words = "token endpoint \(endpoint.host) answered HTTP \(status)"
        if let code { words += " \(code)" }
        if let description { words += ": \(description.split(separator: "\n").first ?? "")" }
        let reply = [code, aadsts].compactMap { $0 }.joined(separator: " ")
        if status == 200 {
            throw ProbeFailure(.protocol, reason: .malformed, step: .token, message: "token endpoint answered 200 without an access_token")
        }
        let verdict = AADSTS.classify(code: aadsts, error: code, status: status)
        if let hint = verdict.hint { words += " — \(hint)" }
        throw ProbeFailure(verdict.failureClass, reason: verdict.reason, step: .token, message: words, serverReply: reply.isEmpty ? nil : reply)
    }

    static func aadstsCode(in text: String) -> String? {
        guard let range = text.range(of: #"AADSTS\d+"#, options: .regularExpression) else { return nil }
        return String(text[range])
    }

    /// `application/x-www-form-urlencoded` (WHATWG URL §5.2).
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "*-._")
        return text.addingPercentEncoding(withAllowedCharacters: allowed)?.replacingOccurrences(of: "%20", with: "+") ?? ""
    }
}

/// Remembers one token until its renewal time.
actor TokenCache {
    private var entry: (token: Secret, expires: Date)?

    func valid(at now: Date) -> (token: Secret, expires: Date)? {
        guard let entry, entry.expires > now else { return nil }
        return entry
    }

    func store(_ token: Secret, until expires: Date) {
        entry = (token, expires)
    }
}
