import Foundation
import MailCanaryCore
import MailCanaryTesting
import MailProbing
import Testing

/// HTTP statuses and redirects, and the OAuth2 token step against a local token endpoint.
@Suite struct HTTPAndTokenTests {
    /// A minimal HTTP/1.1 responder: `respond(requestLine, headers, body)` returns the response.
    func httpServer(_ respond: @escaping @Sendable (String, [String], String) -> String) async throws -> ScriptedServer {
        try await ScriptedServer.start { connection in
            guard let requestLine = try await connection.readLine() else { return }
            var headers: [String] = []
            var length = 0
            while let line = try await connection.readLine(), !line.isEmpty {
                headers.append(line)
                if line.lowercased().hasPrefix("content-length:") { length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0 }
            }
            var body = ""
            if length > 0, let bytes = try await connection.read(count: length) { body = String(decoding: bytes, as: UTF8.self) }
            try await connection.send(respond(requestLine, headers, body))
            await connection.close()
        }
    }

    @Test func aRedirectLoopIsStopped() async throws {
        let server = try await httpServer { line, _, _ in
            let next = line.contains("/a ") ? "/b" : "/a"
            return "HTTP/1.1 302 Found\r\nLocation: \(next)\r\nContent-Length: 0\r\n\r\n"
        }
        defer { Task { await server.stop() } }
        let result = try await probe("http://127.0.0.1:\(server.port)/a")
        #expect(result.failureClass == .protocol)
        #expect(result.failureReason == .redirectLimit)
        #expect(result.steps.filter { $0.name == .redirect }.count >= 1)
    }

    @Test(arguments: [(500, FailureClass.server), (503, .server), (404, .config), (401, .auth), (418, .protocol)])
    func statusesAreClassified(status: Int, expected: FailureClass) async throws {
        let server = try await httpServer { _, _, _ in "HTTP/1.1 \(status) X\r\nContent-Length: 2\r\n\r\nno" }
        defer { Task { await server.stop() } }
        let result = try await probe("http://127.0.0.1:\(server.port)/")
        #expect(result.failureClass == expected)
        #expect(result.facts["status"] == String(status))
    }

    @Test func anEndlessBodyIsCutAtTheBound() async throws {
        let server = try await ScriptedServer.start { connection in
            _ = try await connection.readLine()
            try await connection.send("HTTP/1.1 200 OK\r\n\r\n")
            let chunk = [UInt8](repeating: 0x61, count: 65_536)
            for _ in 0..<4_096 { try await connection.send(chunk) }
        }
        defer { Task { await server.stop() } }
        let result = try await probe("http://127.0.0.1:\(server.port)/", timeout: .seconds(10))
        #expect(result.outcome == .ok)
        #expect(result.facts["bodyTruncated"] == "true")
        #expect(result.durationMs < 3000)
    }

    @Test func credentialsAreNotSentToAnotherHost() async throws {
        let other = try await httpServer { _, headers, _ in
            let leaked = headers.contains { $0.lowercased().hasPrefix("authorization") }
            return "HTTP/1.1 \(leaked ? 500 : 200) X\r\nContent-Length: 0\r\n\r\n"
        }
        let first = try await httpServer { _, _, _ in "HTTP/1.1 302 Found\r\nLocation: http://localhost:\(other.port)/\r\nContent-Length: 0\r\n\r\n" }
        defer { Task { await first.stop(); await other.stop() } }
        let result = try await probe("http://127.0.0.1:\(first.port)/") {
            $0.credentials = Credentials(user: "alice", password: Secret("pw"))
        }
        #expect(result.outcome == .ok, "\(result.error ?? "")")
    }

