import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import MailCanaryConfig
import MailCanaryCore
@testable import MailCanaryServer
@testable import MailCanaryStorage
import Testing

@Suite("The store stops answering")
struct StoreOutageTests {
    @Test("two failed health checks in a row make the store unreachable; one that passes makes it reachable again")
    func reachability() {
        var state = StoreReachability()
        #expect(state.observe(answered: true, atMs: 0) == nil)
        // One slow check under load is not an outage.
        #expect(state.observe(answered: false, atMs: 5_000) == nil)
        #expect(!state.isDown)
        #expect(state.observe(answered: true, atMs: 10_000) == nil)
        // Two in a row are; it has been down since the first of them.
        #expect(state.observe(answered: false, atMs: 15_000) == nil)
        #expect(state.observe(answered: false, atMs: 20_000) == .lost(sinceMs: 15_000))
        #expect(state.observe(answered: false, atMs: 25_000) == nil)
        #expect(state.downSinceMs == 15_000)
        #expect(state.observe(answered: true, atMs: 30_000) == .restored(afterMs: 15_000))
        #expect(!state.isDown && state.observe(answered: true, atMs: 35_000) == nil)
    }

    static let clock: @Sendable () -> Int64 = { Date().millisecondsSince1970 }

    /// The real router on the site's SQLite store, with `watch` saying whether the store answers.
    static func application(_ site: AccessTests.Site, watch: StoreWatch) throws -> some ApplicationProtocol {
        let config = try ConfigLoader(baseDirectory: site.directory, checkFiles: false)
            .load(text: AccessTests.yaml.replacingOccurrences(of: "ANONYMOUS", with: "none"), file: "test.yml")
        let logger = Logger(label: "test")
        let detection = DetectionService(store: site.store, clock: clock, logger: logger)
        var api = APIController(config: config, store: site.store, scheduler: nil, writer: nil, detection: detection, logger: logger)
        api.storeWatch = watch
        let router = ServerRuntime.makeRouter(config: config, store: site.store, api: api, detection: detection, clock: clock,
                                              logger: logger, secureCookies: false)
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }

