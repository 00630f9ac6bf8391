import MailCanaryCore
@testable import MailCanaryDetection
import Testing

@Suite("Cause judge: TLS failures by their reason")
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

    @Test("reasons read from texts")
    func reasons() {
        #expect(ErrorTextClassifier.tlsReason("x509: certificate signed by unknown authority") == .certificateUntrusted)
        #expect(ErrorTextClassifier.tlsReason("the server does not offer STARTTLS (stripped by an intermediary, or not configured)") == .handshakeFailed)
        #expect(ErrorTextClassifier.tlsReason("hostname mismatch") == .certificateNameMismatch)
        #expect(ErrorTextClassifier.tlsReason("connection reset by peer") == nil)
    }
}
