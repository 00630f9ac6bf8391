import AsyncHTTPClient
import Foundation
import MailCanaryAdvisories
import MailCanaryConfig
import MailCanaryWatch
import MailCanaryCore
import MailCanaryTesting
import NIOConcurrencyHelpers
import Testing

/// The poller against the test server's Graph service communications API, over real TLS:
/// paging, an expired token, throttling short and long, server errors, a hung answer, malformed
/// JSON, an issue that changes over polls, the request budget and a refused secret.
@Suite("Graph poller against the test server", .serialized)
struct GraphPollerTests {
    struct Rig {
        let server: ExchangeTestServer
        let http: HTTPClient
        let caFile: String
        var feed: ServiceCommunicationsFeed { server.serviceCommunications }

        func tenant(secret: String = "lab-client-secret", timeout: Duration = .seconds(5)) -> (GraphTenantConfig, GraphTokenClient.Credential) {
            var tenant = GraphTenantConfig(id: "contoso", tenant: "contoso.test", clientID: "mailcanary-probe", credential: .secret(.environment("UNUSED")))
            tenant.graphURL = "https://127.0.0.1:\(server.port)"
            tenant.tokenURL = "https://127.0.0.1:\(server.port)"
            tenant.caFile = caFile
            tenant.timeout = timeout
            return (tenant, .secret(Secret(secret)))
        }

        func poller(secret: String = "lab-client-secret", timeout: Duration = .seconds(5), budget: (Int, Int)? = nil,
                    slept: NIOLockedValueBox<[Int64]> = NIOLockedValueBox([])) -> GraphPoller {
            var (config, credential) = tenant(secret: secret, timeout: timeout)
            if let budget { (config.requestsPerMinute, config.requestsPerHour) = budget }
            return GraphPoller(tenant: config, credential: credential, http: http, sleep: { ms in
                slept.withLockedValue { $0.append(ms) }
                try? await Task.sleep(for: .milliseconds(min(ms, 50)))
            })
        }

        func stop() async {
            try? await http.shutdown()
            await server.stop()
            try? FileManager.default.removeItem(atPath: caFile)
        }
    }

    static func rig() async throws -> Rig {
        let certificates = try TestCertificates()
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent("graph-ca-\(UUID().uuidString).pem").path
        try certificates.caPEM.write(toFile: caFile, atomically: true, encoding: .utf8)
        let server = try await ExchangeTestServer.start(identity: try certificates.leaf(names: ["127.0.0.1", "localhost"]))
        return Rig(server: server, http: try OutboundHTTP.makeClient(caFile: caFile), caFile: caFile)
    }

