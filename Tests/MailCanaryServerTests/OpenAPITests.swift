import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MailCanaryConfig
import MailCanaryCore
@testable import MailCanaryServer
import MailCanaryStorage
import Testing
import MailCanaryTesting

/// The OpenAPI document the server serves, held to the server: it names every API route with its
/// method, and live answers of each route (bodies and statuses) validate against its schemas.
@Suite("OpenAPI document")
struct OpenAPITests {
    @Test("the served document covers every API route, and the server's answers match its schemas")
    func documentAndAnswers() async throws {
        var site = try await AccessTests.Site.make()
        defer { try? FileManager.default.removeItem(atPath: site.directory) }
        let now = Date().millisecondsSince1970
        _ = try await site.store.append([StoredResult(origin: "server", sequence: nil, probeID: "contoso/imap", service: "contoso", path: "imap",
                                                      region: "local", startedAtMs: now - 60_000, plannedAtMs: now - 60_000, durationMs: 12.5,
                                                      outcome: .failed, failureClass: .tls, failureReason: "expired", failedStep: "tls",
                                                      error: "certificate expired", certificateDaysLeft: nil,
                                                      steps: [StepRecord(name: .connect, outcome: .ok, durationMs: 2, detail: "127.0.0.1:1")])])
        _ = try await site.store.rollUp()
        let message = #"{"incident":{},"transition":{}}"#
        #expect(try await site.store.commitNotifications(incidentID: "inc-1", expectedVersion: nil, state: "{}", entries: [
            OutboxEntry(key: "inc-1/opened", channel: "hook", incidentID: "inc-1", kind: "opened", createdMs: now, payload: message, nextAttemptMs: now),
            OutboxEntry(key: "inc-1/opened", channel: "mail", incidentID: "inc-1", kind: "opened", createdMs: now, payload: message,
                        status: .delivered, attempts: 1, nextAttemptMs: now, lastResult: "SMTP: 250 2.0.0 Ok", deliveredMs: now),
        ]))
        #expect(try await site.store.appendAdvisoryVersion(AdvisoryVersion(tenant: "contoso", issueID: "EX1189820", versionKey: "EX1189820@1", polledAtMs: now,
                                                                            status: "Investigating", body: ServiceCommunicationsFeed.november2025(
                                                                                id: "EX1189820", status: "Investigating", modified: "2025-11-25T10:05:00Z", posts: 1))))
        site.credentials[.anonymous] = [:]
        let credentials = site.credentials
        try await site.application(anonymous: .read).test(.live) { client in
            let served = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(served.status == .ok)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: served.body).utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            let apiRoutes = Set(AccessPolicy.routes.keys.filter { $0.split(separator: " ")[1].hasPrefix("/api/") })
            #expect(documented == apiRoutes, "undocumented: \(apiRoutes.subtracting(documented).sorted()); not served: \(documented.subtracting(apiRoutes).sorted())")
            let validator = SchemaValidator(document: document)

            /// Sends a request; its status must be declared and its JSON body must match the declared schema.
            func check(_ method: HTTPRequest.Method, _ uri: String, template: String, as who: AccessTests.Who = .anonymous,
                       headers extra: HTTPFields = [:], body: String? = nil, expect status: Int) async throws {
                var headers = credentials[who] ?? [:]
                for field in extra { headers[field.name] = field.value }
                let response = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                let text = String(buffer: response.body)
                #expect(Int(response.status.code) == status, "\(method) \(uri): \(response.status) \(text.prefix(300))")
                let operation = paths[template]?[method.rawValue.lowercased()] as? [String: Any]
                let declared = (operation?["responses"] as? [String: Any])?[String(response.status.code)] as? [String: Any]
                guard let declared else {
                    Issue.record("\(method) \(template): status \(response.status.code) is not in the document")
                    return
                }
                let resolved = validator.resolve(declared)
                guard let schema = ((resolved["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any] else { return }
                let value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
                let problems = validator.validate(value, schema)
                #expect(problems.isEmpty, "\(method) \(uri): \(problems.prefix(5)) in \(text.prefix(300))")
            }

            try await check(.get, "/api/v1/services", template: "/api/v1/services", expect: 200)
            try await check(.get, "/api/v1/results/latest", template: "/api/v1/results/latest", expect: 200)
            try await check(.get, "/api/v1/results/latest?service=nope", template: "/api/v1/results/latest", expect: 404)
            try await check(.get, "/api/v1/results?probe=contoso/imap&region=local", template: "/api/v1/results", expect: 200)
            try await check(.get, "/api/v1/results", template: "/api/v1/results", expect: 400)
            try await check(.get, "/api/v1/series/history?service=contoso&path=imap&region=local&resolution=minute&from=0",
                            template: "/api/v1/series/history", expect: 200)
            try await check(.get, "/api/v1/agents", template: "/api/v1/agents", expect: 200)
            try await check(.get, "/api/v1/incidents", template: "/api/v1/incidents", expect: 200)
            try await check(.get, "/api/v1/incidents?open=maybe", template: "/api/v1/incidents", expect: 400)
            try await check(.post, "/api/v1/incidents/inc-1/notes", template: "/api/v1/incidents/{id}/notes", as: .writeToken,
                            headers: [.contentType: "application/json"], body: #"{"text":"engaged","status":"restoringService"}"#, expect: 201)
            try await check(.post, "/api/v1/incidents/inc-1/notes", template: "/api/v1/incidents/{id}/notes", as: .writeToken,
                            headers: [.contentType: "application/json"], body: #"{"text":""}"#, expect: 400)
            try await check(.post, "/api/v1/incidents/inc-1/notes", template: "/api/v1/incidents/{id}/notes", as: .readToken,
                            headers: [.contentType: "application/json"], body: #"{"text":"x"}"#, expect: 403)
            try await check(.get, "/api/v1/incidents/inc-1", template: "/api/v1/incidents/{id}", expect: 200)
            try await check(.get, "/api/v1/incidents/nope", template: "/api/v1/incidents/{id}", expect: 404)
            try await check(.get, "/api/v1/incidents/inc-1/report", template: "/api/v1/incidents/{id}/report", expect: 200)
            try await check(.get, "/api/v1/incidents/inc-1/report?format=pdf", template: "/api/v1/incidents/{id}/report", expect: 400)
            try await check(.get, "/api/v1/incidents/nope/report", template: "/api/v1/incidents/{id}/report", expect: 404)
            try await check(.get, "/api/v1/notifications?incident=inc-1", template: "/api/v1/notifications", expect: 200)
            try await check(.get, "/api/v1/notifications?incident=nope", template: "/api/v1/notifications", expect: 404)
            try await check(.get, "/api/v1/notifications?limit=0", template: "/api/v1/notifications", expect: 400)
            try await check(.get, "/api/v1/advisories", template: "/api/v1/advisories", expect: 200)
            try await check(.get, "/api/v1/advisories/EX1189820", template: "/api/v1/advisories/{id}", expect: 200)
            try await check(.get, "/api/v1/advisories/EX0", template: "/api/v1/advisories/{id}", expect: 404)
            try await check(.get, "/api/v1/advisories/EX1189820/incidentReport", template: "/api/v1/advisories/{id}/incidentReport", expect: 404)
            try await check(.get, "/api/v1/tokens", template: "/api/v1/tokens", as: .writeToken, expect: 200)
            try await check(.get, "/api/v1/tokens", template: "/api/v1/tokens", as: .readToken, expect: 403)
            try await check(.post, "/api/v1/tokens", template: "/api/v1/tokens", as: .writeToken, headers: [.contentType: "application/json"],
                            body: #"{"role":"reader","name":"grafana"}"#, expect: 201)
            try await check(.post, "/api/v1/tokens", template: "/api/v1/tokens", as: .writeToken, headers: [.contentType: "application/json"],
                            body: #"{"role":"agent","name":"x"}"#, expect: 400)
            try await check(.post, "/api/v1/tokens", template: "/api/v1/tokens", as: .writeToken, headers: [.contentType: "application/json"],
                            body: #"{"role":"reader","name":"a b","extra":1}"#, expect: 400)
            try await check(.delete, "/api/v1/tokens/reader:grafana", template: "/api/v1/tokens/{id}", as: .writeToken, expect: 204)
            try await check(.delete, "/api/v1/tokens/reader:grafana", template: "/api/v1/tokens/{id}", as: .writeToken, expect: 404)
            try await check(.delete, "/api/v1/tokens/apac-1", template: "/api/v1/tokens/{id}", as: .writeToken, expect: 400)
            try await check(.post, "/api/v1/reports", template: "/api/v1/reports", headers: [.contentType: "application/json"],
                            body: #"{"service":"contoso","region":"local","client":"owa","symptom":"slow","reporter":"r-1"}"#, expect: 202)
            try await check(.post, "/api/v1/reports", template: "/api/v1/reports", headers: [.contentType: "application/json"],
                            body: #"{"service":"nope"}"#, expect: 400)
            let stamp = UTCTimestamp.format((now / 60_000) * 60_000)
            let lines = #"{"kind":"clients","t":"\#(stamp)","service":"contoso","region":"local","client":"owa","path":"owa","ok":5,"failed":0}"# + "\n{\"kind\":\"nope\"}\n"
            try await check(.post, "/api/v1/telemetry", template: "/api/v1/telemetry", as: .ingestToken,
                            headers: [.contentType: "application/x-ndjson", .idempotencyKey: "k-1"], body: lines, expect: 207)
            try await check(.post, "/api/v1/telemetry", template: "/api/v1/telemetry", expect: 401)
            try await check(.get, "/api/v1/agent/plan", template: "/api/v1/agent/plan", as: .agentToken, expect: 200)
            try await check(.post, "/api/v1/agent/results", template: "/api/v1/agent/results", as: .agentToken,
                            headers: [.contentType: "application/json", .idempotencyKey: "b-1"],
                            body: #"{"agent":"apac-1","region":"apac","results":[]}"#, expect: 200)
            try await check(.post, "/api/v1/agent/results", template: "/api/v1/agent/results", as: .agentToken,
                            headers: [.contentType: "application/json"], body: "not json", expect: 400)
        }
    }

    @Test("the validator finds what is wrong: types, null, booleans versus numbers, required keys, enums, references")
    func validatorCatches() throws {
        let document: [String: Any] = ["components": ["schemas": ["Thing": [
            "type": "object", "required": ["id", "count"],
            "properties": ["id": ["type": "string"], "count": ["type": "integer"], "ok": ["type": "boolean"],
                           "kind": ["type": "string", "enum": ["a", "b"]], "note": ["type": ["string", "null"]],
                           "tags": ["type": "array", "items": ["type": "string"]]]]]]]
        let validator = SchemaValidator(document: document)
        let schema: [String: Any] = ["$ref": "#/components/schemas/Thing"]
        func problems(_ json: String) throws -> [String] {
            validator.validate(try JSONSerialization.jsonObject(with: Data(json.utf8)), schema)
        }
        #expect(try problems(#"{"id":"x","count":3,"ok":true,"kind":"a","note":null,"tags":["t"]}"#).isEmpty)
        #expect(try problems(#"{"id":"x"}"#) == ["$.count is missing"])
        #expect(try problems(#"{"id":1,"count":3}"#) == ["$.id: 1 is not string"])
        #expect(try problems(#"{"id":"x","count":1.5}"#) == ["$.count: 1.5 is not integer"])
        #expect(try problems(#"{"id":"x","count":true}"#).count == 1)
        #expect(try problems(#"{"id":"x","count":1,"ok":1}"#).count == 1)
        #expect(try problems(#"{"id":"x","count":1,"kind":"c"}"#).count == 1)
        #expect(try problems(#"{"id":"x","count":1,"note":5}"#).count == 1)
        #expect(try problems(#"{"id":"x","count":1,"tags":[1]}"#) == ["$.tags[0]: 1 is not string"])
        #expect(try problems("[]").count == 1)
    }
}
