import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MailCanaryConfig
import MailCanaryCore
@testable import MailCanaryServer
import MailCanaryStorage
import Testing

/// Every route × every kind of caller against a table written out here, by hand, through the real
/// router (security headers, access check, handlers) on a real SQLite store. A route the router
/// has and this table lacks fails the test, so a new route cannot ship without a decision.
@Suite("Access: routes × roles, sessions, CSRF, passwords")
struct AccessTests {
    enum Who: String, CaseIterable {
        case anonymous, anonymousWithReadAccess, viewer, admin, readToken, writeToken, ingestToken, agentToken
    }

    static let everyone = Set(Who.allCases)
    static let readers: Set<Who> = [.anonymousWithReadAccess, .viewer, .admin, .readToken, .writeToken]
    static let writers: Set<Who> = [.admin, .writeToken]

    /// Who the access check lets through, per route.
    static let expected: [String: Set<Who>] = [
        "GET /healthz": everyone, "GET /api/v1/openapi.json": everyone, "GET /metrics": everyone, "GET /assets/app.css": everyone,
        "GET /status": everyone, "GET /status/feed.atom": everyone, "GET /status/{service}": everyone,
        "GET /report": everyone, "POST /api/v1/reports": everyone, "GET /login": everyone, "POST /login": everyone,
        "POST /logout": [.viewer, .admin],
        "GET /": readers, "GET /incidents/{id}": readers, "GET /incidents/{id}/report.md": readers,
        "GET /incidents/{id}/report.html": readers, "GET /series": readers,
        "GET /api/v1/services": readers, "GET /api/v1/results/latest": readers, "GET /api/v1/results": readers,
        "GET /api/v1/series/history": readers, "GET /api/v1/agents": readers, "GET /api/v1/incidents": readers,
        "GET /api/v1/incidents/{id}": readers,
        "POST /incidents/{id}/actions": writers, "POST /api/v1/incidents/{id}/notes": writers,
        "GET /api/v1/incidents/{id}/report": readers, "GET /api/v1/notifications": readers,
        "GET /api/v1/advisories": readers, "GET /api/v1/advisories/{id}": readers,
        "GET /api/v1/advisories/{id}/incidentReport": readers,
        "GET /api/v1/tokens": writers, "POST /api/v1/tokens": writers, "DELETE /api/v1/tokens/{id}": writers,
        "POST /api/v1/telemetry": [.ingestToken, .agentToken],
        "GET /api/v1/agent/plan": [.agentToken], "POST /api/v1/agent/results": [.agentToken],
    ]

    static let yaml = """
        agents:
          - {id: apac-1, region: apac}
        services:
          - id: contoso
            name: Contoso
            kind: microsoft365
            probes:
              - {target: "imaps://127.0.0.1:1", regions: [local]}
        access:
          anonymous: ANONYMOUS
        """

    /// A server on a fresh store with one user, session and token of each kind.
    struct Site {
        let directory: String
        let store: SQLiteStore
        var credentials: [Who: HTTPFields] = [:]
        var formTokens: [Who: String] = [:]

        static func make() async throws -> Site {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mc-access-\(UUID().uuidString.prefix(8))").path
            let store = try SQLiteStore(directory: directory)
            try await store.migrate()
            var site = Site(directory: directory, store: store)
            let now = Date().millisecondsSince1970
            for (who, role) in [(Who.viewer, UserAccount.Role.viewer), (.admin, .admin)] {
                try await store.saveUser(UserAccount(name: who.rawValue, passwordHash: "unused", role: role, createdMs: now))
                let secret = SessionPolicy.newSecret(), form = SessionPolicy.newSecret()
                try await store.createSession(SessionRecord(idHash: SessionPolicy.hash(secret), user: who.rawValue, csrfToken: form,
                                                            createdMs: now, lastSeenMs: now))
                site.credentials[who] = [.cookie: "\(SessionPolicy.cookieName)=\(secret)"]
                site.formTokens[who] = form
            }
            for (who, id) in [(Who.readToken, "reader:r"), (.writeToken, "operator:o"), (.ingestToken, "telemetry:t"), (.agentToken, "apac-1")] {
                let token = AgentToken.generate()
                try await store.setAgentToken(agent: id, tokenHash: AgentToken.hash(token), nowMs: now)
                site.credentials[who] = [.authorization: "Bearer " + token.exposedForWire]
            }
            _ = try await store.saveIncident(IncidentRecord(id: "inc-1", fingerprint: "contoso", service: "contoso", status: "investigating",
                                                        openedMs: now - 600_000, resolvedMs: nil, updatedMs: now, body: AccessTests.incidentBody))
            return site
        }

