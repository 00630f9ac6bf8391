import MailCanaryCore
import MailCanaryDetection
import Testing

/// The detector on synthetic streams: a day of ordinary traffic to learn from, then the fault a
/// test injects. Delays are counted as the scenarios' scorer counts them: opening time minus onset.
@Suite("Detection and incidents")
struct DetectionEngineTests {
    static let day = 1_440

    /// Runs on a thread of its own: these replays are seconds of CPU each, and on the
    /// cooperative pool they would stall every other test's I/O (and its deadlines) meanwhile.
    func replay(_ stream: SyntheticStream, settings: DetectionSettings = DetectionSettings()) async -> DetectionEngine {
        await OffPool.run {
            var engine = DetectionEngine(settings: settings)
            stream.run(into: &engine)
            return engine
        }
    }

    /// Replays `stream`, expects exactly one incident and returns it.
    func soleIncident(_ stream: SyntheticStream) async throws -> Incident {
        let engine = await replay(stream)
        #expect(engine.incidents.count == 1)
        return try #require(engine.incidents.first)
    }

    func delayMinutes(_ incident: Incident, onset: Int) -> Double {
        Double(incident.openedMs - SyntheticStream.time(onset)) / 60_000
    }

    static func advisory(_ id: String, title: String, feature: String, posted: Int, status: ServiceHealthStatus = .investigating) -> ServiceHealthIssue {
        ServiceHealthIssue(id: id, title: title, impactDescription: title, classification: .incident, status: status,
                           service: "Exchange Online", feature: feature, startMs: SyntheticStream.time(posted),
                           posts: [.init(createdMs: SyntheticStream.time(posted), postType: "Regular", content: title)])
    }

    @Test("ordinary traffic with short blips opens nothing")
    func quietDay() async {
        let stream = SyntheticStream(minutes: Self.day + 600, blips: [
            .init(at: Self.day + 120, minutes: 2, region: "na", path: .mapiHTTP, failureRate: 0.08),
            .init(at: Self.day + 300, minutes: 3, region: "eu", path: .owa, failureRate: 0.12),
            .init(at: Self.day + 450, minutes: 1, region: "apac", path: .imap, failureRate: 0.2),
        ])
        let engine = await replay(stream)
        #expect(engine.incidents.isEmpty, "\(engine.incidents.map { ($0.id, $0.paths, $0.regions) })")
    }

    @Test("classic Outlook fails in two regions: one incident, server-side, Outlook on the web as the workaround, advisory linked ahead")
    func classicOutlookOutage() async throws {
        let onset = Self.day + 540
        var stream = SyntheticStream(minutes: onset + 120)
        stream.faults = [.init(onset: onset, minutes: 60, regions: ["apac", "na"], paths: [.mapiHTTP], failureRate: 0.55,
                               error: "MAPI Connect: X-ResponseCode 1 (Unknown Failure)", reportsPerMinute: 4)]
        stream.advisories = [
            (onset + 40, Self.advisory("EX1189820", title: "Users may be unable to access their mailboxes using the classic Outlook desktop client",
                                       feature: "E-Mail and calendar access", posted: onset + 40)),
            (onset + 45, Self.advisory("EX1189768", title: "Users may see errors when searching in the classic Outlook desktop client",
                                       feature: "Search", posted: onset + 45)),
        ]
        let engine = await replay(stream)
        #expect(engine.incidents.count == 1)
        let incident = try #require(engine.incidents.first)
        #expect(delayMinutes(incident, onset: onset) <= 4)
        #expect(incident.paths == [.mapiHTTP])
        #expect(incident.regions == ["apac", "na"])
        #expect(incident.cause == .serverSide)
        #expect(incident.layer == "operation")
        #expect(incident.workaround?.client == .owa)
        #expect(incident.advisories.map(\.id) == ["EX1189820"])
        #expect((incident.advisories.first?.leadMinutes ?? 0) >= 30)
        #expect(engine.providerOnlyAdvisories.map(\.id) == ["EX1189768"])
        #expect(incident.resolvedMs != nil && incident.status == .serviceRestored)
        #expect(incident.timeline.map(\.kind).contains(.reportSurge))
        #expect((incident.leadOverReportsMinutes ?? 0) > 0)
        // Resolved within resolveMinutes (plus the quiet minutes it takes to see recovery) of the end.
        let end = SyntheticStream.time(onset + 60)
        #expect(try #require(incident.resolvedMs) - end <= 30 * 60_000)
    }

