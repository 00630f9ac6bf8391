import AsyncHTTPClient
import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryWatch
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Polls one tenant's service communications API (exchange-protocols.md §1): every issue,
/// following `@odata.nextLink` (only to the configured Graph host: the bearer token never goes
/// elsewhere), the health overviews and the message-center posts. Each request is counted
/// against the tenant's ``RequestBudget``; a 401 drops the cached token and tries once more
/// (an expired token); 429 and 503 are retried after their Retry-After when it is short, and
/// otherwise end the poll with the wait recorded; other 5xx are retried with a short backoff;
/// a hung server costs one timeout. The same code serves `serve` and `advisories poll`.
///
/// Incremental polling is by content: each poll reads the whole list (a few requests; the
/// `$filter` on lastModifiedDateTime is not documented as supported, §1.1 ⚠️) and
/// ``AdvisoryLedger`` passes on only the versions not seen before.
public final class GraphPoller: Sendable {
    public struct Settings: Sendable {
        /// A Retry-After at most this long is waited out within the poll.
        public var maximumInlineWaitMs: Int64 = 10_000
        public var attempts = 4
        public var maximumPages = 50
        public init() {}
    }

    public let tenant: GraphTenantConfig
    let tokens: GraphTokenClient
    let http: HTTPClient
    let settings: Settings
    let clock: @Sendable () -> Int64
    let sleep: @Sendable (Int64) async -> Void
    private let budget: NIOLockedValueBox<RequestBudget>