        func application(anonymous: AccessConfig.Anonymous) throws -> some ApplicationProtocol {
            let config = try ConfigLoader(baseDirectory: directory, checkFiles: false)
                .load(text: AccessTests.yaml.replacingOccurrences(of: "ANONYMOUS", with: anonymous.rawValue), file: "test.yml")
            let logger = Logger(label: "test")
            let clock: @Sendable () -> Int64 = { Date().millisecondsSince1970 }
            let detection = DetectionService(store: store, clock: clock, logger: logger)
            let api = APIController(config: config, store: store, scheduler: nil, writer: nil, detection: detection, logger: logger)
            let router = ServerRuntime.makeRouter(config: config, store: store, api: api, detection: detection, clock: clock, logger: logger,
                                                  secureCookies: false)
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        }
    }

    static let incidentBody = """
        {"id":"inc-1","service":"contoso","openedAt":"2025-11-25T09:14:00Z","resolvedAt":null,"status":"investigating","paths":["mapi-http"],
        "regions":["apac"],"cause":"server-side","layer":"operation","workaround":null,"advisories":[],"firstAnomalyAt":"2025-11-25T09:12:00Z",
        "recoveredAt":null,"leadOverAdvisoryMinutes":null,"leadOverReportsMinutes":null,"sources":["probe"],"affectedUsersEstimate":3,
        "reporters":0,"sampleErrors":[],"timeline":[]}
        """

    /// Whether a response is the access check's refusal (not a handler's answer to a bad body).
    static func refused(_ response: TestResponse) -> Bool {
        let body = String(buffer: response.body)
        switch response.status {
        case .seeOther: return response.headers[.location]?.hasPrefix("/login?next=") == true
        case .unauthorized: return body.contains("missing Authorization: Bearer token; this needs the") || body.contains("unknown or revoked token")
        case .forbidden: return body.contains("may not do this: it needs the")
        default: return false
        }
    }

    @Test("every route of the router has an entry, and each kind of caller is let in or refused as the table says")
    func routesByRole() async throws {
        let site = try await Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        // The table covers the router exactly: a new route without a decision fails here.
        let probeConfig = try ConfigLoader(baseDirectory: site.directory, checkFiles: false)
            .load(text: Self.yaml.replacingOccurrences(of: "ANONYMOUS", with: "none"), file: "test.yml")
        let logger = Logger(label: "test")
        let detection = DetectionService(store: site.store, clock: { 0 }, logger: logger)
        let router = ServerRuntime.makeRouter(config: probeConfig, store: site.store,
                                              api: APIController(config: probeConfig, store: site.store, scheduler: nil, writer: nil, detection: detection, logger: logger),
                                              detection: detection, clock: { 0 }, logger: logger, secureCookies: false)
        let routes = Set(router.routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(routes == Set(Self.expected.keys), "router only: \(routes.subtracting(Self.expected.keys).sorted()); table only: \(Set(Self.expected.keys).subtracting(routes).sorted())")
        #expect(Set(AccessPolicy.routes.keys) == routes, "AccessPolicy.routes and the router differ")

        for anonymous in AccessConfig.Anonymous.allCases {
            try await site.application(anonymous: anonymous).test(.live) { client in
                for (route, allowed) in Self.expected.sorted(by: { $0.key < $1.key }) {
                    let parts = route.split(separator: " ", maxSplits: 1)
                    let method = HTTPRequest.Method(rawValue: String(parts[0]))!
                    let path = parts[1].replacingOccurrences(of: "{id}", with: "inc-1").replacingOccurrences(of: "{service}", with: "contoso")
                    for who in Who.allCases {
                        // Anonymous callers are tried once per setting; the others with the default (none).
                        switch (who, anonymous) {
                        case (.anonymous, .read), (.anonymousWithReadAccess, .none): continue
                        case (.anonymous, .none), (.anonymousWithReadAccess, .read): break
                        case (_, .read): continue
                        default: break
                        }
                        var headers = site.credentials[who] ?? [:]
                        var body: ByteBuffer?
                        if method == .post {
                            headers[.contentType] = "application/x-www-form-urlencoded"
                            body = ByteBuffer(string: "csrf=\(site.formTokens[who] ?? "none")&action=acknowledge")
                        }
                        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
                        let wasRefused = Self.refused(response)
                        #expect(wasRefused == !allowed.contains(who),
                                "\(route) as \(who): \(response.status) \(String(buffer: response.body).prefix(200))")
                        #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true, "\(route): CSP")
                    }
                }
            }
        }
    }