    @Test func aTokenEndpointRefusalIsTheTokenStepsFailure() async throws {
        let idp = try await httpServer { _, _, body in
            #expect(body.contains("grant_type=client_credentials"))
            let json = #"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.\r\nTrace ID: x"}"#
            return "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        }
        let imap = try await ScriptedServer.start(tls: try CertificateTests.certificates.leaf()) { connection in
            try await connection.send("* OK [CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR] ready\r\n")
            while let line = try await connection.readLine() {
                let tag = line.split(separator: " ").first.map(String.init) ?? "*"
                if line.hasSuffix("CAPABILITY") { try await connection.send("* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 SASL-IR\r\n\(tag) OK\r\n") }
            }
        }
        defer { Task { await idp.stop(); await imap.stop() } }
        let provider = OAuth2TokenProvider(endpoint: .init(url: "http://127.0.0.1:\(idp.port)/tenant/oauth2/v2.0/token")!,
                                           clientID: "app", clientSecret: Secret("very-secret"), scope: "s", grant: .clientCredentials)
        let direct = try await probe("imaps://127.0.0.1:\(imap.port)", timeout: .seconds(10), caFile: CertificateTests.certificates.caFile) {
            $0.credentials = Credentials(user: "alice@example.com", token: provider)
        }
        #expect(direct.steps.map(\.name) == [.resolve, .connect, .tls, .greeting, .starttls, .capability, .token])
        #expect(direct.failedStep == .token)
        #expect(direct.failureClass == .auth)
        #expect(direct.cause == .authentication)
        #expect(direct.serverReply?.contains("AADSTS7000215") == true)
        #expect(!String(describing: direct).contains("very-secret"))
    }

    @Test func xoauth2UsesTheIssuedTokenAndNeverShowsIt() async throws {
        let idp = try await httpServer { _, _, _ in
            let json = #"{"token_type":"Bearer","expires_in":3599,"access_token":"eyJ0eXAi.secret-token"}"#
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        }
        let pop3 = try await ScriptedServer.start(tls: try CertificateTests.certificates.leaf()) { connection in
            try await connection.send("+OK ready\r\n")
            while let line = try await connection.readLine() {
                if line == "CAPA" { try await connection.send("+OK\r\nSASL XOAUTH2\r\n.\r\n") }
                else if line.hasPrefix("AUTH XOAUTH2 ") {
                    let expected = "user=alice@example.com\u{1}auth=Bearer eyJ0eXAi.secret-token\u{1}\u{1}"
                    let sent = String(decoding: SASLDecode.base64(String(line.dropFirst(13))), as: UTF8.self)
                    try await connection.send(sent == expected ? "+OK welcome\r\n" : "-ERR [AUTH] bad token\r\n")
                } else if line == "STAT" { try await connection.send("+OK 4 1000\r\n") }
                else if line == "QUIT" { try await connection.send("+OK bye\r\n"); return }
            }
        }
        defer { Task { await idp.stop(); await pop3.stop() } }
        let provider = OAuth2TokenProvider(endpoint: .init(url: "http://127.0.0.1:\(idp.port)/t/oauth2/v2.0/token")!,
                                           clientID: "app", clientSecret: Secret("s"), scope: "s", grant: .clientCredentials)
        let result = try await probe("pop3s://127.0.0.1:\(pop3.port)", timeout: .seconds(10), caFile: CertificateTests.certificates.caFile) {
            $0.credentials = Credentials(user: "alice@example.com", token: provider)
        }
        #expect(result.outcome == .ok, "\(result.error ?? "")")
        #expect(result.facts["messages"] == "4")
        #expect(result.steps.contains { $0.name == .token && $0.outcome == .ok })
        #expect(!result.transcript.joined().contains("secret-token"))
        #expect(result.transcript.contains("C: AUTH XOAUTH2 <redacted>"))
    }
}

extension HTTPAndTokenTests {
    @Test func theRefreshTokenGrantSendsItsTokenAndCachesTheAnswer() async throws {
        let requests = RequestLog()
        let idp = try await httpServer { _, _, body in
            requests.append(body)
            let json = #"{"token_type":"Bearer","expires_in":3600,"access_token":"at-1"}"#
            return "HTTP/1.1 200 OK\r\nContent-Length: \(json.utf8.count)\r\nSet-Cookie: fpc=session-secret\r\n\r\n\(json)"
        }
        defer { Task { await idp.stop() } }
        let provider = OAuth2TokenProvider(endpoint: .init(url: "http://127.0.0.1:\(idp.port)/common/oauth2/v2.0/token")!,
                                           clientID: "app", clientSecret: nil, scope: "offline_access", grant: .refreshToken(Secret("rt-secret")))
        for _ in 0..<2 {
            let result = try await probe("http://127.0.0.1:\(idp.port)/", timeout: .seconds(10)) {
                $0.credentials = Credentials(user: "alice", token: provider)
            }
            #expect(result.steps.first?.name == .token)
            #expect(result.steps.first?.outcome == .ok)
            #expect(!String(describing: result).contains("rt-secret"))
            #expect(!String(describing: result).contains("session-secret"))
        }
        let bodies = requests.all
        #expect(bodies.filter { $0.contains("grant_type=refresh_token") && $0.contains("refresh_token=rt-secret") }.count == 1, "\(bodies)")
    }
}

/// Request bodies seen by a fake server.
final class RequestLog: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [String] = []
    func append(_ body: String) { lock.withLock { bodies.append(body) } }
    var all: [String] { lock.withLock { bodies } }
}

/// Base64 decoding for the fake servers (tests only).
enum SASLDecode {
    static func base64(_ text: String) -> [UInt8] { Array(Data(base64Encoded: text) ?? Data()) }
}
