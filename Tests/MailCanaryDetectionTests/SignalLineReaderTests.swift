import MailCanaryCore
import MailCanaryIngest
import Testing

@Suite("Signal lines (telemetry NDJSON and scenario records)")
struct SignalLineReaderTests {
    @Test("reads the four scenario record kinds and the header")
    func readsScenarioRecords() throws {
        let clients = try SignalLineReader.read(#"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"contoso","region":"apac","client":"outlook-classic","path":"mapi-http","ok":90,"failed":10,"errors":{"MAPI Connect: X-ResponseCode 1 (Unknown Failure)":9,"timed out after 30s":1},"latencyMsP50":81.5}"#)
        #expect(clients == .signal(.clients(ClientCounts(
            timeMs: UTCTimestamp.parse("2025-11-25T09:13:00Z")!, service: "contoso", region: "apac", client: .outlookClassic,
            path: .mapiHTTP, ok: 90, failed: 10,
            errors: [ErrorCount("MAPI Connect: X-ResponseCode 1 (Unknown Failure)", 9), ErrorCount("timed out after 30s", 1)],
            latencyMsP50: 81.5))))

        let probe = try SignalLineReader.read(#"{"kind":"probe","t":"2025-11-25T09:14:00Z","service":"contoso","region":"na","path":"mapi-http","agent":"na-1","outcome":"failed","failureClass":"server","durationMs":120.5,"error":"boom","steps":[{"name":"resolve","ms":3.1,"ok":true},{"name":"operation","ms":60,"ok":false}]}"#)
        guard case .signal(.probe(let observation)) = probe else { Issue.record("not a probe: \(probe)"); return }
        #expect(observation.failed && observation.failureClass == .server && observation.failedStep == .operation)
        #expect(observation.error == "boom" && observation.durationMs == 120.5 && observation.agent == "na-1")
        #expect(observation.operationMs == nil)   // the operation step failed

        let slow = try SignalLineReader.read(#"{"kind":"probe","t":"2025-11-25T09:14:00Z","service":"contoso","region":"na","path":"mapi-http","outcome":"ok","durationMs":120.5,"steps":[{"ok":true,"ms":3.1,"name":"resolve"},{"name":"operation","ok":true,"ms":72.25}]}"#)
        guard case .signal(.probe(let timed)) = slow else { Issue.record("not a probe: \(slow)"); return }
        #expect(timed.operationMs == 72.25 && !timed.failed)

        let report = try SignalLineReader.read(#"{"kind":"report","t":"2025-11-25T09:30:00Z","service":"contoso","region":"na","client":"outlook-classic","symptom":"cannot-connect","reporter":"u-000001"}"#)
        guard case .signal(.report(let userReport)) = report else { Issue.record("not a report"); return }
        #expect(userReport.reporter == "u-000001" && userReport.client == .outlookClassic)

        let advisory = try SignalLineReader.read(#"{"kind":"advisory","t":"2025-11-25T09:57:00Z","issue":{"id":"EX1189820","title":"T","classification":"Incident","origin":"Microsoft","status":"ServiceDegradation","service":"Exchange Online","feature":"E-Mail and calendar access","isResolved":false,"startDateTime":"2025-11-25T09:57:00Z","endDateTime":null,"details":[],"posts":[{"createdDateTime":"2025-11-25T09:57:00Z","postType":"Regular","description":{"contentType":"Html","content":"c"}}],"futureField":{"x":[1]}}}"#)
        guard case .signal(.advisory(_, let issue)) = advisory else { Issue.record("not an advisory"); return }
        #expect(issue.id == "EX1189820" && issue.classification == .incident && issue.status == .serviceDegradation)
        #expect(issue.posts.count == 1 && issue.firstPostMs == UTCTimestamp.parse("2025-11-25T09:57:00Z"))

        let header = try SignalLineReader.read(#"{"kind":"scenario","name":"n","service":"contoso","start":"2025-11-18T00:00:00Z","end":"2025-11-25T18:00:00Z","regions":["apac","na"],"description":"d"}"#)
        guard case .scenario(let scenario) = header else { Issue.record("not a header"); return }
        #expect(scenario.regions == ["apac", "na"] && scenario.service == "contoso")
    }

    @Test("a single connection event is a count of one, with its user")
    func readsEvents() throws {
        let record = try SignalLineReader.read(#"{"time":"2025-11-25T09:12:31.5Z","service":"contoso","region":"eu","client":"owa","path":"owa","outcome":"failed","error":"HTTP 503","user":"h-42"}"#)
        guard case .signal(.clients(let counts)) = record else { Issue.record("not counts"); return }
        #expect(counts.ok == 0 && counts.failed == 1 && counts.user == "h-42" && counts.errors == [ErrorCount("HTTP 503", 1)])
    }

    @Test("unknown status and classification values are kept as unknownFutureValue, any case is accepted")
    func enumsAreLenient() throws {
        let record = try SignalLineReader.read(#"{"kind":"advisory","t":"2025-11-25T09:57:00Z","issue":{"id":"EX1","service":"Exchange Online","status":"somethingNew","classification":"INCIDENT"}}"#)
        guard case .signal(.advisory(_, let issue)) = record else { Issue.record("not an advisory"); return }
        #expect(issue.status == .unknownFutureValue && issue.classification == .incident)
    }

    @Test("bad lines name the field and the problem", arguments: [
        (#"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"c","region":"r","client":"owa","path":"owa","ok":1}"#, "failed is missing"),
        (#"{"kind":"clients","t":"2025-11-25T09:13:00Z","service":"c","region":"r","client":"owa","path":"owa","ok":-1,"failed":0}"#, "ok is not valid"),
        (#"{"kind":"clients","t":"yesterday","service":"c"}"#, "t is not valid"),
        (#"{"kind":"clients","t":12,"service":"c"}"#, "t has the wrong type"),
        (#"{"kind":"probe","t":"2025-11-25T09:13:00Z","service":"c","region":"r","path":"p","outcome":"maybe"}"#, "outcome is not valid"),
        (#"{"kind":"probe","t":"2025-11-25T09:13:00Z","service":"c","region":"r","path":"p","outcome":"failed","failureClass":"gremlins"}"#, "failureClass is not valid"),
        (#"{"kind":"clients","errors":{"x":"many"}}"#, "errors.x has the wrong type"),
        (#"{"kind":"weather","t":"2025-11-25T09:13:00Z"}"#, "kind is not valid"),
        (#"{"t":"2025-11-25T09:13:00Z"}"#, "kind is missing"),
        (#"{"kind":"advisory","t":"2025-11-25T09:13:00Z","issue":{"title":"x"}}"#, "issue.id is missing"),
        (#"{"kind":"report","t":"2025-11-25T09:13:00Z","service":"c","region":"r"}"#, "reporter is missing"),
        (#"{"kind":"clients""#, "not JSON (the text ends too early at byte 17)"),
        (#"[1,2]"#, "not JSON (an object was expected at byte 0)"),
    ])
    func badLines(_ line: String, _ expected: String) {
        #expect(throws: (any Error).self) { try SignalLineReader.read(line) }
        do {
            _ = try SignalLineReader.read(line)
        } catch {
            #expect(error.description == expected)
        }
    }
}
