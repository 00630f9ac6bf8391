import Hummingbird
import MailCanaryCore

/// While the ``StoreWatch`` finds the store unreachable, a route that needs it answers 503 with
/// Retry-After at once (JSON for the API, a page for the site) instead of waiting for the
/// connection pool to give up. Goes before the access check, which reads sessions and tokens from
/// the store. Routes that need no store, or that say themselves how it is, pass.
struct StoreOutageMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let watch: StoreWatch

    /// Routes that answer without the store (health and metrics report it themselves; the public
    /// status page and its feed show the last incidents read, or answer 503 when there are none).
    static let passing: Set<String> = ["GET /healthz", "GET /metrics", "GET /api/v1/openapi.json", "GET /assets/app.css", "GET /report",
                                       "GET /status", "GET /status/feed.atom", "GET /status/{service}"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let since = watch.downSinceMs, let endpoint = context.endpointPath,
              !Self.passing.contains("\(request.method.rawValue) \(endpoint)") else {
            return try await next(request, context)
        }
        return StoreUnavailable.response(api: endpoint.hasPrefix("/api/"),
                                         detail: "the store has not answered since \(UTCTimestamp.format(since)); try again shortly")
    }
}
