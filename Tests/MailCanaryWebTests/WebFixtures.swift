import Foundation
import MailCanaryCore
import MailCanaryDetection
@testable import MailCanaryWeb

/// Incidents and series for the page tests. `canary` marks every internal string (error texts,
/// hosts, users, path ids in free text) so a test can prove a public page never shows one.
enum WebFixtures {
    static let canary = "CANARY-7f3a"
    static let openedMs = UTCTimestamp.parse("2025-11-25T09:14:00Z")!
    static let nowMs = UTCTimestamp.parse("2025-11-25T10:40:00Z")!

    static func incidentJSON(id: String = "contoso-20251125-0914", resolvedAt: String? = nil, errorText: String? = nil,
                             workaround: Bool = true, paths: [String] = ["mapi-http"], regions: [String] = ["apac", "na"]) -> String {
        let error = errorText ?? "MAPI Connect failed on mapi-\(canary).contoso.internal for user u-\(canary)"
        let cells = paths.flatMap { path in regions.map { "{\"path\":\"\(path)\",\"region\":\"\($0)\"}" } }.joined(separator: ",")
        let quoted = { (items: [String]) in items.map { "\"\($0)\"" }.joined(separator: ",") }
        let workaroundJSON = workaround
            ? "{\"client\":\"owa\",\"text\":\"Use Outlook on the web while classic Outlook cannot connect via host-\(canary) (mapi-http failing).\"}"
            : "null"
        return """
        {"id":"\(id)","service":"contoso","openedAt":"2025-11-25T09:14:00Z","resolvedAt":\(resolvedAt.map { "\"\($0)\"" } ?? "null"),
        "status":"serviceDegradation","paths":[\(quoted(paths))],"regions":[\(quoted(regions))],"scope":[\(cells)],"anomalyKinds":["failure","reports"],
        "cause":"server-side","layer":"operation-\(canary)","workaround":\(workaroundJSON),"advisories":["EX1189820"],
        "advisoryLinks":[{"id":"EX1189820","title":"Users may be unable to access their mailboxes","status":"investigating","firstPostAt":"2025-11-25T09:57:00Z","linkedAt":"2025-11-25T09:57:00Z","leadMinutes":43.0}],
        "members":[{"source":"telemetry","path":"mapi-http","region":"apac","joinedAt":"2025-11-25T09:14:00Z"},
                   {"source":"probe","path":"mapi-http","region":"apac","joinedAt":"2025-11-25T09:18:00Z"},
                   {"source":"reports","path":null,"region":"na","joinedAt":"2025-11-25T09:24:00Z"}],
        "firstAnomalyAt":"2025-11-25T09:12:00Z","recoveredAt":null,"leadOverAdvisoryMinutes":43.0,"leadOverReportsMinutes":10.0,
        "sources":["probe","reports","telemetry"],"affectedUsersEstimate":437,"reporters":35,
        "sampleErrors":[{"message":"\(error.replacingOccurrences(of: "\"", with: "\\\""))","count":120}],
        "timeline":[{"at":"2025-11-25T09:12:00Z","kind":"firstAnomaly","text":"First anomaly: mapi-http apac telemetry on host-\(canary)"},
                    {"at":"2025-11-25T09:14:00Z","kind":"opened","text":"Incident opened (investigating)"}]}
        """
    }

    static func incident(_ json: String = incidentJSON()) -> IncidentView {
        try! IncidentView.decode(json)
    }

    static func snapshot(path: AccessPath?, region: String, source: SignalSource, state: SeriesSnapshot.State = .healthy,
                         lastMinute: Int?, failureMinute: Int? = nil, points: [SeriesPoint] = []) -> SeriesSnapshot {
        SeriesSnapshot(id: SeriesID(service: "contoso", path: path, region: region, source: source), state: state,
                       alarmKind: state == .healthy ? nil : "failure", lastObservedMinute: lastMinute,
                       lastFailureMinute: failureMinute, lastFailureClass: failureMinute == nil ? nil : .server,
                       lastFailedStep: failureMinute == nil ? nil : .operation,
                       lastError: failureMinute == nil ? nil : "error on host-\(canary)", points: points)
    }
}
