import MailCanaryCore
@testable import MailCanaryDetection
import Testing

@Suite("Cause judge: TLS and DNS failures by their reason")
struct CauseJudgeTests {
    static func tlsEvidence(_ text: String, count: Int = 40) -> AnomalyEvidence {
        var evidence = AnomalyEvidence()
        evidence.classCounts = [.tls: 6]
        evidence.failedSteps = [.tls: 6]
        evidence.errors = [text: count, "connection reset by peer": 2]
        evidence.failed = count + 2
        return evidence
    }

    static let all: Set<String> = ["apac", "na", "eu"]

    @Test("an issuer nobody trusts in one region is an intercepting proxy; seen from every region it is the service's")
    func untrustedIssuer() {
        for text in ["TLS handshake failed: certificate verify failed: unable to get local issuer certificate",
                     "certificate issued by \"CN=Inspect CA\" does not chain to a trusted root; it also expired on 2025-01-01T00:00:00Z",
                     "SSL: self-signed certificate in certificate chain"] {
            let one = CauseJudge.judge(Self.tlsEvidence(text), regions: ["eu"], allRegions: Self.all, latencyOnly: false)
            #expect(one == CauseJudge.Judgement(cause: .networkIntermediary, layer: "tls"), "\(text)")
            let everywhere = CauseJudge.judge(Self.tlsEvidence(text), regions: Self.all, allRegions: Self.all, latencyOnly: false)
            #expect(everywhere.cause == .serverSide, "\(text)")
        }
    }

    @Test("an expired, not yet valid or misnamed certificate is the service's own, even in one region")
    func servicesCertificate() {
        for text in ["certificate expired on 2025-11-25T00:00:00Z", "certificate verify failed: certificate has expired",
                     "certificate is for mail.example.net, not outlook.example.com", "certificate not valid before 2030-01-01T00:00:00Z"] {
            let judgement = CauseJudge.judge(Self.tlsEvidence(text), regions: ["eu"], allRegions: Self.all, latencyOnly: false)
            #expect(judgement.cause == .serverSide, "\(text)")
        }
        // No reason in the text: the table's default for TLS.
        #expect(CauseJudge.judge(Self.tlsEvidence("TLS error"), regions: ["eu"], allRegions: Self.all, latencyOnly: false).cause == .serverSide)
    }

    @Test("a probe's typed reason comes before what the texts say; a reason given with another class is not read")
    func typedReasons() {
        var evidence = Self.tlsEvidence("TLS error")
        evidence.failureReasons = [ClassReason(failureClass: .tls, reason: .certificateUntrusted): 5,
                                   ClassReason(failureClass: .protocol, reason: .certificateExpired): 9]
        #expect(CauseJudge.judge(evidence, regions: ["eu"], allRegions: Self.all, latencyOnly: false).cause == .networkIntermediary)
        var expired = Self.tlsEvidence("certificate verify failed: unable to get local issuer certificate")
        expired.failureReasons = [ClassReason(failureClass: .tls, reason: .certificateExpired): 5]
        #expect(CauseJudge.judge(expired, regions: ["eu"], allRegions: Self.all, latencyOnly: false).cause == .serverSide)
    }

    @Test("a name that does not exist is the client's configuration; a failing resolver is the network's")
    func dnsReasons() {
        func judge(_ text: String) -> Cause {
            var evidence = AnomalyEvidence()
            evidence.errors = [text: 30]
            evidence.failed = 30
            return CauseJudge.judge(evidence, regions: ["na"], allRegions: Self.all, latencyOnly: false).cause
        }
        #expect(judge("getaddrinfo: NXDOMAIN for autodiscover.contoso.example") == .clientConfig)
        #expect(judge("DNS lookup failed: SERVFAIL") == .networkIntermediary)
    }

    @Test("reasons read from texts, only for their class")
    func reasons() {
        #expect(ErrorTextClassifier.reason("x509: certificate signed by unknown authority", of: .tls) == .certificateUntrusted)
        #expect(ErrorTextClassifier.reason("the server does not offer STARTTLS (stripped by an intermediary, or not configured)", of: .tls)
                == .handshakeFailed)
        #expect(ErrorTextClassifier.reason("hostname mismatch", of: .tls) == .certificateNameMismatch)
        #expect(ErrorTextClassifier.reason("connection reset by peer", of: .tls) == nil)
        #expect(ErrorTextClassifier.reason("certificate expired", of: .network) == nil)
    }
}