    public init(tenant: GraphTenantConfig, credential: GraphTokenClient.Credential, http: HTTPClient, settings: Settings = Settings(),
                clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000) },
                sleep: @escaping @Sendable (Int64) async -> Void = { try? await Task.sleep(for: .milliseconds($0)) }) {
        self.tenant = tenant
        self.http = http
        self.settings = settings
        self.clock = clock
        self.sleep = sleep
        tokens = GraphTokenClient(tokenURL: tenant.tokenURL, tenant: tenant.tenant, clientID: tenant.clientID, graphURL: tenant.graphURL,
                                  credential: credential, http: http, timeout: tenant.timeout)
        budget = NIOLockedValueBox(RequestBudget(perMinute: tenant.requestsPerMinute, perHour: tenant.requestsPerHour))
    }

    public var tokensIssued: Int { tokens.tokensIssued }

    public func poll(messages: Bool = true) async -> GraphPollResult {
        var result = GraphPollResult(tenant: tenant.id)
        let root = tenant.graphURL + "/v1.0/admin/serviceAnnouncement"
        var next: String? = root + "/issues"
        var pages = 0
        while let url = next {
            guard pages < settings.maximumPages else {
                result.problems.append("issues: more than \(settings.maximumPages) pages; the rest is read at the next poll")
                break
            }
            guard sameOrigin(url) else {
                result.problems.append("issues: a next page outside \(tenant.graphURL) was not followed")
                break
            }
            pages += 1
            switch await get(url, &result, pageSize: true) {
            case .success(let bytes):
                do {
                    let page = try GraphPageReader.issues(bytes)
                    result.issues += page.elements
                    result.problems += page.skipped.map { "issues: \($0) (skipped)" }
                    next = page.nextLink
                } catch {
                    result.problems.append("issues: \(error.description)")
                    next = nil
                }
            case .failure(let failure):
                result.problems.append("issues: \(failure.description)")
                result.retryAfterMs = failure.retryAfterMs
                return result   // throttled or failing: the rest waits for the next poll
            }
        }
        switch await get(root + "/healthOverviews", &result, pageSize: false) {
        case .success(let bytes):
            do { result.health = try GraphPageReader.health(bytes).elements } catch { result.problems.append("healthOverviews: \(error.description)") }
        case .failure(let failure):
            result.problems.append("healthOverviews: \(failure.description)")
            result.retryAfterMs = failure.retryAfterMs
            return result
        }
        if messages {
            switch await get(root + "/messages", &result, pageSize: true) {
            case .success(let bytes):
                do { result.plannedChanges = try GraphPageReader.messages(bytes).elements.filter(\.isPlanForChange) } catch {
                    result.problems.append("messages: \(error.description)")
                }
            case .failure(let failure):
                result.problems.append("messages: \(failure.description)" + (failure.status == 403 ? " (is ServiceMessage.Read.All granted?)" : ""))
                result.retryAfterMs = failure.retryAfterMs
            }
        }
        return result
    }

    /// A post-incident review's document (`/issues/{id}/incidentReport`), once published.
    public func incidentReport(issueID: String) async -> Result<[UInt8], GraphFailure> {
        var result = GraphPollResult(tenant: tenant.id)
        let id = issueID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? issueID
        return await get(tenant.graphURL + "/v1.0/admin/serviceAnnouncement/issues/\(id)/incidentReport", &result, pageSize: false)
    }

    func sameOrigin(_ url: String) -> Bool {
        guard let candidate = URL(string: url), let base = URL(string: tenant.graphURL) else { return false }
        return candidate.scheme?.lowercased() == base.scheme?.lowercased() && candidate.host?.lowercased() == base.host?.lowercased()
            && (candidate.port ?? 443) == (base.port ?? 443)
    }

    func get(_ url: String, _ result: inout GraphPollResult, pageSize: Bool) async -> Result<[UInt8], GraphFailure> {
        var refreshed = false
        var attempt = 0
        while true {
            attempt += 1
            let now = clock()
            if case .failure(let exhausted) = budget.withLockedValue({ $0.take(nowMs: now) }) {
                return .failure(GraphFailure("the tenant's request budget is spent; next request in \((exhausted.untilMs - now + 999) / 1_000) s",
                                             retryAfterMs: exhausted.untilMs - now))
            }
            let token: Secret
            switch await tokens.token(nowMs: now) {
            case .success(let issued): token = issued
            case .failure(let failure): return .failure(failure)
            }
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer " + token.exposedForWire)
            request.headers.add(name: "Accept", value: "application/json")
            if pageSize { request.headers.add(name: "Prefer", value: "odata.maxpagesize=100") }
            result.requests += 1
            let status: Int
            let body: [UInt8]
            let retryAfter: Int64?
            do {
                let response = try await http.execute(request, timeout: .seconds(Int64(tenant.timeout.components.seconds)))
                status = Int(response.status.code)
                retryAfter = OutboundHTTP.retryAfterMs(response.headers.first(name: "Retry-After"), nowMs: now)
                body = Array(buffer: try await response.body.collect(upTo: 32 << 20))
            } catch {
                let failure = GraphFailure("cannot reach Graph (\(OutboundHTTP.describe(error)))")
                if attempt < 2 { continue }
                return .failure(failure)
            }
            switch status {
            case 200..<300:
                return .success(body)
            case 401 where !refreshed:
                // An expired or revoked token: a new one, once.
                tokens.invalidate()
                refreshed = true
                attempt -= 1
                continue
            case 429, 503:
                let wait = retryAfter ?? min(1_000 << Int64(attempt - 1), 8_000)
                if wait <= settings.maximumInlineWaitMs, attempt < settings.attempts {
                    await sleep(wait)
                    continue
                }
                return .failure(GraphFailure("\(status == 429 ? "throttled (429)" : "unavailable (503)"); retry after \((wait + 999) / 1_000) s",
                                             status: status, retryAfterMs: wait))
            case 500..<600 where attempt < settings.attempts:
                await sleep(min(1_000 << Int64(attempt - 1), 8_000))
                continue
            default:
                return .failure(GraphFailure("HTTP \(status)\(Self.errorText(body))", status: status))
            }
        }
    }

    /// Graph's `{"error": {"code", "message"}}` in a line.
    static func errorText(_ body: [UInt8]) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return "" }
        let code = error["code"] as? String ?? ""
        let message = (error["message"] as? String ?? "").prefix(200)
        return ": \(code)" + (message.isEmpty ? "" : " (\(message))")
    }
}
