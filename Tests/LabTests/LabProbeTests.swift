import Foundation
import MailCanaryCore
import MailProbing
import NIOPosix
import Testing

/// Every protocol and every failure class against the real Dovecot, Postfix and nginx of the lab.
extension LabSuite {
@Suite
struct LabProbeTests {
    let lab = Lab.current!

    func probe(_ url: String, password: String? = nil, user: String? = nil, trust: Bool = true, configure: (inout ProbeSettings) -> Void = { _ in }) async throws -> ProbeResult {
        var settings = ProbeSettings()
        settings.timeout = .seconds(20)  // above Dovecot's auth penalty (15 s at most)
        settings.tls = TLSOptions(caFile: trust ? lab.caFile : nil)
        if let password { settings.credentials = Credentials(user: user ?? lab.user, password: Secret(password)) }
        configure(&settings)
        let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, trust: try TrustEvaluator(options: settings.tls))
        return await runner.run(try ProbeTarget(parsing: url), settings: settings, now: Date())
    }

    static let endpoints = [("imap", "IMAP_PORT"), ("imaps", "IMAPS_PORT"), ("pop3", "POP3_PORT"), ("pop3s", "POP3S_PORT"), ("smtp", "SUBMISSION_PORT"), ("smtps", "SMTPS_PORT")]

    @Test(arguments: endpoints)
    func logsInAndOperates(scheme: String, portKey: String) async throws {
        let result = try await probe(lab.url(scheme, portKey), password: lab.password)
        #expect(result.outcome == .ok, "\(result.error ?? "") \(result.transcript.suffix(4))")
        #expect(result.steps.filter { $0.outcome == .failed }.isEmpty)
        #expect(result.tls?.chainTrusted == true)
        #expect(result.steps.contains { $0.name == .auth && $0.outcome == .ok })
        if scheme.hasPrefix("imap") || scheme.hasPrefix("pop3") { #expect(Int(result.facts["messages"] ?? "") ?? 0 >= 2) }
        #expect(!result.transcript.joined().contains(lab.password))
    }

    @Test(arguments: endpoints)
    func aWrongPasswordIsAnAuthFailure(scheme: String, portKey: String) async throws {
        let result = try await probe(lab.url(scheme, portKey), password: "not-the-password")
        #expect(result.failureClass == .auth, "\(result.error ?? "")")
        #expect(result.failedStep == .auth)
        #expect(result.cause == .authentication)
        #expect(result.serverReply != nil)
    }

    @Test func anUntrustedCertificateIsATLSFailure() async throws {
        let result = try await probe(lab.url("imaps", "IMAPS_PORT"), trust: false)
        #expect(result.failureClass == .tls)
        #expect(result.failureReason == .certificateUntrusted)
        #expect(result.tls?.issuer == "CN=MailCanary Lab CA")
    }

    @Test func aWrongNameIsATLSFailure() async throws {
        // Dovecot also listens on 127.0.0.2; its certificate names 127.0.0.1 and mail.lab.test.
        let result = try await probe("imaps://127.0.0.2:\(lab["IMAPS_PORT"])")
        #expect(result.failureClass == .tls)
        #expect(result.failureReason == .certificateNameMismatch)
    }

    @Test func aClosedPortIsANetworkFailure() async throws {
        let result = try await probe("smtps://\(lab.host):1")
        #expect(result.failureClass == .network)
        #expect(result.failedStep == .connect)
    }

    @Test func anUnresolvableNameIsADNSFailure() async throws {
        let result = try await probe("imaps://mail.lab.invalid:\(lab["IMAPS_PORT"])")
        #expect(result.failureClass == .dns)
        #expect(result.cause == .clientConfig)
    }

    @Test func aRealTestMessageIsDeliveredThroughPostfixToDovecot() async throws {
        let before = try await probe(lab.url("imaps", "IMAPS_PORT"), password: lab.password)
        let sent = try await probe(lab.url("smtps", "SMTPS_PORT"), password: lab.password) { $0.sendTestMessageTo = lab.user }
        #expect(sent.outcome == .ok, "\(sent.error ?? "")")
        #expect(sent.steps.contains { $0.name == .mailflow && $0.outcome == .ok })
        var count = Int(before.facts["messages"] ?? "0") ?? 0
        for _ in 0..<50 where count <= Int(before.facts["messages"] ?? "0") ?? 0 {
            try await Task.sleep(for: .milliseconds(100))
            count = Int(try await probe(lab.url("imaps", "IMAPS_PORT"), password: lab.password).facts["messages"] ?? "0") ?? 0
        }
        #expect(count > Int(before.facts["messages"] ?? "0") ?? 0)
    }

    @Test func nginxServesRedirectsLoopsAndFailures() async throws {
        let https = "https://\(lab.host):\(lab["HTTPS_PORT"])"
        #expect(try await probe(https + "/").outcome == .ok)
        let moved = try await probe(https + "/moved")
        #expect(moved.outcome == .ok)
        #expect(moved.facts["redirects"] == "1")
        #expect(try await probe(https + "/loop").failureReason == .redirectLimit)
        #expect(try await probe(https + "/fail").failureClass == .server)
    }

    @Test func aServerThatStopsMidTestIsSeen() async throws {
        let url = lab.url("imaps", "IMAPS_PORT")
        #expect(try await probe(url, password: lab.password).outcome == .ok)
        try lab.script("stop-dovecot")
        defer { try? lab.script("start-dovecot") }
        let down = try await probe(url, password: lab.password)
        #expect(down.failureClass == .network)
        #expect(down.failedStep == .connect)
        try lab.script("start-dovecot")
        #expect(try await probe(url, password: lab.password).outcome == .ok)
    }
}
}

