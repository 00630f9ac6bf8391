@testable import MailProbing
import MailWire
import Foundation
import MailCanaryCore
import MailCanaryTesting
import MailProbing
import Testing

/// Hostile targets are data: each yields a classified failure within the deadline and bounded
/// memory, never a crash or a hang.
@Suite struct HostileServerTests {
    func expectFailure(_ result: ProbeResult, _ failureClass: FailureClass, at step: StepName, reason: FailureReason? = nil, within seconds: Double = 9, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.outcome == .failed, sourceLocation: sourceLocation)
        #expect(result.failureClass == failureClass, "\(result.error ?? "")", sourceLocation: sourceLocation)
        #expect(result.failedStep == step, "\(result.error ?? "")", sourceLocation: sourceLocation)
        if let reason { #expect(result.failureReason == reason, sourceLocation: sourceLocation) }
        #expect(result.durationMs < seconds * 1000, sourceLocation: sourceLocation)
    }

    @Test(arguments: ["imap", "pop3", "smtp"])
    func aSilentServerTimesOutAtTheGreeting(scheme: String) async throws {
        let server = try await ScriptedServer.start { connection in await connection.waitForClose() }
        defer { Task { await server.stop() } }
        let result = try await probe("\(scheme)://127.0.0.1:\(server.port)", timeout: .milliseconds(500))
        expectFailure(result, .timeout, at: .greeting, within: 5)
        #expect(result.cause == .networkIntermediary)
    }

    @Test func aDrippingServerIsStoppedByTheOneDeadline() async throws {
        // One byte every 100 ms: never silent long enough for a per-read timeout to fire.
        let server = try await ScriptedServer.start { connection in
            for _ in 0..<300 {
                try await connection.send("*")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { Task { await server.stop() } }
        let result = try await probe("imap://127.0.0.1:\(server.port)", timeout: .milliseconds(700))
        expectFailure(result, .timeout, at: .greeting, within: 5)
    }

    @Test(arguments: ["imap", "pop3", "smtp"])
    func anEndlessBannerIsAProtocolFailure(scheme: String) async throws {
        let server = try await ScriptedServer.start { connection in
            let chunk = String(repeating: "A", count: 4096)
            for _ in 0..<2_000 { try await connection.send(chunk) }
        }
        defer { Task { await server.stop() } }
        let result = try await probe("\(scheme)://127.0.0.1:\(server.port)", timeout: .seconds(2))
        expectFailure(result, .protocol, at: .greeting)
    }

    @Test(arguments: ["imap", "pop3", "smtp"])
    func garbageIsAProtocolFailure(scheme: String) async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.send([0x16, 0x03, 0x01, 0x00, 0x05, 0xFF, 0x00, 0x0D, 0x0A])
            await connection.waitForClose()
        }
        defer { Task { await server.stop() } }
        let result = try await probe("\(scheme)://127.0.0.1:\(server.port)")
        expectFailure(result, .protocol, at: .greeting, reason: .malformed)
    }

    @Test func aGigabyteLiteralIsRefusedAtOnce() async throws {
        // The greeting announces a 1 GiB literal and starts sending it.
        let sent = SentChunks()
        let literal = try await ScriptedServer.start { connection in
            try await connection.send("* OK {1073741824}\r\n")
            let chunk = [UInt8](repeating: 0x41, count: 65_536)
            for _ in 0..<16_384 {
                try await connection.send(chunk)
                sent.add()
            }
        }
        defer { Task { await literal.stop() } }
        let result = try await probe("imap://127.0.0.1:\(literal.port)", timeout: .seconds(2))
        expectFailure(result, .protocol, at: .greeting, reason: .responseTooLarge, within: 1.5)   // before the 2 s deadline, with room for a loaded machine
        // Refused on the announcement: the server could not push more than socket buffers hold
        // (a few MiB) before its writes failed, far from the gigabyte.
        try await Task.sleep(for: .milliseconds(200))
        #expect(sent.count < 512, "\(sent.count) chunks of 64 KiB were accepted before the probe closed")
    }

