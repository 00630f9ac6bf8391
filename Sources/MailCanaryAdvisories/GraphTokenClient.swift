import AsyncHTTPClient
import Foundation
import MailCanaryCore
import MailCanaryWatch
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// App-only tokens for Graph (OAuth2 client credentials, exchange-protocols.md §1.2): a client
/// secret or a certificate assertion, scope `<graph>/.default`, cached until five minutes before
/// it expires (or half its life when shorter), dropped when Graph says it expired. Errors name
/// the cause (the AADSTS code and its first line), never the secret or the token.
public final class GraphTokenClient: Sendable {
    public enum Credential: Sendable {
        case secret(Secret)
        case certificate(ClientAssertion)
    }

    let endpoint: String
    let clientID: String
    let scope: String
    let credential: Credential
    let http: HTTPClient
    let timeout: Duration
    private let cached = NIOLockedValueBox<(token: Secret, renewAtMs: Int64)?>(nil)
    private let issued = NIOLockedValueBox(0)

    public init(tokenURL: String, tenant: String, clientID: String, graphURL: String, credential: Credential, http: HTTPClient, timeout: Duration) {
        let tenantPath = tenant.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? tenant
        endpoint = "\(tokenURL)/\(tenantPath)/oauth2/v2.0/token"
        self.clientID = clientID
        scope = graphURL + "/.default"
        self.credential = credential
        self.http = http
        self.timeout = timeout
    }

    /// How many tokens were requested (a cached token costs none).
    public var tokensIssued: Int { issued.withLockedValue { $0 } }

    public func invalidate() { cached.withLockedValue { $0 = nil } }

    public func token(nowMs: Int64) async -> Result<Secret, GraphFailure> {
        if let cached = cached.withLockedValue({ $0 }), nowMs < cached.renewAtMs { return .success(cached.token) }
        var form: [(String, String)] = [("client_id", clientID), ("scope", scope), ("grant_type", "client_credentials")]
        switch credential {
        case .secret(let secret):
            form.append(("client_secret", secret.exposedForWire))
        case .certificate(let assertion):
            do {
                form += [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                         ("client_assertion", try assertion.make(audience: endpoint, clientID: clientID, nowMs: nowMs))]
            } catch {
                return .failure(GraphFailure("token: \(error.description)"))
            }
        }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        request.body = .bytes(ByteBuffer(string: form.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")))
        let status: Int
        let body: [UInt8]
        let retryAfter: String?
        do {
            let response = try await http.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After")
            body = Array(buffer: try await response.body.collect(upTo: 256 << 10))
        } catch {
            return .failure(GraphFailure("token: cannot reach the token endpoint (\(OutboundHTTP.describe(error)))"))
        }
        issued.withLockedValue { $0 += 1 }
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        guard status == 200 else {
            let code = object?["error"] as? String ?? "HTTP \(status)"
            let description = (object?["error_description"] as? String)?.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            return .failure(GraphFailure("token refused: \(code)" + (description.isEmpty ? "" : " (\(description))"), status: status,
                                         retryAfterMs: OutboundHTTP.retryAfterMs(retryAfter, nowMs: nowMs)))
        }
        guard let token = object?["access_token"] as? String, !token.isEmpty else {
            return .failure(GraphFailure("token: the answer has no access_token"))
        }
        let lifetime = (object?["expires_in"] as? NSNumber)?.int64Value ?? Int64(object?["expires_in"] as? String ?? "") ?? 3_599
        let margin = min(300, lifetime / 2)
        let secret = Secret(token)
        cached.withLockedValue { $0 = (secret, nowMs + (lifetime - margin) * 1_000) }
        return .success(secret)
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