/// The CLI itself: exit statuses, JSON shape, and no password anywhere in what it prints.
extension LabSuite {
@Suite
struct LabCLITests {
    let lab = Lab.current!

    @Test func checkPrintsTheStepTreeAndNeverThePassword() throws {
        let env = ["LAB_PASSWORD": lab.password]
        for scheme in [("imaps", "IMAPS_PORT"), ("pop3", "POP3_PORT"), ("smtp", "SUBMISSION_PORT")] {
            let ok = try runCLI(["check", lab.url(scheme.0, scheme.1), "--user", lab.user, "--password-env", "LAB_PASSWORD", "--ca-file", lab.caFile, "--transcript", "--timeout", "20s"], environment: env)
            #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
            #expect(ok.stdout.contains("Result: OK"))
            #expect(!(ok.stdout + ok.stderr).contains(lab.password))
        }
        let bad = try runCLI(["check", lab.url("imaps", "IMAPS_PORT"), "--user", lab.user, "--password-env", "WRONG", "--ca-file", lab.caFile, "--json", "--timeout", "20s"],
                             environment: ["WRONG": lab.password + "x"])
        #expect(bad.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        #expect(json["failureClass"] as? String == "auth")
        #expect(json["cause"] as? String == "authentication")
        for key in ["target", "path", "outcome", "failureClass", "cause", "durationMs", "error", "steps", "tls", "transcript"] {
            #expect(json.keys.contains(key), "missing \(key)")
        }
        #expect(!bad.stdout.contains(lab.password))
    }

    @Test func passwordFileWorksAndUsageErrorsExitTwo() throws {
        let ok = try runCLI(["check", lab.url("pop3s", "POP3S_PORT"), "--user", lab.user, "--password-file", lab["PASSWORD_FILE"], "--ca-file", lab.caFile, "--timeout", "20s"])
        #expect(ok.status == 0, "\(ok.stdout)")
        let cases: [([String], String)] = [
            (["check", "gopher://x"], "unknown scheme"),
            (["check", "imaps://h", "--timeout", "soon"], "--timeout"),
            (["check", "imaps://h", "--password-env", "MAILCANARY_UNSET_VARIABLE", "--user", "a"], "MAILCANARY_UNSET_VARIABLE"),
            (["check", "imaps://h", "--password-file", "/nonexistent/pw", "--user", "a"], "--password-file"),
            (["check", "imaps://h", "--ca-file", "/nonexistent/ca.pem"], "--ca-file"),
            (["check", "imaps://h", "--ca-file", lab.caFile, "--insecure"], "contradict"),
            (["check", "imaps://h", "--frobnicate"], "frobnicate"),
        ]
        for (arguments, expected) in cases {
            let result = try runCLI(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
    }
}
}