    @Test("an advisory polled from a tenant links only to incidents of the services that tenant watches; the same issue from another tenant still links")
    func tenantScopedAdvisory() async throws {
        let onset = Self.day + 540
        var stream = SyntheticStream(minutes: onset + 70)
        stream.faults = [.init(onset: onset, minutes: 60, regions: ["apac", "na"], paths: [.mapiHTTP], failureRate: 0.55,
                               error: "MAPI Connect: X-ResponseCode 1 (Unknown Failure)")]
        var elsewhere = Self.advisory("EX1189820", title: "Users may be unable to access their mailboxes using the classic Outlook desktop client",
                                      feature: "E-Mail and calendar access", posted: onset + 40)
        elsewhere.watchedServices = ["fabrikam"]
        stream.advisories = [(onset + 40, elsewhere)]
        let alone = await replay(stream)
        #expect(alone.incidents.count == 1)
        #expect(alone.incidents.first?.advisories.isEmpty == true, "fabrikam's tenant says nothing about contoso")
        #expect(alone.providerOnlyAdvisories.map(\.id) == ["EX1189820"])

        var here = elsewhere
        here.watchedServices = ["contoso", "northwind"]
        stream.advisories = [(onset + 40, elsewhere), (onset + 42, here)]
        let both = await replay(stream)
        let incident = try #require(both.incidents.first)
        #expect(incident.advisories.map(\.id) == ["EX1189820"], "linked once, from the tenant that watches contoso")
        #expect(incident.timeline.filter { $0.kind == .advisory && $0.text.hasPrefix("Provider posted EX1189820") }.count == 1)
        #expect(both.providerOnlyAdvisories.map(\.watchedServices) == [["fabrikam"]])
    }

