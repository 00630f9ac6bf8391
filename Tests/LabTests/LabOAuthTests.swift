import Foundation
import MailCanaryCore
import MailCanaryTesting
import MailProbing
import NIOPosix
import Testing

/// XOAUTH2 against the real Dovecot (and Postfix, which asks Dovecot): Dovecot's oauth2 passdb
/// checks each token by calling the lab's introspection URL, which this suite serves.
extension LabSuite {
@Suite
struct LabOAuthTests {
    let lab = Lab.current!
    static let goodToken = "lab-token-\(UUID().uuidString)"

    /// `GET /userinfo` with `Authorization: Bearer <token>`: the user for the good token; for any
    /// other, `active: false` (RFC 7662 §2.2), which Dovecot reports as a refused login. (A 401 or
    /// an answer without the user is, to Dovecot, a temporary failure of its identity provider.)
    func introspectionServer() async throws -> ScriptedServer {
        let user = lab.user
        return try await ScriptedServer.start(port: Int(lab["INTROSPECTION_PORT"]) ?? 14900) { connection in
            while let requestLine = try await connection.readLine() {
                guard !requestLine.isEmpty else { continue }
                var authorized = false
                while let line = try await connection.readLine(), !line.isEmpty {
                    if line.lowercased().hasPrefix("authorization:"), line.hasSuffix("Bearer \(Self.goodToken)") { authorized = true }
                }
                let body = authorized ? #"{"email":"\#(user)","active":true}"# : #"{"email":"\#(user)","active":false}"#
                try await connection.send("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            }
        }
    }

    func probe(_ url: String, token: String) async throws -> ProbeResult {
        var settings = ProbeSettings()
        settings.timeout = .seconds(20)  // above Dovecot's auth penalty (15 s at most)
        settings.tls = TLSOptions(caFile: lab.caFile)
        settings.credentials = Credentials(user: lab.user, token: StaticTokenProvider(Secret(token)))
        let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, trust: try TrustEvaluator(options: settings.tls))
        return await runner.run(try ProbeTarget(parsing: url), settings: settings, now: Date())
    }

    @Test func xoauth2LogsInWithAValidTokenAndIsRefusedWithAnotherOne() async throws {
        let server = try await introspectionServer()
        do {
            try await checkTokens()
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    func checkTokens() async throws {
        for (scheme, portKey) in [("imaps", "IMAPS_PORT"), ("pop3s", "POP3S_PORT"), ("smtps", "SMTPS_PORT")] {
            let good = try await probe(lab.url(scheme, portKey), token: Self.goodToken)
            #expect(good.outcome == .ok, "\(scheme): \(good.error ?? "") \(good.transcript.suffix(3))")
            #expect(good.steps.contains { $0.name == .auth && $0.detail.contains("XOAUTH2") })
            #expect(!good.transcript.joined().contains(Self.goodToken))
            let bad = try await probe(lab.url(scheme, portKey), token: "forged-token")
            #expect(bad.failureClass == .auth, "\(scheme): \(bad.error ?? "")")
            #expect(bad.cause == .authentication)
        }
    }
}
}

extension LabSuite.LabOAuthTests {
    @Test func anIdentityProviderOutageBehindDovecotIsServerSide() async throws {
        // The identity provider answers 503: Dovecot cannot check the token and says so as a
        // temporary failure, which is the server's side, not the credentials'.
        let failing = try await ScriptedServer.start(port: Int(lab["INTROSPECTION_PORT"]) ?? 14900) { connection in
            while let line = try await connection.readLine() {
                if line.isEmpty { try await connection.send("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n") }
            }
        }
        let result = try await probe(lab.url("imaps", "IMAPS_PORT"), token: Self.goodToken)
        await failing.stop()
        #expect(result.failureClass == .server, "\(result.error ?? "")")
        #expect(result.failedStep == .auth)
        #expect(result.serverReply?.contains("UNAVAILABLE") == true)
    }
}
