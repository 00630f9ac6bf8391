import Foundation
import MailCanaryCore
import MailCanaryStorage
import Testing

@Suite("Stored results as JSON")
struct StoredResultJSONTests {
    let full = StoredResult(origin: "agent:apac-1", sequence: 42, probeID: "contoso/mapi", service: "contoso", path: "mapi-http",
                            region: "apac", startedAtMs: 1_764_000_000_123, plannedAtMs: 1_764_000_000_000, durationMs: 12.375,
                            outcome: .failed, failureClass: .server, failureReason: "http-5xx", failedStep: "operation",
                            error: "HTTP 503 \"Service Unavailable\"\nRetry later — ünïcode", certificateDaysLeft: 61, steps: [
                                StepRecord(name: .resolve, outcome: .ok, durationMs: 0.25, detail: "127.0.0.1 (A)"),
                                StepRecord(name: .operation, outcome: .failed, durationMs: 11.5, detail: "tab\there \\ \"quoted\" \u{1}"),
                            ])

    @Test("the scanner reads what JSONEncoder writes, and the kept step text reads back the same")
    func roundTrip() throws {
        let minimal = StoredResult(origin: "server", probeID: "lab/imap", service: "lab", path: "imap", region: "local",
                                   startedAtMs: 1, plannedAtMs: 1, durationMs: 0, outcome: .ok)
        for result in [full, minimal] {
            let read = try StoredResult(json: Array(try JSONEncoder().encode(result)))
            #expect(read == result)
            #expect(read.steps == result.steps)
            // The text the store keeps is JSON that JSONDecoder reads too.
            let decoded = try JSONDecoder().decode([StepRecord].self, from: Data(read.stepsJSON.utf8))
            #expect(decoded == result.steps)
            #expect(try JSONDecoder().decode([StepRecord].self, from: Data(result.stepsJSON.utf8)) == result.steps)
        }
    }

    @Test("detection sees a failed result's typed reason; an unknown reason text or a success gives none")
    func observationReason() {
        var untrusted = full
        untrusted.failureClass = .tls
        untrusted.failureReason = FailureReason.certificateUntrusted.rawValue
        #expect(untrusted.observation.failureReason == .certificateUntrusted)
        #expect(full.observation.failureReason == nil)   // "http-5xx" is no reason detection knows
        var ok = untrusted
        ok.outcome = .ok
        #expect(ok.observation.failureReason == nil)
    }

    @Test("detection sees the time of a successful operation step, and none of a failed one or a result without it")
    func observationOperationTime() {
        var ok = full
        ok.outcome = .ok
        ok.steps = [StepRecord(name: .resolve, outcome: .ok, durationMs: 0.25, detail: ""),
                    StepRecord(name: .operation, outcome: .ok, durationMs: 41.5, detail: "")]
        #expect(ok.observation.operationMs == 41.5)
        #expect(full.observation.operationMs == nil)   // its operation step failed
        ok.steps = [StepRecord(name: .resolve, outcome: .ok, durationMs: 0.25, detail: "")]
        #expect(ok.observation.operationMs == nil)
    }

    @Test("a bad result names the field")
    func namesTheField() throws {
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(full)) as? [String: Any])
        func message(_ change: (inout [String: Any]) -> Void) -> String {
            var copy = object
            change(&copy)
            let bytes = Array(try! JSONSerialization.data(withJSONObject: copy))
            do {
                _ = try StoredResult(json: bytes)
                return "accepted"
            } catch {
                return error.description
            }
        }
        #expect(message { $0["probeID"] = nil } == "result.probeID is missing")
        #expect(message { $0["outcome"] = "maybe" } == "result.outcome is not valid")
        #expect(message { $0["startedAtMs"] = "soon" } == "result.startedAtMs has the wrong type")
        #expect(message { $0["startedAtMs"] = 1.5 } == "result.startedAtMs has the wrong type")
        #expect(message { $0["failureClass"] = "gremlins" } == "result.failureClass is not valid")
        #expect(message { $0["steps"] = [["name": "tls", "outcome": "ok", "durationMs": 1]] } == "result.steps[0].detail is missing")
        #expect(message { $0["steps"] = [["name": 5, "outcome": "ok", "durationMs": 1, "detail": ""]] } == "result.steps[0].name has the wrong type")
        #expect(message { $0["extra"] = ["ignored": [1, 2, 3]] } == "accepted")
        object["failureReason"] = NSNull()
        #expect(message { _ in } == "accepted")
        #expect(throws: JSONReadError.self) { try StoredResult(json: Array("{\"origin\":".utf8)) }
    }
}