    @Test("every page is followed; health and planned changes come along; one token serves the poll")
    func paging() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        rig.feed.pageSize = 1
        let poller = rig.poller()
        let result = await poller.poll()
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.issues.map(\.issue.id) == ["EX226792", "EX1189820", "EX1189768"])
        #expect(result.health.count == 2 && result.plannedChanges.map(\.id) == ["MC900001"])
        #expect(result.requests == 5)
        #expect(poller.tokensIssued == 1)
        #expect(rig.feed.log.filter { $0.contains("$skiptoken") }.count == 2)
        // A second poll reuses the cached token.
        _ = await poller.poll()
        #expect(poller.tokensIssued == 1)
    }

    @Test("an expired token is replaced once and the request repeated")
    func expiredToken() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        rig.feed.script([.expiredToken])
        let poller = rig.poller()
        let result = await poller.poll()
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.issues.count == 3)
        #expect(poller.tokensIssued == 2)
        #expect(rig.feed.log.first?.hasSuffix("→ 401") == true)
    }

    @Test("a short Retry-After is waited out; a long one ends the poll with the wait recorded and no more requests")
    func throttling() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        let slept = NIOLockedValueBox<[Int64]>([])
        rig.feed.script([.throttled(retryAfterSeconds: 2), .unavailable(retryAfterSeconds: nil), .serverError])
        let result = await rig.poller(slept: slept).poll()
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.issues.count == 3)
        #expect(slept.withLockedValue { $0 } == [2_000, 2_000, 4_000])

        rig.feed.script([.throttled(retryAfterSeconds: 120)])
        let before = rig.feed.log.count
        let throttled = await rig.poller().poll()
        #expect(throttled.problems == ["issues: throttled (429); retry after 120 s"])
        #expect(throttled.retryAfterMs == 120_000)
        #expect(rig.feed.log.count == before + 1)
    }

    @Test("a hung answer costs one timeout, then the request is repeated; malformed JSON is named")
    func hungAndMalformed() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        // A first poll fetches the token (the endpoint is not what is hung here; on a loaded
        // machine its TLS handshake alone can take a good part of a second).
        let poller = rig.poller(timeout: .seconds(2))
        #expect(await poller.poll().problems.isEmpty)
        rig.feed.script([.hang(milliseconds: 8_000)])
        let started = ContinuousClock.now
        let result = await poller.poll()
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.issues.count == 3)
        #expect(ContinuousClock.now - started < .seconds(8))

        rig.feed.script([.malformed])
        let bad = await rig.poller().poll()
        #expect(bad.problems == ["issues: the answer is not a JSON object"])
        #expect(bad.health.count == 2)   // the other lists are still read
    }

    @Test("an issue that changes over several polls gives one new version per change")
    func versionsOverPolls() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        let poller = rig.poller()
        var ledger = AdvisoryLedger()
        #expect(ledger.newVersions(await poller.poll().issues).count == 3)
        #expect(ledger.newVersions(await poller.poll().issues).isEmpty)
        var issues = ServiceCommunicationsFeed.fixtureIssues
        issues[1] = ServiceCommunicationsFeed.november2025(id: "EX1189820", status: "ServiceDegradation", modified: "2025-11-25T11:31:00Z", posts: 2)
        rig.feed.publish(issues: issues)
        let second = ledger.newVersions(await poller.poll().issues)
        #expect(second.map(\.issue.id) == ["EX1189820"] && second.first?.issue.status == .serviceDegradation)
        issues[1] = ServiceCommunicationsFeed.november2025(id: "EX1189820", status: "ServiceRestored", modified: "2025-11-25T14:10:00Z", posts: 3, resolved: true)
        rig.feed.publish(issues: issues)
        let third = ledger.newVersions(await poller.poll().issues)
        #expect(third.first?.issue.isResolved == true && third.first?.rawStatus == "ServiceRestored")
    }

    @Test("the request budget stops the poll before Graph's limit, saying when the next request fits")
    func budget() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        let result = await rig.poller(budget: (2, 100)).poll()
        #expect(result.requests == 2)
        #expect(result.problems.count == 1 && result.problems[0].contains("request budget is spent"))
        #expect((result.retryAfterMs ?? 0) > 50_000)
    }

    @Test("a refused client secret is named by its AADSTS code, and the secret appears nowhere")
    func refusedSecret() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        let wrong = "wrong-\(UUID().uuidString)"
        let result = await rig.poller(secret: wrong).poll()
        #expect(result.issues.isEmpty)
        #expect(result.problems.first?.contains("AADSTS7000215") == true, "\(result.problems)")
        #expect(!result.problems.joined().contains(wrong))
    }

    @Test("a post-incident review is fetched once published, refused before")
    func incidentReport() async throws {
        let rig = try await Self.rig()
        defer { Task { await rig.stop() } }
        let poller = rig.poller()
        guard case .failure(let notYet) = await poller.incidentReport(issueID: "EX1189820") else { Issue.record("served before publication"); return }
        #expect(notYet.status == 404)
        rig.feed.publish(issues: [ServiceCommunicationsFeed.november2025(id: "EX1189820", status: "PostIncidentReviewPublished",
                                                                           modified: "2025-11-28T10:00:00Z", posts: 3, resolved: true)])
        let report = try await poller.incidentReport(issueID: "EX1189820").get()
        #expect(String(decoding: report, as: UTF8.self).contains("post-incident review of EX1189820"))
    }
}

@Suite("Graph poller with a certificate credential")
struct GraphCertificateTests {
    @Test("a client assertion signed with the app's certificate key gets a token; a key that is not registered does not")
    func certificate() async throws {
        let app = try AppCertificate()
        let other = try AppCertificate()
        let certificates = try TestCertificates()
        var configuration = ExchangeResponder.Configuration()
        configuration.assertionPublicKeyPEM = app.publicKeyPEM
        let server = try await ExchangeTestServer.start(identity: try certificates.leaf(names: ["127.0.0.1"]), configuration: configuration)
        let http = try OutboundHTTP.makeClient(caFile: certificates.caFile)
        var tenant = GraphTenantConfig(id: "contoso", tenant: "contoso.test", clientID: "mailcanary-probe",
                                       credential: .certificate(certificateFile: "unused", privateKey: .environment("UNUSED")))
        tenant.graphURL = "https://127.0.0.1:\(server.port)"
        tenant.tokenURL = "https://127.0.0.1:\(server.port)"
        let good = GraphPoller(tenant: tenant, credential: .certificate(try ClientAssertion(certificatePEM: app.certificatePEM, privateKeyPEM: app.privateKeyPEM)), http: http)
        let result = await good.poll()
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(result.issues.count == 3)
        let wrong = GraphPoller(tenant: tenant, credential: .certificate(try ClientAssertion(certificatePEM: other.certificatePEM, privateKeyPEM: other.privateKeyPEM)), http: http)
        let refused = await wrong.poll()
        #expect(refused.problems.first?.contains("AADSTS700027") == true, "\(refused.problems)")
        #expect(throws: ClientAssertion.Invalid.self) { try ClientAssertion(certificatePEM: "not a certificate", privateKeyPEM: app.privateKeyPEM) }
        #expect(throws: ClientAssertion.Invalid.self) { try ClientAssertion(certificatePEM: app.certificatePEM, privateKeyPEM: "not a key") }
        try await http.shutdown()
        await server.stop()
    }
}
