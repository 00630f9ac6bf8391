import Foundation
import Hummingbird
import HTTPTypes
import Logging
import MailCanaryConfig
import MailCanaryStorage
import MailCanaryWeb

/// Enforces ``AccessPolicy`` on every route: finds who is asking (a bearer token, a session
/// cookie, or nobody), puts it in the context, and lets the request through only with the
/// permission its route needs. Routes missing from the table are refused. Pages send people who
/// are not signed in to the sign-in page; the API answers 401 or 403 in JSON.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServerRequestContext

    let config: WatchConfig
    let store: any MailCanaryStore
    let policy: SessionPolicy
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Resolves a bearer token to its principal (nil: unknown or revoked).
    let token: @Sendable (String) async throws -> AccessPolicy.Principal?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // Unknown paths have no endpoint: they go on to the 404.
        guard let endpoint = context.endpointPath else { return try await next(request, context) }
        let route = "\(request.method.rawValue) \(endpoint)"
        guard let permission = AccessPolicy.routes[route] else {
            logger.error("a route has no access rule; refused", metadata: ["route": "\(route)"])
            return APIError(.forbidden, "no access rule for \(route)").response
        }
        var context = context
        // Open routes need no lookup, except the sign-in page, which shows who is there.
        if permission != .open || endpoint == "/login" {
            do {
                try await identify(request, &context)
            } catch let error as APIError {
                return error.response
            } catch {
                // The store did not answer who this is: not a refusal of the caller (a 401 would tell
                // a telemetry sender its token was revoked), but an outage to retry after.
                logger.warning("cannot tell who is calling: the store did not answer", metadata: ["error": "\(StoreErrorText.describe(error))"])
                return StoreUnavailable.response(api: endpoint.hasPrefix("/api/"),
                                                 detail: "the store is not answering, so the caller cannot be checked; try again shortly")
            }
        }
        guard AccessPolicy.allows(context.principal, permission, anonymous: config.access.anonymous) else {
            return deny(request, context, permission: permission)
        }
        return try await next(request, context)
    }

    func identify(_ request: Request, _ context: inout Context) async throws {
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer "), header.count > 7 else {
                throw APIError(.unauthorized, "Authorization: give a bearer token (Bearer TOKEN)")
            }
            guard let principal = try await token(String(header.dropFirst(7))) else {
                throw APIError(.unauthorized, "unknown or revoked token")
            }
            context.principal = principal
            return
        }
        guard let secret = Self.cookie(SessionPolicy.cookieName, in: request) else { return }
        let hash = SessionPolicy.hash(secret)
        guard let session = try await store.session(idHash: hash) else { return }
        let now = clock()
        switch policy.decide(session, nowMs: now) {
        case .idle, .tooOld:
            try? await store.deleteSession(idHash: hash)
        case .valid(let touch):
            guard let user = try await store.user(name: session.user) else { return }
            if touch { try? await store.touchSession(idHash: hash, atMs: now) }
            context.principal = .user(name: user.name, role: user.role)
            context.csrfToken = session.csrfToken
            context.sessionHash = hash
        }
    }

    func deny(_ request: Request, _ context: Context, permission: AccessPolicy.Permission) -> Response {
        let isPage = !request.uri.path.hasPrefix("/api/")
        if context.principal.isAnonymous {
            if isPage {
                let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
                return Response(status: .seeOther, headers: [.location: "/login?next=" + LoginController.encode(next)])
            }
            var error = APIError(.unauthorized, "missing Authorization: Bearer token; this needs the \(permission.rawValue) scope (\(Self.issuer(permission)))")
            error.headers[.wwwAuthenticate] = "Bearer"
            return error.response
        }
        let message = "\(Self.describe(context.principal)) may not do this: it needs the \(permission.rawValue) scope"
        if isPage {
            let body = "<h1>Not allowed</h1><p>\(HTML.escape(message)).</p>"
            return WebController.html(PageLayout.render(title: "Not allowed", audience: .publicPages, body: body), status: .forbidden)
        }
        return APIError(.forbidden, message).response
    }

    /// Which command issues a token with what a permission needs.
    static func issuer(_ permission: AccessPolicy.Permission) -> String {
        switch permission {
        case .read: "mailcanary token reader NAME issues one, or sign in"
        case .write: "mailcanary token operator NAME issues one"
        case .ingest: "mailcanary token telemetry NAME issues one; agents' tokens also do"
        case .agent: "mailcanary agent token NAME issues one"
        case .signedIn, .open: "sign in"
        }
    }

    static func describe(_ principal: AccessPolicy.Principal) -> String {
        switch principal {
        case .anonymous: "an anonymous caller"
        case .user(let name, let role): "user '\(name)' (\(role.rawValue))"
        case .token(let id, let scope): "token '\(id)' (\(scope.rawValue) scope)"
        }
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces)
                if pair.hasPrefix(name + "=") {
                    let value = String(pair.dropFirst(name.count + 1))
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }
}
