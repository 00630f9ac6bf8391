import MailCanaryCore
import Testing
@testable import MailCanaryDetection

@Suite("Which open incident an anomaly belongs to")
struct IncidentBookTests {
    let book = IncidentBook(settings: DetectionSettings())

    /// An open incident on Outlook on the web in Europe, first seen at minute 1,000, failing `class`.
    func owaEurope(failing failureClass: FailureClass) -> Incident {
        var incident = Incident(id: "contoso-1", service: "contoso", fingerprint: "contoso", openedMs: 1_002 * 60_000,
                                firstAnomalyMs: 1_000 * 60_000, status: .investigating,
                                scope: [ScopeCell(path: .owa, region: "eu")], cause: .serverSide, layer: "operation")
        incident.evidence.classCounts = [failureClass: 40, .network: 3]
        return incident
    }

    func alarm(onset: Int, failing failureClass: FailureClass?) -> SeriesAlarm {
        var alarm = SeriesAlarm(onsetMinute: onset, kind: .failure)
        if let failureClass { alarm.evidence.classCounts = [failureClass: 12] }
        return alarm
    }

    func series(_ path: AccessPath?, _ region: String, _ source: SignalSource = .telemetry) -> SeriesID {
        SeriesID(service: "contoso", path: path, region: region, source: source)
    }

    @Test("the same path in another region, or another path in the same region, is the same incident")
    func sharesPathOrRegion() {
        let incident = owaEurope(failing: .server)
        #expect(book.isRelated(series(.owa, "apac"), alarm: alarm(onset: 1_100, failing: .auth), to: incident))
        #expect(book.isRelated(series(.imap, "eu"), alarm: alarm(onset: 1_100, failing: .auth), to: incident))
        #expect(book.isRelated(series(nil, "eu", .reports), alarm: alarm(onset: 1_100, failing: nil), to: incident))
    }

    @Test("neither path nor region: related only when it fails the same way within the corroboration window")
    func sameFailure() {
        let incident = owaEurope(failing: .tls)
        // A certificate expiring everywhere: ActiveSync in Asia Pacific fails the same way two minutes later.
        #expect(book.isRelated(series(.activesync, "apac"), alarm: alarm(onset: 1_002, failing: .tls), to: incident))
        #expect(book.isRelated(series(.activesync, "apac"), alarm: alarm(onset: 990, failing: .tls), to: incident))
        // Another failure: IMAP sign-in refused in Asia Pacific at the same time is another incident.
        #expect(!book.isRelated(series(.imap, "apac"), alarm: alarm(onset: 1_002, failing: .auth), to: incident))
        // The same failure, but half an hour later, is not the same event.
        #expect(!book.isRelated(series(.activesync, "apac"), alarm: alarm(onset: 1_030, failing: .tls), to: incident))
        // Telemetry has error texts, not typed classes: they are read as the cause judge reads them.
        var texts = alarm(onset: 1_002, failing: nil)
        texts.evidence.errors = ["TLS handshake failed: certificate has expired": 30]
        #expect(book.isRelated(series(.activesync, "apac"), alarm: texts, to: incident))
        // A slowdown (no failure) elsewhere is not related by its failure.
        #expect(!book.isRelated(series(.activesync, "apac"), alarm: alarm(onset: 1_002, failing: nil), to: incident))
    }
}
