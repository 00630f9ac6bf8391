import Foundation
import MailCanaryCore
import Testing

@Suite struct CauseRulesTests {
    @Test func followsTheDesignTable() {
        func cause(_ c: FailureClass, _ r: FailureReason?, _ s: StepName = .operation, greeted: Bool = false) -> Cause {
            CauseRules.defaultCause(for: c, reason: r, step: s, afterGreeting: greeted)
        }
        #expect(cause(.server, .unavailable) == .serverSide)
        #expect(cause(.protocol, .malformed) == .serverSide)
        #expect(cause(.auth, .credentialsRejected) == .authentication)
        #expect(cause(.tls, .certificateUntrusted, .tls) == .networkIntermediary)
        #expect(cause(.tls, .certificateExpired, .tls) == .serverSide)
        #expect(cause(.tls, .certificateNameMismatch, .tls) == .serverSide)
        #expect(cause(.dns, .resolverFailure, .resolve) == .networkIntermediary)
        #expect(cause(.dns, .nameNotFound, .resolve) == .clientConfig)
        #expect(cause(.network, .connectionRefused, .connect) == .networkIntermediary)
        #expect(cause(.timeout, .connectTimeout, .connect) == .networkIntermediary)
        #expect(cause(.timeout, .responseTimeout, .operation, greeted: true) == .serverSide)
        #expect(cause(.config, .missingCredential) == .clientConfig)
        #expect(cause(.server, .serverError, .token) == .authentication)
    }

    @Test func secretsNeverPrintOrEncode() throws {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<redacted>")
        #expect(String(reflecting: secret) == "<redacted>")
        let json = String(decoding: try JSONEncoder().encode(["password": secret]), as: UTF8.self)
        #expect(!json.contains("hunter2"))
    }

    @Test func transcriptIsBounded() {
        var transcript = Transcript(maxLines: 3, maxLineLength: 10)
        for _ in 0..<10 { transcript.server(String(repeating: "x", count: 100) + "\u{7}") }
        #expect(transcript.lines.count == 3)
        #expect(transcript.truncated)
        #expect(transcript.lines[0].count == 11)
    }

    @Test func parsesDurations() {
        #expect(DurationParser.parse("5s") == .seconds(5))
        #expect(DurationParser.parse("750ms") == .milliseconds(750))
        #expect(DurationParser.parse("2m") == .seconds(120))
        #expect(DurationParser.parse("-1s") == nil)
        #expect(DurationParser.parse("five") == nil)
    }
}

@Suite struct TenthsTextTests {
    @Test func formatsOneDecimal() {
        #expect(12.34.tenthsText == "12.3")
        #expect(0.05.tenthsText == "0.1")
        #expect(7.0.tenthsText == "7.0")
        #expect((-0.26).tenthsText == "-0.3")
        #expect((-3.45).tenthsText == "-3.5" || (-3.45).tenthsText == "-3.4")
    }
}