    @Test("incident actions need the session's form token; a hostile note is shown as text")
    func csrfAndEscaping() async throws {
        let site = try await Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        try await site.application(anonymous: .none).test(.live) { client in
            var headers = site.credentials[.admin]!
            headers[.contentType] = "application/x-www-form-urlencoded"
            let forged = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: headers,
                                                  body: ByteBuffer(string: "csrf=wrong&action=note&text=forged"))
            #expect(forged.status == .forbidden)
            let missing = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: headers,
                                                   body: ByteBuffer(string: "action=note&text=forged"))
            #expect(missing.status == .forbidden)
            let payload = "<script>alert('x')</script><img src=x onerror=alert(1)>"
            let form = "csrf=\(site.formTokens[.admin]!)&action=note&text=" + HTMLQuery.encode(payload)
            let good = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: headers, body: ByteBuffer(string: form))
            #expect(good.status == .seeOther)
            #expect(good.headers[.location] == "/incidents/inc-1")
            let status = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: headers,
                                                  body: ByteBuffer(string: "csrf=\(site.formTokens[.admin]!)&action=status&status=restoringService"))
            #expect(status.status == .seeOther)
            let bogus = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: headers,
                                                 body: ByteBuffer(string: "csrf=\(site.formTokens[.admin]!)&action=status&status=allFine"))
            #expect(bogus.status == .badRequest)
            let notes = try await site.store.notes(incidentID: "inc-1")
            #expect(notes.map(\.text) == [payload, "Status changed"])
            #expect(notes.map(\.author) == ["admin", "admin"])
            let page = try await client.execute(uri: "/incidents/inc-1", method: .get, headers: site.credentials[.admin]!)
            let html = String(buffer: page.body)
            #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"))
            #expect(!html.contains("<script"))
            #expect(!html.contains("<img"))
            #expect(html.contains("Restoring service"))
            #expect(html.contains("name=\"csrf\" value=\"\(site.formTokens[.admin]!)\""))
            // A viewer sees the incident but no action forms and no form token of the admin's.
            let viewer = try await client.execute(uri: "/incidents/inc-1", method: .get, headers: site.credentials[.viewer]!)
            #expect(!String(buffer: viewer.body).contains("/actions"))
            // A write token may use the API, not the session forms.
            var token = site.credentials[.writeToken]!
            token[.contentType] = "application/x-www-form-urlencoded"
            let byToken = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: token,
                                                   body: ByteBuffer(string: "action=note&text=x"))
            #expect(byToken.status == .forbidden)
        }
    }

    @Test("the Resolve form resolves the incident on every page and in the API; a later status re-opens it")
    func operatorResolves() async throws {
        let site = try await Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        try await site.application(anonymous: .none).test(.live) { client in
            var headers = site.credentials[.admin]!
            headers[.contentType] = "application/x-www-form-urlencoded"
            func act(_ form: String) async throws {
                let response = try await client.execute(uri: "/incidents/inc-1/actions", method: .post, headers: headers,
                                                        body: ByteBuffer(string: "csrf=\(site.formTokens[.admin]!)&" + form))
                #expect(response.status == .seeOther)
            }
            func page(_ uri: String) async throws -> String {
                String(buffer: try await client.execute(uri: uri, method: .get, headers: site.credentials[.admin]!).body)
            }
            let banner = "Some people have problems with"
            #expect(try await page("/status").contains(banner))
            try await act("action=resolve&text=false+alarm")

            #expect(try await page("/incidents/inc-1").contains("badge-resolved"))
            #expect(try await page("/").contains("badge-resolved"))
            #expect(!(try await page("/").contains("badge-open")))
            #expect(!(try await page("/status").contains(banner)))
            let list = try await page("/api/v1/incidents")
            #expect(list.contains("\"operatorStatus\":\"serviceRestored\""))
            // Detection still holds it open: its own columns are unchanged.
            #expect(try await site.store.incident(id: "inc-1")?.resolvedMs == nil)

            try await act("action=status&status=investigating")
            #expect(try await page("/incidents/inc-1").contains("badge-open"))
            #expect(try await page("/status").contains(banner))

            // Resolved again; then detection, which still had it open, sees another region join:
            // the operator's resolution does not cover what came after it.
            try await act("action=resolve&text=fixed")
            #expect(!(try await page("/status").contains(banner)))
            let joined = UTCTimestamp.format(Date().millisecondsSince1970 + 60_000)
            let grown = AccessTests.incidentBody
                .replacingOccurrences(of: "\"regions\":[\"apac\"]", with: "\"regions\":[\"apac\",\"emea\"]")
                .replacingOccurrences(of: "\"timeline\":[]", with: "\"timeline\":[{\"at\":\"\(joined)\",\"kind\":\"joined\",\"text\":\"Joined: mapi-http in emea\"}]")
            let record = try #require(try await site.store.incident(id: "inc-1"))
            _ = try await site.store.saveIncident(IncidentRecord(id: "inc-1", fingerprint: "contoso", service: "contoso", status: "investigating",
                                                             openedMs: record.openedMs, resolvedMs: nil, updatedMs: record.updatedMs + 60_000, body: grown))
            #expect(try await page("/incidents/inc-1").contains("badge-open"))
            #expect(try await page("/status").contains(banner))
            #expect(try await page("/api/v1/incidents").contains("\"operatorStatus\":\"serviceRestored\""))
        }
    }

    @Test("sign-in: double-submit form token, wrong password, a session cookie that is HttpOnly and SameSite, sign-out")
    func signInAndOut() async throws {
        let site = try await Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        var cheap = PasswordHasher.Parameters()
        cheap.rounds = 1 << 10
        try await site.store.saveUser(UserAccount(name: "carol", passwordHash: try PasswordHasher.hash("correct horse battery", parameters: cheap),
                                                  role: .admin, createdMs: 0))
        try await site.application(anonymous: .none).test(.live) { client in
            let redirect = try await client.execute(uri: "/incidents/inc-1?x=1", method: .get)
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers[.location] == "/login?next=%2Fincidents%2Finc-1%3Fx%3D1")
            let page = try await client.execute(uri: "/login?next=/incidents/inc-1", method: .get)
            let loginCookie = try #require(page.headers[.setCookie]).split(separator: ";")[0]
            let token = String(loginCookie.split(separator: "=")[1])
            #expect(String(buffer: page.body).contains("value=\"\(token)\""))
            func signIn(_ password: String, cookie: String?, csrf: String, next: String = "/incidents/inc-1") async throws -> TestResponse {
                var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
                if let cookie { headers[.cookie] = cookie }
                return try await client.execute(uri: "/login", method: .post, headers: headers,
                                                body: ByteBuffer(string: "csrf=\(csrf)&username=carol&password=\(password)&next=\(HTMLQuery.encode(next))"))
            }
            #expect(try await signIn("correct+horse+battery", cookie: nil, csrf: token).status == .forbidden)
            #expect(try await signIn("wrong", cookie: String(loginCookie), csrf: token).status == .unauthorized)
            let offsite = try await signIn("correct+horse+battery", cookie: String(loginCookie), csrf: token, next: "//evil.example/")
            #expect(offsite.status == .seeOther)
            #expect(offsite.headers[.location] == "/")
            let good = try await signIn("correct+horse+battery", cookie: String(loginCookie), csrf: token)
            #expect(good.headers[.location] == "/incidents/inc-1")
            let cookies = good.headers[values: .setCookie]
            let session = try #require(cookies.first { $0.hasPrefix(SessionPolicy.cookieName + "=") })
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Strict"))
            let sessionCookie = String(session.split(separator: ";")[0])
            let dashboard = try await client.execute(uri: "/", method: .get, headers: [.cookie: sessionCookie])
            #expect(dashboard.status == .ok)
            let html = String(buffer: dashboard.body)
            #expect(html.contains("carol (admin)"))
            let form = try #require(html.range(of: "action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\""))
            let csrf = String(html[form.upperBound...].prefix { $0 != "\"" })
            let out = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: sessionCookie, .contentType: "application/x-www-form-urlencoded"],
                                               body: ByteBuffer(string: "csrf=\(csrf)"))
            #expect(out.status == .seeOther)
            let after = try await client.execute(uri: "/", method: .get, headers: [.cookie: sessionCookie])
            #expect(after.status == .seeOther, "the session ended with sign-out")
        }
    }
}

/// Form-encoding for test bodies.
enum HTMLQuery {
    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