    @Test("when the store fails while the access check asks who is calling, the answer is 503, not 'unknown token' or the sign-in page")
    func callerCheckFails() async throws {
        // The first requests of an outage, before the watch has seen two failed checks (and any
        // request of a server without a watch): the store throws. A 401 would tell a telemetry
        // sender that its token was revoked; it was, before, after the pool's minute.
        let site = try await AccessTests.Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        try await site.store.pool.write { db in
            try db.execute(sql: "DROP TABLE agents")
            try db.execute(sql: "DROP TABLE sessions")
        }
        try await site.application(anonymous: .none).test(.live) { client in
            let api = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: site.credentials[.readToken]!)
            #expect(api.status == .serviceUnavailable && api.headers[.retryAfter] == "5")
            #expect(String(buffer: api.body).contains("the caller cannot be checked"))
            let telemetry = try await client.execute(uri: "/api/v1/telemetry", method: .post, headers: site.credentials[.ingestToken]!,
                                                     body: ByteBuffer(string: "{}\n"))
            #expect(telemetry.status == .serviceUnavailable)
            let page = try await client.execute(uri: "/", method: .get, headers: site.credentials[.viewer]!)
            #expect(page.status == .serviceUnavailable)
            #expect(String(buffer: page.body).contains("<h1>Unavailable</h1>"))
        }
    }

    @Test("a store that fails under a handler is the same 503 with Retry-After, for the API and for a page")
    func handlerStoreFails() async throws {
        let site = try await AccessTests.Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        try await site.store.pool.write { db in try db.execute(sql: "DROP TABLE incidents") }
        try await site.application(anonymous: .none).test(.live) { client in
            let api = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: site.credentials[.readToken]!)
            #expect(api.status == .serviceUnavailable && api.headers[.retryAfter] == "5")
            #expect(String(buffer: api.body).contains("the store is not answering"))
            let page = try await client.execute(uri: "/incidents/inc-1", method: .get, headers: site.credentials[.viewer]!)
            #expect(page.status == .serviceUnavailable && page.headers[.retryAfter] == "5")
            #expect(String(buffer: page.body).contains("<p>The store did not answer; try again shortly.</p>"))
        }
    }

    @Test("while the store does not answer, the public status page and its feed show the last incidents read and say since when")
    func statusPageFromLastRead() async throws {
        let site = try await AccessTests.Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let logger = Logger(label: "test")
        let clock = Self.clock
        // A server that has shown its status page once, then loses its store.
        let watch = StoreWatch(store: site.store, clock: clock, logger: logger)
        try await Self.application(site, watch: watch).test(.live) { client in
            let before = try await client.execute(uri: "/status", method: .get)
            #expect(before.status == .ok && !String(buffer: before.body).contains("Incidents as of"))
            #expect(String(buffer: before.body).contains("Some people have problems with Contoso right now."))
            watch.note(answered: false, atMs: clock())
            watch.note(answered: false, atMs: clock())
            let page = try await client.execute(uri: "/status", method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok)
            #expect(html.contains("Incidents as of") && html.contains("Some people have problems with Contoso right now."))
            #expect(try await client.execute(uri: "/status/contoso", method: .get).status == .ok)
            let feed = try await client.execute(uri: "/status/feed.atom", method: .get)
            #expect(feed.status == .ok && String(buffer: feed.body).contains("inc-1"))
            #expect(try await client.execute(uri: "/api/v1/incidents", method: .get, headers: site.credentials[.readToken]!).status
                == .serviceUnavailable)
        }
        // One that never read its incidents has nothing to show: 503.
        let fresh = StoreWatch(store: site.store, clock: clock, logger: logger)
        fresh.note(answered: false, atMs: clock())
        fresh.note(answered: false, atMs: clock())
        try await Self.application(site, watch: fresh).test(.live) { client in
            let page = try await client.execute(uri: "/status", method: .get)
            #expect(page.status == .serviceUnavailable && String(buffer: page.body).contains("<h1>Unavailable</h1>"))
        }
    }

    @Test("every route the outage lets pass is a route of the router")
    func passingRoutesExist() {
        #expect(StoreOutageMiddleware.passing.isSubset(of: Set(AccessPolicy.routes.keys)))
    }

    @Test("while PostgreSQL refuses connections, requests that need the store get 503 with Retry-After at once; health, metrics and the report form still answer")
    func requestsFailFast() async throws {
        // The watch checks a PostgreSQL that nothing serves (port 1 of the loopback refuses every
        // connection): each check gives up at the ping's deadline. The routes run on a working
        // SQLite store, so any answer other than the refusal would come back at once too: the
        // 503s below are the middleware's.
        let postgres = PostgresStore(.init(host: "127.0.0.1", port: 1, user: "nobody", password: "not-logged", database: "none"),
                                     logger: Logger(label: "test"))
        let watch = StoreWatch(store: postgres, clock: { Date().millisecondsSince1970 }, logger: Logger(label: "test"))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await postgres.run() }
            defer { group.cancelAll() }
            await watch.check()
            #expect(watch.downSinceMs == nil)
            await watch.check()
            #expect(watch.downSinceMs != nil)
        }

        let site = try await AccessTests.Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        try await Self.application(site, watch: watch).test(.live) { client in
            let started = ContinuousClock.now
            let incidents = try await client.execute(uri: "/api/v1/incidents", method: .get, headers: site.credentials[.readToken]!)
            #expect(incidents.status == .serviceUnavailable)
            #expect(incidents.headers[.retryAfter] == "5")
            #expect(String(buffer: incidents.body).contains("the store has not answered since"))
            let telemetry = try await client.execute(uri: "/api/v1/telemetry", method: .post, headers: site.credentials[.ingestToken]!,
                                                     body: ByteBuffer(string: "{}\n"))
            #expect(telemetry.status == .serviceUnavailable && telemetry.headers[.retryAfter] == "5")
            let dashboard = try await client.execute(uri: "/", method: .get, headers: site.credentials[.viewer]!)
            #expect(dashboard.status == .serviceUnavailable)
            #expect(String(buffer: dashboard.body).contains("<h1>Unavailable</h1>"))
            #expect(dashboard.headers[.contentSecurityPolicy] != nil)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(String(buffer: health.body).contains(#""store":"unreachable""#))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(metrics.status == .ok && text.contains("mailcanary_store_up 0"))
            #expect(!text.contains("mailcanary_incidents_open"))
            let form = try await client.execute(uri: "/report", method: .get)
            #expect(form.status == .ok)
            // Each of these would otherwise wait for the pool (PostgreSQL: a minute) or the ping's deadline.
            #expect(ContinuousClock.now - started < .seconds(2), "took \(ContinuousClock.now - started)")
            for response in [incidents, telemetry, dashboard, health, metrics] {
                #expect(!String(buffer: response.body).contains("not-logged"))
            }
        }
    }
}
