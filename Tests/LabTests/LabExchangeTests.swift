import Foundation
import MailCanaryCore
import MailCanaryTesting
import MailProbing
import NIOPosix
import Testing

/// Every Exchange and Microsoft 365 access path against the Exchange test server (real TLS on
/// loopback) and the lab's real DNS server (dnsmasq): healthy at both depths, and each fault
/// mode with its failure class and step.
extension LabSuite {
@Suite
struct LabExchangeTests {
    let lab = Lab.current!
    static let certificates = try! TestCertificates()
    static let names = ["localhost", "127.0.0.1", "contoso.test", "mail.contoso.test", "autodiscover.contoso.test", "autodiscover.adhost.test",
                        "mail.redirect.test", "mail.srv.test", "autodiscover.attacker.example"]

    var exchangePort: Int { Int(lab["EXCHANGE_PORT"])! }
    var base: String { "mail.contoso.test:\(exchangePort)" }

    /// Runs `body` with the test server up on the lab's fixed ports (the SRV record names them).
    func withServer(fault: ExchangeFault = .none, identity: TestCertificates.Identity? = nil,
                    _ body: (ExchangeTestServer) async throws -> Void) async throws {
        var configuration = ExchangeResponder.Configuration()
        configuration.publicPort = exchangePort
        let server = try await ExchangeTestServer.start(
            identity: try identity ?? Self.certificates.leaf(names: Self.names),
            listeners: [.init(host: "127.0.0.1", port: exchangePort, secure: true),
                        .init(host: "127.0.0.3", port: Int(lab["EXCHANGE_HTTP_PORT"])!, secure: false)],
            configuration: configuration, fault: fault, slowDelayMs: 3_000)
        do {
            try await body(server)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    enum Auth { case none, password, token }

    func probe(_ url: String, auth: Auth = .none, timeout: Duration = .seconds(5)) async throws -> ProbeResult {
        var settings = ProbeSettings()
        settings.timeout = timeout
        settings.tls = TLSOptions(caFile: Self.certificates.caFile)
        settings.dnsServer = DNSServer(parsing: lab["DNS_SERVER"])
        switch auth {
        case .none: break
        case .password: settings.credentials = Credentials(user: "alice@contoso.test", password: Secret("lab-password"))
        case .token:
            let endpoint = OAuth2TokenProvider.Endpoint(url: "https://\(base)/contoso.test/oauth2/v2.0/token")!
            settings.credentials = Credentials(user: "alice@contoso.test", token: OAuth2TokenProvider(
                endpoint: endpoint, clientID: "mailcanary-probe", clientSecret: Secret("lab-client-secret"),
                scope: "https://outlook.office365.com/.default", grant: .clientCredentials))
        }
        let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, trust: try TrustEvaluator(options: settings.tls))
        return await runner.run(try ProbeTarget(parsing: url), settings: settings, now: Date())
    }

    func expectOK(_ result: ProbeResult, _ comment: String = "") {
        #expect(result.outcome == .ok, "\(comment) \(result.error ?? "") \(result.steps.map { "\($0.name):\($0.outcome)" })")
    }

    func expectFailure(_ result: ProbeResult, _ failureClass: FailureClass, at step: StepName, reason: FailureReason? = nil, _ comment: String = "") {
        #expect(result.failureClass == failureClass, "\(comment): \(result.error ?? "ok")")
        #expect(result.failedStep == step, "\(comment): \(result.error ?? "ok")")
        if let reason { #expect(result.failureReason == reason, "\(comment): \(result.error ?? "ok")") }
    }

    @Test func everyPathIsHealthyAtBothDepths() async throws {
        try await withServer { _ in
            for path in ["mapi", "ews", "activesync"] {
                let anonymous = try await probe("\(path)+https://\(base)")
                expectOK(anonymous, path)
                #expect(anonymous.facts["depth"] == "anonymous")
                #expect(anonymous.steps.contains { $0.name == .challenge && $0.outcome == .ok })
                #expect(anonymous.facts["dnsServer"] == lab["DNS_SERVER"])
                for auth in [Auth.password, .token] {
                    let deep = try await probe("\(path)+https://\(base)", auth: auth)
                    expectOK(deep, "\(path) \(auth)")
                    #expect(deep.facts["depth"] == "authenticated")
                    #expect(deep.steps.contains { $0.name == .operation && $0.outcome == .ok })
                }
            }
            let mapi = try await probe("mapi+https://\(base)", auth: .token)
            #expect(mapi.facts["displayName"] == "Alice Lab")
            #expect(mapi.steps.contains { $0.name == .logout && $0.outcome == .ok })
            #expect(mapi.steps.contains { $0.name == .token })
            let ews = try await probe("ews+https://\(base)", auth: .password)
            #expect(ews.facts["unreadCount"] == "3")

            let owa = try await probe("owa+https://\(base)")
            expectOK(owa, "owa")
            #expect(owa.steps.filter { $0.name == .healthcheck && $0.outcome == .ok }.count == 8)
            let graph = try await probe("graph+https://\(base)/?user=alice@contoso.test", auth: .token)
            expectOK(graph, "graph")
            #expect(graph.facts["totalCount"] == "12")
            let graphAnonymous = try await probe("graph+https://\(base)/?user=alice@contoso.test")
            expectOK(graphAnonymous, "graph anonymous")
            let token = try await probe("token+https://\(base)/contoso.test", auth: .token)
            expectOK(token, "token")
            #expect(token.steps.map(\.name) == [.resolve, .connect, .tls, .token])
        }
    }

    @Test func autodiscoverNamesTheEndpointsAClientWouldUse() async throws {
        try await withServer { _ in
            let anonymous = try await probe("autodiscover+https://\(base)/?email=alice@contoso.test")
            expectOK(anonymous, "anonymous")
            #expect(anonymous.facts["ewsUrl"] == "https://\(base)/EWS/Exchange.asmx")
            #expect(anonymous.facts["activeSyncUrl"] == "https://\(base)/Microsoft-Server-ActiveSync")
            let deep = try await probe("autodiscover+https://\(base)/?email=alice@contoso.test", auth: .password)
            expectOK(deep, "authenticated")
            #expect(deep.facts["mapiMailStoreUrl"]?.hasPrefix("https://\(base)/mapi/emsmdb/?MailboxId=") == true)
            #expect(deep.facts["legacyDN"]?.hasPrefix("/o=ContosoLab") == true)
            #expect(deep.facts["protocols"]?.contains("mapiHttp") == true)
        }
    }

    /// The client's discovery order over real DNS: domain, autodiscover host, HTTP redirect, SRV.
    @Test(arguments: [("contoso.test", "domain"), ("adhost.test", "autodiscover-host"), ("redirect.test", "http-redirect"), ("srv.test", "srv")])
    func discoveryFollowsTheClientOrder(domain: String, method: String) async throws {
        try await withServer { server in
            let url = "autodiscover://\(domain)?email=alice@\(domain)&port=\(exchangePort)&httpPort=\(lab["EXCHANGE_HTTP_PORT"])"
            let result = try await probe(url, auth: .password, timeout: .seconds(8))
            expectOK(result, domain)
            #expect(result.facts["method"] == method)
            #expect(result.facts["mapiMailStoreUrl"] != nil)
            let discover = result.steps.filter { $0.name == .discover }
            #expect(discover.last?.outcome == .ok)
            #expect(discover.dropLast().allSatisfy { $0.outcome == .failed })
            // Credentials went only to hosts within the domain.
            for line in server.requestLog where line.contains("auth=true") {
                #expect(line.contains(domain) || line.contains("contoso.test"), "\(line)")
            }
        }
    }

    @Test func credentialsNeverLeaveTheDomain() async throws {
        try await withServer { server in
            // The SRV record of leak.test points at autodiscover.attacker.example.
            let leak = try await probe("autodiscover://leak.test?email=alice@leak.test&port=\(exchangePort)&httpPort=\(lab["EXCHANGE_HTTP_PORT"])", auth: .password, timeout: .seconds(8))
            #expect(leak.outcome == .failed)
            #expect(leak.failureReason == .redirectOutsideDomain, "\(leak.error ?? "")")
            #expect(!server.requestLog.contains { $0.contains("attacker") })
            server.fault = .autodiscoverWrongHost
            let wrong = try await probe("autodiscover+https://\(base)/?email=alice@contoso.test", auth: .password)
            expectFailure(wrong, .protocol, at: .redirect, reason: .redirectOutsideDomain, "wrong host")
            #expect(!server.requestLog.contains { $0.contains("attacker") && $0.contains("auth=true") })
            let nowhere = try await probe("autodiscover://nope.test?email=alice@nope.test&port=\(exchangePort)&httpPort=\(lab["EXCHANGE_HTTP_PORT"])", auth: .password, timeout: .seconds(8))
            expectFailure(nowhere, .dns, at: .resolve, reason: .nameNotFound, "no such domain")
        }
    }

    @Test func eachFaultHasItsClassAndStep() async throws {
        try await withServer { server in
            server.fault = .frontEndDown
            expectFailure(try await probe("mapi+https://\(base)"), .server, at: .challenge, reason: .unavailable, "front end down, mapi")
            expectFailure(try await probe("owa+https://\(base)"), .server, at: .operation, reason: .unavailable, "front end down, owa")

            // The November 2025 pattern: the MAPI back end fails, Outlook on the web works.
            server.fault = .backendFailing
            expectOK(try await probe("mapi+https://\(base)"), "backend failing, mapi anonymous")
            let mapi = try await probe("mapi+https://\(base)", auth: .token)
            expectFailure(mapi, .server, at: .operation, reason: .backendError, "backend failing, mapi")
            #expect(mapi.facts["xResponseCode"] == "1")
            #expect(mapi.cause == .serverSide)
            let ews = try await probe("ews+https://\(base)", auth: .password)
            expectFailure(ews, .server, at: .operation, reason: .backendError, "ErrorServerBusy")
            #expect(ews.serverReply == "ErrorServerBusy")
            expectFailure(try await probe("activesync+https://\(base)", auth: .password), .server, at: .operation, reason: .backendError, "FolderSync Status 6")
            expectFailure(try await probe("graph+https://\(base)/?user=alice@contoso.test", auth: .token), .server, at: .operation, reason: .unavailable, "graph 503")
            expectOK(try await probe("owa+https://\(base)/?healthcheck=none"), "owa stays healthy")
            let health = try await probe("owa+https://\(base)")
            expectFailure(health, .server, at: .healthcheck, reason: .unavailable, "healthcheck")
            #expect(health.facts["healthcheckFailing"] == "/ews,/mapi,/rpc")

            server.fault = .authBroken
            expectFailure(try await probe("mapi+https://\(base)"), .auth, at: .challenge, reason: .challengeMissing, "401 without challenge")
            expectFailure(try await probe("ews+https://\(base)", auth: .password), .auth, at: .challenge, reason: .challengeMissing, "401 without challenge, ews")
            let refused = try await probe("token+https://\(base)/contoso.test", auth: .token)
            expectFailure(refused, .auth, at: .token, reason: .tokenRejected, "AADSTS7000215")
            #expect(refused.serverReply?.contains("AADSTS7000215") == true)
            #expect(refused.cause == .authentication)

            server.fault = .tokenInteractionRequired
            expectFailure(try await probe("token+https://\(base)/contoso.test", auth: .token), .auth, at: .token, reason: .interactionRequired, "AADSTS50076")
            server.fault = .tokenTransient
            expectFailure(try await probe("graph+https://\(base)/?user=alice@contoso.test", auth: .token), .server, at: .token, reason: .serverError, "AADSTS90033")

            server.fault = .autodiscoverLoop
            expectFailure(try await probe("autodiscover+https://\(base)/?email=alice@contoso.test", auth: .password), .protocol, at: .redirect, reason: .redirectLimit, "loop")

            // 451 with X-MS-Location: followed once within the domain, then FolderSync there.
            server.fault = .activeSyncMoved
            let moved = try await probe("activesync+https://\(base)", auth: .password)
            expectOK(moved, "451 followed")
            #expect(moved.steps.contains { $0.name == .redirect && $0.detail.contains("/Microsoft-Server-ActiveSync/moved") })
            #expect(server.requestLog.contains { $0.hasPrefix("POST") && $0.contains("/Microsoft-Server-ActiveSync/moved") })

            server.fault = .slow
            expectFailure(try await probe("ews+https://\(base)", timeout: .seconds(1)), .timeout, at: .challenge, "slow")
        }
    }

    @Test func certificateProblemsAreTLSFailures() async throws {
        let expired = try Self.certificates.leaf(names: Self.names, notBefore: Date().addingTimeInterval(-86_400 * 60), notAfter: Date().addingTimeInterval(-86_400))
        try await withServer(identity: expired) { _ in
            expectFailure(try await probe("mapi+https://\(base)"), .tls, at: .tls, reason: .certificateExpired, "expired")
        }
        try await withServer { _ in
            // autodiscover.cname.test is a CNAME to mail.contoso.test, but not a name in the certificate.
            expectFailure(try await probe("autodiscover+https://autodiscover.cname.test:\(exchangePort)/?email=alice@contoso.test"), .tls, at: .tls,
                          reason: .certificateNameMismatch, "wrong name")
        }
    }

    @Test func dnsRecordsAndFailuresFromARealServer() async throws {
        let mx = try await probe("dns://contoso.test?type=MX")
        expectOK(mx, "MX")
        #expect(mx.facts["dnsServer"] == lab["DNS_SERVER"])
        #expect(mx.facts["ttl"] == "300")
        #expect(mx.facts["records"]?.contains("10 mail.contoso.test") == true)
        #expect(mx.steps.contains { $0.name == .targets && $0.outcome == .ok && $0.detail.contains("127.0.0.1") })
        let srv = try await probe("dns://_autodiscover._tcp.srv.test?type=SRV")
        expectOK(srv, "SRV")
        #expect(srv.facts["records"]?.contains("0 0 \(exchangePort) mail.srv.test") == true)
        let cname = try await probe("dns://autodiscover.cname.test?type=CNAME")
        expectOK(cname, "CNAME")
        #expect(cname.facts["records"]?.contains("mail.contoso.test") == true)
        let aaaa = try await probe("dns://mail.contoso.test?type=AAAA")
        expectOK(aaaa, "AAAA")
        #expect(aaaa.facts["records"]?.contains("::1") == true)

        expectFailure(try await probe("dns://nope.test?type=A"), .dns, at: .resolve, reason: .nameNotFound, "NXDOMAIN")
        expectFailure(try await probe("dns://nomx.test?type=MX"), .dns, at: .resolve, reason: .noData, "no MX")
        expectFailure(try await probe("dns://badmx.test?type=MX"), .dns, at: .targets, reason: .nameNotFound, "MX target")
        expectFailure(try await probe("dns://x.refused.test?type=A"), .dns, at: .resolve, reason: .resolverFailure, "REFUSED")
        let slow = try await probe("dns://x.slow.test?type=A", timeout: .seconds(2))
        expectFailure(slow, .dns, at: .resolve, reason: .resolverTimeout, "resolver timeout")
        #expect(slow.durationMs < 3_000)
        // The resolve step of every prober uses the same server.
        expectFailure(try await probe("imaps://nope.test"), .dns, at: .resolve, reason: .nameNotFound, "resolve step")
    }

    @Test func theAdvisoriesPollCLIReadsTheServiceHealthAPIAndKeepsSecrets() async throws {
        try await withServer { server in
            let env = ["EX_SECRET": "lab-client-secret", "EX_WRONG": "wrong-secret-value"]
            let common = ["advisories", "poll", "--graph-url", "https://127.0.0.1:\(exchangePort)", "--token-url", "https://127.0.0.1:\(exchangePort)",
                          "--tenant", "contoso.test", "--client-id", "mailcanary-probe", "--ca-file", Self.certificates.caFile, "--timeout", "5"]
            server.serviceCommunications.pageSize = 1
            let json = try await offPool { try runCLI(common + ["--client-secret-env", "EX_SECRET", "--json"], environment: env) }
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            let advisories = try #require(object["advisories"] as? [[String: Any]])
            #expect(advisories.map { $0["id"] as? String } == ["EX226792", "EX1189820", "EX1189768"])
            #expect(advisories.first?["status"] as? String == "ServiceRestored")   // as the API sent it
            #expect(Set(advisories.first?.keys.map { $0 } ?? []) == ["id", "title", "status", "classification", "service", "feature", "isResolved", "startDateTime", "posts"])
            #expect((object["plannedChanges"] as? [[String: Any]])?.first?["id"] as? String == "MC900001")

            server.serviceCommunications.script([.throttled(retryAfterSeconds: 90)])
            let throttled = try await offPool { try runCLI(common + ["--client-secret-env", "EX_SECRET"], environment: env) }
            #expect(throttled.status == 1 && throttled.stderr.contains("throttled (429); retry after 90 s"), "\(throttled.stderr)")

            let refused = try await offPool { try runCLI(common + ["--client-secret-env", "EX_WRONG"], environment: env) }
            #expect(refused.status == 1 && refused.stderr.contains("AADSTS7000215"), "\(refused.stderr)")
            for run in [json, throttled, refused] {
                #expect(!(run.stdout + run.stderr).contains("lab-client-secret") && !(run.stdout + run.stderr).contains("wrong-secret-value")
                        && !(run.stdout + run.stderr).contains("lab-access-token"))
            }
            let unset = try await offPool { try runCLI(common + ["--client-secret-env", "EX_NOT_SET"]) }
            #expect(unset.status == 2 && unset.stderr.contains("EX_NOT_SET"))
        }
    }

    @Test func theCLIChecksEveryPathAndKeepsSecrets() async throws {
        try await withServer { server in
            let env = ["EX_PASSWORD": "lab-password", "EX_SECRET": "lab-client-secret"]
            let common = ["--dns-server", lab["DNS_SERVER"], "--ca-file", Self.certificates.caFile, "--timeout", "5s"]
            let password = ["--user", "alice@contoso.test", "--password-env", "EX_PASSWORD"]
            let client = ["--tenant", "contoso.test", "--client-id", "mailcanary-probe", "--client-secret-env", "EX_SECRET", "--transcript"]
            let runs: [([String], Int32)] = [
                (["check", "autodiscover://contoso.test?email=alice@contoso.test&port=\(exchangePort)"] + password, 0),
                (["check", "mapi+https://\(base)"] + password, 0),
                (["check", "ews+https://\(base)"], 0),
                (["check", "activesync+https://\(base)"] + password, 0),
                (["check", "owa+https://\(base)"], 0),
                (["check", "graph+https://\(base)/?user=alice@contoso.test", "--token-url", "https://\(base)/contoso.test/oauth2/v2.0/token"] + client, 0),
                (["check", "token+https://\(base)/contoso.test"] + client, 0),
                (["check", "dns://contoso.test?type=MX"], 0),
                (["check", "dns://nope.test?type=MX"], 1),
            ]
            for (arguments, status) in runs {
                let run = try runCLI(arguments + common + ["--transcript"], environment: env)
                #expect(run.status == status, "\(arguments[1]): \(run.stdout)\(run.stderr)")
                for secret in ["lab-password", "lab-client-secret", "lab-access-token"] {
                    #expect(!(run.stdout + run.stderr).contains(secret), "\(arguments[1]) printed \(secret)")
                }
            }
            server.fault = .backendFailing
            let failed = try runCLI(["check", "mapi+https://\(base)", "--json"] + password + common, environment: env)
            #expect(failed.status == 1)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [String: Any])
            #expect(json["failureClass"] as? String == "server")
            #expect(json["path"] as? String == "mapi-http")
            #expect(json["failedStep"] as? String == "operation")
            #expect(!failed.stdout.contains("lab-password"))
            let usage = try runCLI(["check", "graph+https://\(base)/", "--timeout", "5s"])
            #expect(usage.status == 2)
            #expect(usage.stderr.contains("?user="))
            let noTenant = try runCLI(["check", "token+https://\(base)/", "--client-id", "x", "--client-secret-env", "EX_SECRET"], environment: env)
            #expect(noTenant.status == 2)
            #expect(noTenant.stderr.contains("tenant"))
        }
    }
}
}