    @Test("the token endpoint fails in one region: authentication, and no client is a workaround")
    func tokenOutage() async throws {
        let onset = Self.day + 480
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 45, regions: ["eu"],
                               paths: [.mapiHTTP, .ews, .owa, .activesync, .imap, .smtpSubmission], failureRate: 0.8,
                               probeFailureRate: 0.95, failureClass: .auth, step: .token,
                               error: "AADSTS90033: A transient error has occurred. Please try again.")]
        let incident = try await soleIncident(stream)
        #expect(delayMinutes(incident, onset: onset) <= 4)
        #expect(incident.regions == ["eu"])
        #expect(incident.cause == .authentication)
        #expect(incident.layer == "token")
        #expect(incident.workaround == nil)
    }

    @Test("Autodiscover's name stops resolving: the client's configuration, and Outlook on the web (no Autodiscover) is the workaround")
    func autodiscoverRecordMissing() async throws {
        let onset = Self.day + 540
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 60, regions: ["eu"], paths: [.autodiscover], failureRate: 0.7,
                               probeFailureRate: 1, failureClass: .dns, step: .resolve,
                               error: "NXDOMAIN: autodiscover.contoso.com does not exist")]
        let incident = try await soleIncident(stream)
        #expect(incident.paths == [.autodiscover] && incident.regions == ["eu"])
        #expect(incident.cause == .clientConfig)
        #expect(incident.layer == "resolve")
        #expect(incident.workaround?.client == .owa)
    }

    @Test("the service's whole zone stops resolving: every path fails at the name, and no client is a workaround")
    func zoneMissing() async throws {
        let onset = Self.day + 540
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 60, regions: ["eu"],
                               paths: [.autodiscover, .mapiHTTP, .ews, .owa, .activesync, .imap, .smtpSubmission],
                               failureRate: 0.7, probeFailureRate: 1, failureClass: .dns, step: .resolve,
                               error: "NXDOMAIN: contoso.com does not exist")]
        let incident = try await soleIncident(stream)
        #expect(incident.cause == .clientConfig)
        #expect(incident.layer == "resolve")
        #expect(incident.workaround == nil)
    }

    @Test("two unrelated faults at once (no shared path, no shared region) are two incidents, each with its own cause and workaround")
    func concurrentUnrelated() async throws {
        let onset = Self.day + 480   // 08:00 UTC: working hours in eu, evening in apac
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 50, regions: ["eu"], paths: [.owa], failureRate: 0.5, probeFailureRate: 0.6,
                               failureClass: .server, step: .operation, error: "HTTP 503 Service Unavailable"),
                         .init(onset: onset + 10, minutes: 50, regions: ["apac"], paths: [.imap, .smtpSubmission], failureRate: 0.9,
                               probeFailureRate: 1, failureClass: .auth, step: .auth,
                               error: "535 5.7.8 Authentication credentials invalid")]
        let engine = await replay(stream)
        #expect(engine.incidents.count == 2)
        let web = try #require(engine.incidents.first { $0.paths == [.owa] })
        let mail = try #require(engine.incidents.first { $0.paths == [.imap, .smtpSubmission] })
        #expect(web.regions == ["eu"] && mail.regions == ["apac"])
        #expect(web.cause == .serverSide && mail.cause == .authentication)
        #expect(web.workaround?.client == .outlookMobile && mail.workaround?.client == .owa)
        #expect(web.fingerprint == "contoso" && mail.fingerprint == "contoso|apac")
        #expect(mail.id.hasSuffix("-apac") && web.id != mail.id)
        #expect(delayMinutes(web, onset: onset) <= 6 && delayMinutes(mail, onset: onset + 10) <= 6)
        // Different causes: not marked concurrent.
        #expect(web.concurrent.isEmpty && mail.concurrent.isEmpty)
    }

    @Test("the service's certificate expires: every HTTPS path in every region is one incident, and IMAP clients are the workaround")
    func certificateEverywhere() async throws {
        let onset = Self.day + 840
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 60, regions: ["apac", "na", "eu"],
                               paths: [.autodiscover, .mapiHTTP, .ews, .owa, .activesync], failureRate: 0.95, probeFailureRate: 1,
                               failureClass: .tls, step: .tls, error: "TLS handshake failed: certificate has expired")]
        let incident = try await soleIncident(stream)
        #expect(incident.scope.count == 15)
        #expect(incident.cause == .serverSide)
        #expect(incident.workaround?.client == .imapClient)
    }

    @Test("two faults at once with the same cause but another failure are two incidents marked concurrent, each naming the other")
    func concurrentSameCause() async throws {
        let onset = Self.day + 480
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 50, regions: ["eu"], paths: [.mapiHTTP], failureRate: 0.5, probeFailureRate: 0.8,
                               failureClass: .tls, step: .tls, error: "TLS handshake failed: unable to get local issuer certificate"),
                         .init(onset: onset + 5, minutes: 50, regions: ["apac"], paths: [.imap], failureRate: 0.6, probeFailureRate: 0.8,
                               failureClass: .network, step: .connect, error: "connection reset by peer")]
        let engine = await replay(stream)
        #expect(engine.incidents.count == 2)
        let proxy = try #require(engine.incidents.first { $0.paths == [.mapiHTTP] })
        let reset = try #require(engine.incidents.first { $0.paths == [.imap] })
        #expect(proxy.cause == .networkIntermediary && reset.cause == .networkIntermediary)
        #expect(proxy.concurrent.map(\.id) == [reset.id] && reset.concurrent.map(\.id) == [proxy.id])
        #expect(proxy.timeline.contains { $0.kind == .concurrent && $0.text.hasPrefix("Concurrent with \(reset.id) on contoso, also network-intermediary") })
    }

    @Test("the same failure spreading to a second region on its path stays one incident")
    func spreadingByPath() async throws {
        let onset = Self.day + 780
        var stream = SyntheticStream(minutes: onset + 90)
        stream.faults = [.init(onset: onset, minutes: 60, regions: ["apac"], paths: [.mapiHTTP], failureRate: 0.4),
                         .init(onset: onset + 15, minutes: 45, regions: ["na"], paths: [.mapiHTTP], failureRate: 0.4)]
        let incident = try await soleIncident(stream)
        #expect(incident.paths == [.mapiHTTP] && incident.regions == ["apac", "na"])
    }

    @Test("a failure at night, at low volume, on one path in one region is found within six minutes")
    func lowVolumeNight() async throws {
        let onset = Self.day + 60   // 02:00 in eu, 20:00 in na, 09:00 in apac: eu IMAP is nearly idle
        var stream = SyntheticStream(minutes: onset + 60)
        stream.faults = [.init(onset: onset, minutes: 40, regions: ["eu"], paths: [.imap], failureRate: 0.6,
                               probeFailureRate: 0, failureClass: .network, step: .connect, error: "connection refused")]
        let incident = try await soleIncident(stream)
        #expect(delayMinutes(incident, onset: onset) <= 6)
        #expect(incident.paths == [.imap] && incident.regions == ["eu"])
        #expect(incident.cause == .networkIntermediary)
        #expect(incident.workaround?.client == .owa)
    }

    @Test("a failure only the probes see is found within six minutes")
    func probesOnly() async throws {
        let onset = Self.day + 700
        var stream = SyntheticStream(minutes: onset + 60)
        stream.faults = [.init(onset: onset, minutes: 30, regions: ["apac"], paths: [.activesync], probeFailureRate: 1,
                               telemetry: false, failureClass: .tls, step: .tls, error: "certificate has expired")]
        let incident = try await soleIncident(stream)
        #expect(delayMinutes(incident, onset: onset) <= 6)
        #expect(incident.paths == [.activesync] && incident.regions == ["apac"])
        #expect(incident.sources == [.probe])
    }

    @Test("latency alone (four times slower, nothing failing) is an incident")
    func latencyOnly() async throws {
        let onset = Self.day + 780
        var stream = SyntheticStream(minutes: onset + 60)
        stream.faults = [.init(onset: onset, minutes: 30, regions: ["na"], paths: [.owa], failureRate: 0, probeFailureRate: 0,
                               latencyFactor: 4)]
        let incident = try await soleIncident(stream)
        #expect(delayMinutes(incident, onset: onset) <= 6)
        #expect(incident.paths == [.owa] && incident.regions == ["na"])
        #expect(incident.layer == "latency")
        #expect(incident.status != .serviceInterruption)
    }

    @Test("a slow latency rise that the probes' operation step also shows is found sooner than by telemetry alone")
    func latencyRiseWithProbes() async throws {
        // 1.0 to 2.5 times over forty minutes on MAPI in North America, nothing failing; the
        // probes' operation step is 2.5 times slower from the onset.
        let onset = Self.day + 900
        var stream = SyntheticStream(minutes: onset + 60)
        stream.faults = [.init(onset: onset, minutes: 50, regions: ["na"], paths: [.mapiHTTP], failureRate: 0, probeFailureRate: 0,
                               latencyFactor: 2.5, latencyRampMinutes: 40)]
        let incident = try await soleIncident(stream)
        #expect(incident.paths == [.mapiHTTP] && incident.regions == ["na"])
        var telemetryOnly = stream
        telemetryOnly.probeOperationTimes = false
        let alone = try #require(await replay(telemetryOnly).incidents.first)
        #expect(delayMinutes(alone, onset: onset) - delayMinutes(incident, onset: onset) >= 2)
    }

    @Test("hysteresis: a three-minute burst is a blip, the same burst lasting eight minutes is an incident")
    func blipVersusIncident() async {
        let at = Self.day + 600
        let blip = SyntheticStream(minutes: at + 40, blips: [.init(at: at, minutes: 3, region: "na", path: .ews, failureRate: 0.3)])
        #expect(await replay(blip).incidents.isEmpty)
        let longer = SyntheticStream(minutes: at + 40, blips: [.init(at: at, minutes: 8, region: "na", path: .ews, failureRate: 0.3)])
        let incidents = await replay(longer).incidents
        #expect(incidents.count == 1)
        #expect(incidents.first.map { delayMinutes($0, onset: at) } ?? 99 <= 5)
    }

    @Test("a provider advisory alone never opens an incident")
    func advisoryAlone() async {
        var stream = SyntheticStream(minutes: Self.day + 120)
        stream.advisories = [(Self.day + 30, Self.advisory("EX1", title: "Users may be unable to connect with Outlook on the web",
                                                            feature: "E-Mail and calendar access", posted: Self.day + 30))]
        let engine = await replay(stream)
        #expect(engine.incidents.isEmpty)
        #expect(engine.providerOnlyAdvisories.map(\.id) == ["EX1"])
    }

    @Test("error texts: classes by the first matching rule, in any letter case, nil when nothing matches")
    func errorTexts() {
        #expect(ErrorTextClassifier.classify("MAPI Connect: X-ResponseCode 1 (Unknown Failure)") == .server)
        #expect(ErrorTextClassifier.classify("AADSTS50076: MFA required") == .auth)
        #expect(ErrorTextClassifier.classify("401 invalid_grant: token expired") == .auth)
        #expect(ErrorTextClassifier.classify("Connection RESET by peer") == .network)
        #expect(ErrorTextClassifier.classify("Timed out after 30s") == .timeout)
        #expect(ErrorTextClassifier.classify("TLS handshake: certificate expired") == .tls)
        #expect(ErrorTextClassifier.classify("Zertifikat ungültig, Verbindung getrennt") == nil)
        #expect(ErrorTextClassifier.classify("") == nil)
        #expect(ErrorTextClassifier.classify("a\u{0}b then 503 service unavailable") == .server)
    }
}
