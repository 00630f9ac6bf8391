import Foundation
import Hummingbird
import HTTPTypes
import Logging
import MailCanaryConfig
import MailCanaryStorage
import MailCanaryWeb

/// Sign-in and sign-out. A good password starts a session: a random secret in an HttpOnly,
/// SameSite=Strict cookie (only its hash is stored) and a form token for the session's forms.
/// A failed sign-in says only "name or password wrong" and costs the same time whether the
/// name exists or not.
struct LoginController: Sendable {
    let config: WatchConfig
    let store: any MailCanaryStore
    let clock: @Sendable () -> Int64
    let logger: Logger
    /// Secure cookies when the site is served over HTTPS (behind a proxy that says so).
    let secureCookies: Bool

    static let loginCookie = "mc_login"
    /// Checked against when a name is unknown, so that the answer takes as long.
    static let decoy: String = (try? PasswordHasher.hash("decoy-password-never-used")) ?? ""

    func register(on router: Router<ServerRequestContext>) {
        router.get("/login") { request, context in page(request, context, problem: nil) }
        router.post("/login") { request, context in await signIn(request, context) }
        router.post("/logout") { request, context in await signOut(request, context) }
    }

    func page(_ request: Request, _ context: ServerRequestContext, problem: String?, status: HTTPResponse.Status = .ok) -> Response {
        let token = SessionPolicy.newSecret()
        let next = Self.safeNext(request.uri.queryParameters.get("next"))
        var signedIn: String?
        if case .user(let name, _) = context.principal { signedIn = name }
        var response = WebController.html(LoginPage.render(next: next, formToken: token, problem: problem, signedInAs: signedIn), status: status)
        response.headers[.setCookie] = "\(Self.loginCookie)=\(token); Path=/login; Max-Age=3600; HttpOnly; SameSite=Strict" + (secureCookies ? "; Secure" : "")
        return response
    }

    func signIn(_ request: Request, _ context: ServerRequestContext) async -> Response {
        guard let body = try? await request.body.collect(upTo: 16 << 10) else {
            return page(request, context, problem: "The form was too large.", status: .badRequest)
        }
        let form = FormBody.parse(Array(buffer: body))
        guard let cookieToken = AccessMiddleware.cookie(Self.loginCookie, in: request), let formToken = form["csrf"],
              SessionPolicy.tokensMatch(cookieToken, formToken) else {
            return page(request, context, problem: "The form expired; please try again.", status: .forbidden)
        }
        let name = form["username"] ?? "", password = form["password"] ?? ""
        let user = try? await store.user(name: name)
        let matches = PasswordHasher.verify(password, against: user?.passwordHash ?? Self.decoy)
        guard let user, matches else {
            logger.notice("sign-in refused", metadata: ["user": "\(name.prefix(64))"])
            return page(request, context, problem: "Name or password wrong.", status: .unauthorized)
        }
        let secret = SessionPolicy.newSecret()
        let now = clock()
        do {
            try await store.createSession(SessionRecord(idHash: SessionPolicy.hash(secret), user: user.name, csrfToken: SessionPolicy.newSecret(),
                                                        createdMs: now, lastSeenMs: now))
        } catch {
            logger.warning("cannot start a session", metadata: ["error": "\(StoreErrorText.describe(error))"])
            return page(request, context, problem: "The store did not answer; try again shortly.", status: .serviceUnavailable)
        }
        logger.info("signed in", metadata: ["user": "\(user.name)"])
        var headers: HTTPFields = [.location: Self.safeNext(form["next"]), .cacheControl: "no-store"]
        headers.append(HTTPField(name: .setCookie, value: SessionPolicy.cookie(secret, maxAgeSeconds: Int64(config.access.sessionMaximum.components.seconds),
                                                                               secure: secureCookies)))
        headers.append(HTTPField(name: .setCookie, value: "\(Self.loginCookie)=; Path=/login; Max-Age=0"))
        return Response(status: .seeOther, headers: headers)
    }

    func signOut(_ request: Request, _ context: ServerRequestContext) async -> Response {
        let form = FormBody.parse(Array(buffer: (try? await request.body.collect(upTo: 16 << 10)) ?? ByteBuffer()))
        guard let expected = context.csrfToken, let given = form["csrf"], SessionPolicy.tokensMatch(expected, given) else {
            return WebController.html(PageLayout.render(title: "Not allowed", audience: .publicPages,
                                                        body: "<h1>Not allowed</h1><p>The form expired; sign out from a fresh page.</p>"), status: .forbidden)
        }
        if let hash = context.sessionHash { try? await store.deleteSession(idHash: hash) }
        return Response(status: .seeOther, headers: [.location: "/login", .setCookie: SessionPolicy.clearedCookie(secure: secureCookies)])
    }

    /// Only a path on this site (never `//host` or a scheme), else the dashboard.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count <= 512,
              next.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 }) else { return "/" }
        return next
    }

    static func encode(_ text: String) -> String {
        HTML.query(text)
    }
}