    @Test func closingMidDialogueIsANetworkFailureAfterTheGreeting() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.send("220 hostile ESMTP\r\n")
            _ = try await connection.readLine()
            await connection.close()
        }
        defer { Task { await server.stop() } }
        let result = try await probe("smtp://127.0.0.1:\(server.port)")
        expectFailure(result, .network, at: .capability, reason: .closedByPeer)
        #expect(result.cause == .serverSide)
    }

    @Test func preauthMustNotSkipSTARTTLS() async throws {
        let server = try await ScriptedServer.start { connection in
            try await connection.send("* PREAUTH [CAPABILITY IMAP4rev1] logged in already\r\n")
            await connection.waitForClose()
        }
        defer { Task { await server.stop() } }
        let result = try await probe("imap://127.0.0.1:\(server.port)")
        expectFailure(result, .protocol, at: .greeting, reason: .startTLSRequired)
    }

    @Test func aResponseInjectedBeforeTheHandshakeIsRefused() async throws {
        // CVE-2011-0411 shape: the plaintext STARTTLS answer carries a second, injected response.
        let server = try await ScriptedServer.start { connection in
            try await connection.send("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n")
            _ = try await connection.readLine()
            try await connection.send("a1 OK Begin TLS\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n")
            await connection.waitForClose()
        }
        defer { Task { await server.stop() } }
        let result = try await probe("imap://127.0.0.1:\(server.port)")
        expectFailure(result, .protocol, at: .tls, reason: .injectionDetected)
    }

    @Test func unavailableServersAreServerSide() async throws {
        let imap = try await ScriptedServer.start { connection in
            try await connection.send("* BYE [UNAVAILABLE] maintenance\r\n")
        }
        let pop3 = try await ScriptedServer.start { connection in
            try await connection.send("-ERR [SYS/TEMP] backend down\r\n")
        }
        let smtp = try await ScriptedServer.start { connection in
            try await connection.send("421 4.3.2 Service not available\r\n")
        }
        defer { Task { await imap.stop(); await pop3.stop(); await smtp.stop() } }
        for (url, port) in [("imap", imap.port), ("pop3", pop3.port), ("smtp", smtp.port)] {
            let result = try await probe("\(url)://127.0.0.1:\(port)")
            expectFailure(result, .server, at: .greeting)
            #expect(result.cause == .serverSide)
            #expect(result.serverReply != nil)
        }
    }

    @Test func aRefusedPortAndAMissingNameAreTold() async throws {
        // Port 1 (tcpmux) has no listener; a port freed by a stopped test server could be reused
        // at once by another test running in parallel.
        expectFailure(try await probe("imaps://127.0.0.1:1"), .network, at: .connect, reason: .connectionRefused)
        expectFailure(try await probe("imaps://does-not-exist.invalid"), .dns, at: .resolve, reason: .nameNotFound)
    }
}

@Suite struct IMAPFailureRulesTests {
    @Test func responseCodesDecideTheClassAtEachStep() {
        func failure(_ code: String?, _ kind: IMAPStatus.Kind = .no, at step: StepName) -> FailureClass {
            IMAPSession.failure(for: IMAPStatus(kind: kind, code: code, text: "x"), step: step, doing: "test").failureClass
        }
        #expect(failure("AUTHENTICATIONFAILED", at: .auth) == .auth)
        #expect(failure(nil, at: .auth) == .auth)
        #expect(failure("UNAVAILABLE", at: .auth) == .server)
        #expect(failure("PRIVACYREQUIRED", at: .auth) == .config)
        #expect(failure("NONEXISTENT", at: .operation) == .config)
        #expect(failure("CANNOT", at: .auth) == .auth)
        #expect(failure("NONEXISTENT", at: .capability) == .server)
        #expect(failure(nil, .bad, at: .operation) == .protocol)
    }
}

/// Counts a hostile server's writes from its event loop; read by the test.
final class SentChunks: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.withLock { value += 1 } }
    var count: Int { lock.withLock { value } }
}
