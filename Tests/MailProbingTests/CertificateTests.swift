import Foundation
import MailCanaryCore
import MailCanaryTesting
import MailProbing
import Testing

/// Certificate problems are told apart: untrusted issuer, expired, wrong name, and a good chain.
@Suite struct CertificateTests {
    static let certificates = try! TestCertificates()

    func tlsServer(_ identity: TestCertificates.Identity) async throws -> ScriptedServer {
        try await ScriptedServer.start(tls: identity) { connection in
            try await connection.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] test ready\r\n")
            while let line = try await connection.readLine() {
                let tag = line.split(separator: " ").first.map(String.init) ?? "*"
                if line.uppercased().hasSuffix("CAPABILITY") {
                    try await connection.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n\(tag) OK done\r\n")
                } else if line.uppercased().hasSuffix("LOGOUT") {
                    try await connection.send("* BYE bye\r\n\(tag) OK done\r\n")
                    return
                }
            }
        }
    }

    @Test func aGoodChainIsTrustedAndReported() async throws {
        let server = try await tlsServer(try Self.certificates.leaf())
        defer { Task { await server.stop() } }
        let result = try await probe("imaps://127.0.0.1:\(server.port)", caFile: Self.certificates.caFile)
        #expect(result.outcome == .ok, "\(result.error ?? "")")
        let tls = try #require(result.tls)
        #expect(tls.chainTrusted && tls.nameMatches)
        #expect(tls.version == "TLSv1.3")
        #expect(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"].contains(tls.cipher ?? ""))
        #expect(tls.subjectAlternativeNames.contains("IP:127.0.0.1"))
        #expect((28...30).contains(tls.daysLeft ?? 0))
        #expect(tls.issuer == "CN=MailCanary Test CA")
    }

    @Test func anUntrustedIssuerPointsAtAnIntermediary() async throws {
        let server = try await tlsServer(try Self.certificates.leaf(selfSigned: true))
        defer { Task { await server.stop() } }
        let result = try await probe("imaps://127.0.0.1:\(server.port)", caFile: Self.certificates.caFile)
        #expect(result.failureClass == .tls)
        #expect(result.failureReason == .certificateUntrusted)
        #expect(result.cause == .networkIntermediary)
    }

    @Test func anExpiredCertificateIsServerSide() async throws {
        let identity = try Self.certificates.leaf(notBefore: Date().addingTimeInterval(-86_400 * 60), notAfter: Date().addingTimeInterval(-86_400))
        let server = try await tlsServer(identity)
        defer { Task { await server.stop() } }
        let result = try await probe("tls://127.0.0.1:\(server.port)", caFile: Self.certificates.caFile)
        #expect(result.failureClass == .tls)
        #expect(result.failureReason == .certificateExpired)
        #expect(result.cause == .serverSide)
        #expect(result.tls?.daysLeft ?? 0 < 0)
    }

    @Test func aCertificateForAnotherNameIsTold() async throws {
        let server = try await tlsServer(try Self.certificates.leaf(names: ["mail.other.test"]))
        defer { Task { await server.stop() } }
        let result = try await probe("imaps://127.0.0.1:\(server.port)", caFile: Self.certificates.caFile)
        #expect(result.failureReason == .certificateNameMismatch)
        #expect(result.error?.contains("mail.other.test") == true)
    }

    @Test func insecureGoesOnButStillReports() async throws {
        let server = try await tlsServer(try Self.certificates.leaf(selfSigned: true))
        defer { Task { await server.stop() } }
        let result = try await probe("imaps://127.0.0.1:\(server.port)") { $0.tls = TLSOptions(insecure: true) }
        #expect(result.outcome == .ok)
        #expect(result.tls?.chainTrusted == false)
        #expect(result.facts["tlsWarning"] != nil)
    }

    @Test func aPlaintextServerOnATLSPortFailsTheHandshake() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.send("* OK plaintext here\r\n")
            await connection.waitForClose()
        }
        defer { Task { await server.stop() } }
        let result = try await probe("imaps://127.0.0.1:\(server.port)")
        #expect(result.failureClass == .tls)
        #expect(result.failedStep == .tls)
    }
}

extension CertificateTests {
    @Test func aPasswordWithoutAUserFailsTheAuthStepAsConfig() async throws {
        let server = try await tlsServer(try Self.certificates.leaf())
        defer { Task { await server.stop() } }
        let result = try await probe("imaps://127.0.0.1:\(server.port)", caFile: Self.certificates.caFile) {
            $0.credentials = Credentials(user: nil, password: Secret("pw"))
        }
        #expect(result.failureClass == .config)
        #expect(result.failureReason == .missingCredential)
        #expect(result.steps.last?.name == .auth)
        #expect(result.steps.last?.outcome == .failed)
    }
}
