import Foundation
import NIOConcurrencyHelpers

/// The Microsoft Graph service communications API (`/v1.0/admin/serviceAnnouncement/…`,
/// exchange-protocols.md §1) as the test server serves it: issues with paging through
/// `@odata.nextLink` (§1.1, §1.9), one issue, its post-incident review (only once the status is
/// PostIncidentReviewPublished, §1.1), health overviews (§1.3) and message-center posts (§1.7).
/// Tests replace the issues between polls (an issue that changes status over several polls)
/// and script faults for the next requests: an expired token (401 InvalidAuthenticationToken),
/// throttling (429 with Retry-After), 503, 500, a hung answer and malformed JSON.
public final class ServiceCommunicationsFeed: Sendable {
    public enum Fault: Sendable, Equatable {
        case expiredToken
        case throttled(retryAfterSeconds: Int)
        case unavailable(retryAfterSeconds: Int?)
        case serverError
        /// Answers correctly, but only after this many milliseconds.
        case hang(milliseconds: Int)
        case malformed
    }

    struct State {
        var issues: [String] = []
        var health: [String] = []
        var messages: [String] = []
        var faults: [Fault] = []
        var pageSize = 2
        var log: [String] = []
    }

    private let state = NIOLockedValueBox(State())
    let accessToken: String

    public init(accessToken: String = "lab-access-token") {
        self.accessToken = accessToken
        state.withLockedValue {
            $0.issues = Self.fixtureIssues
            $0.health = Self.fixtureHealth
            $0.messages = Self.fixtureMessages
        }
    }

    /// The issues the next requests see: raw JSON objects, as Graph sends them.
    public func publish(issues: [String]) { state.withLockedValue { $0.issues = issues } }
    public func publish(health: [String]) { state.withLockedValue { $0.health = health } }
    public func publish(messages: [String]) { state.withLockedValue { $0.messages = messages } }
    /// Faults for the next requests, one each, in order.
    public func script(_ faults: [Fault]) { state.withLockedValue { $0.faults = faults } }
    public var pageSize: Int {
        get { state.withLockedValue { $0.pageSize } }
        set { state.withLockedValue { $0.pageSize = newValue } }
    }

    /// `METHOD path?query → status` of every request.
    public var log: [String] { state.withLockedValue { $0.log } }

    func respond(to request: ExchangeRequest) -> (reply: ExchangeReply, delayMs: Int) {
        let (reply, delay) = answer(request)
        let query = request.query.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        state.withLockedValue { $0.log.append("\(request.method) \(request.path)\(query.isEmpty ? "" : "?" + query) → \(reply.status)") }
        return (reply, delay)
    }

    private func answer(_ request: ExchangeRequest) -> (ExchangeReply, Int) {
        func error(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = []) -> ExchangeReply {
            .text(status, #"{"error":{"code":"\#(code)","message":"\#(message)","innerError":{"date":"2025-11-25T09:00:00","request-id":"00000000-0000-4000-8000-000000000000"}}}"#,
                  type: "application/json", headers: headers)
        }
        guard request.header("Authorization") == "Bearer \(accessToken)" else {
            return (error(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."), 0)
        }
        var delay = 0
        switch state.withLockedValue({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) {
        case .expiredToken?:
            return (error(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."), 0)
        case .throttled(let seconds)?:
            return (error(429, "TooManyRequests", "Too many requests.", headers: [("Retry-After", String(seconds))]), 0)
        case .unavailable(let seconds)?:
            return (error(503, "ServiceUnavailable", "Service unavailable.", headers: seconds.map { [("Retry-After", String($0))] } ?? []), 0)
        case .serverError?:
            return (error(500, "generalException", "An unexpected error occurred."), 0)
        case .malformed?:
            return (.text(200, #"{"value":[{"id":"EX1","#, type: "application/json"), 0)
        case .hang(let milliseconds)?:
            delay = milliseconds
        case nil:
            break
        }
        let base = "/v1.0/admin/serviceannouncement"
        let path = request.path.lowercased()
        let snapshot = state.withLockedValue { $0 }
        guard request.method == "GET" else { return (error(405, "Request_BadRequest", "Only GET is served here."), delay) }
        if path == base + "/issues" {
            let skip = Int(request.query["$skiptoken"] ?? "0") ?? 0
            let page = Array(snapshot.issues.dropFirst(skip).prefix(snapshot.pageSize))
            var body = #"{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues","value":["#
            body += page.joined(separator: ",") + "]"
            if skip + page.count < snapshot.issues.count {
                let host = request.header("Host") ?? "graph.microsoft.com"
                body += #","@odata.nextLink":"https://\#(host)/v1.0/admin/serviceAnnouncement/issues?$skiptoken=\#(skip + page.count)""#
            }
            return (.text(200, body + "}", type: "application/json"), delay)
        }
        if path.hasPrefix(base + "/issues/") {
            let rest = String(request.path.dropFirst((base + "/issues/").count))
            let parts = rest.split(separator: "/").map(String.init)
            guard let id = parts.first, let issue = snapshot.issues.first(where: { $0.contains(#""id":"\#(id)""#) }) else {
                return (error(404, "NotFound", "The requested issue was not found."), delay)
            }
            if parts.count == 2, parts[1].lowercased() == "incidentreport" {
                guard issue.range(of: #""status":"postincidentreviewpublished""#, options: .caseInsensitive) != nil else {
                    return (error(404, "NotFound", "No post-incident review has been published for this issue."), delay)
                }
                return (.full(status: 200, headers: [("Content-Type", "application/octet-stream")],
                              body: Array("%PDF-1.4 post-incident review of \(id)".utf8)), delay)
            }
            return (.text(200, issue, type: "application/json"), delay)
        }
        if path == base + "/healthoverviews" {
            return (.text(200, #"{"value":["# + snapshot.health.joined(separator: ",") + "]}", type: "application/json"), delay)
        }
        if path == base + "/messages" {
            return (.text(200, #"{"value":["# + snapshot.messages.joined(separator: ",") + "]}", type: "application/json"), delay)
        }
        return (error(400, "BadRequest", "Resource not found for the segment."), delay)
    }

    /// The documentation's example issue (§1.9) and the two concurrent November 2025 issues as
    /// first posted (PascalCase, as the live API sends them).
    public static let fixtureIssues: [String] = [
        #"{"startDateTime":"2020-11-13T21:00:00Z","endDateTime":"2020-11-14T17:15:00Z","lastModifiedDateTime":"2020-11-14T18:20:24.767Z","title":"Limited number of users unable to send or receive email through the Exchange Online service","id":"EX226792","impactDescription":"Users may have been unable to send or receive email through the Exchange Online service.","classification":"Incident","origin":"Microsoft","status":"ServiceRestored","service":"Exchange Online","feature":"Mailflow - delayed delivery from Internet","featureGroup":"E-Mail timely delivery","isResolved":true,"details":[{"name":"NotifyInApp","value":"True"}],"posts":[{"createdDateTime":"2020-11-12T07:07:38.97Z","postType":"Regular","description":{"contentType":"Html","content":"Title: Limited number of users unable to send or receive email through the Exchange Online service\n\nUser Impact: Users may be unable to send or receive email through the Exchange Online service."}}]}"#,
        november2025(id: "EX1189820", status: "Investigating", modified: "2025-11-25T10:05:00Z", posts: 1),
        november2025(id: "EX1189768", status: "Investigating", modified: "2025-11-25T10:02:00Z", posts: 1,
                     title: "Some users may be unable to access their mailbox using Outlook for Windows"),
    ]

    /// A November 2025 issue at one of its versions.
    public static func november2025(id: String, status: String, modified: String, posts: Int, resolved: Bool = false,
                                    title: String = "Users in Asia Pacific and North America can't connect to Exchange Online using classic Outlook") -> String {
        let texts = [
            "Title: \(title)\n\nUser impact: Users may be unable to connect using classic Outlook for Windows. Outlook on the web is unaffected.",
            "We've identified a recent configuration change to infrastructure serving Asia Pacific and North America and we're reverting it.",
            "The revert has completed and we've confirmed that impact is remediated.",
        ]
        let times = ["2025-11-25T09:57:00Z", "2025-11-25T11:30:00Z", "2025-11-25T14:10:00Z"]
        let postList = (0..<min(posts, 3)).map { index in
            #"{"createdDateTime":"\#(times[index])","postType":"Regular","description":{"contentType":"Html","content":"\#(texts[index].replacingOccurrences(of: "\n", with: "\\n"))"}}"#
        }
        return #"{"startDateTime":"2025-11-25T09:40:00Z","endDateTime":\#(resolved ? "\"2025-11-25T14:05:00Z\"" : "null"),"lastModifiedDateTime":"\#(modified)","title":"\#(title)","id":"\#(id)","impactDescription":"Users may be unable to connect to Exchange Online using classic Outlook for Windows.","classification":"Incident","origin":"Microsoft","status":"\#(status)","service":"Exchange Online","feature":"E-Mail and calendar access","featureGroup":"Networking Issues","isResolved":\#(resolved),"details":[],"posts":[\#(postList.joined(separator: ","))]}"#
    }

    public static let fixtureHealth: [String] = [
        #"{"service":"Exchange Online","status":"ServiceDegradation","id":"Exchange"}"#,
        #"{"service":"Microsoft 365 suite","status":"ServiceOperational","id":"OSDPPlatform"}"#,
    ]

    /// A planned change from the message center (§1.7: planned maintenance is posted there, category planForChange).
    public static let fixtureMessages: [String] = [
        #"{"startDateTime":"2025-11-28T22:00:00Z","endDateTime":"2025-11-29T02:00:00Z","lastModifiedDateTime":"2025-11-20T08:00:00Z","title":"Planned maintenance: Exchange Online authentication endpoints","id":"MC900001","category":"PlanForChange","severity":"Normal","tags":["Admin impact"],"isMajorChange":false,"actionRequiredByDateTime":null,"services":["Exchange Online"],"body":{"contentType":"Html","content":"Maintenance on Exchange Online authentication endpoints."},"details":[]}"#,
        #"{"startDateTime":"2025-11-01T00:00:00Z","endDateTime":"2025-12-31T00:00:00Z","lastModifiedDateTime":"2025-11-01T08:00:00Z","title":"New feature: message recall","id":"MC900002","category":"StayInformed","severity":"Normal","tags":[],"isMajorChange":false,"actionRequiredByDateTime":null,"services":["Exchange Online"],"body":{"contentType":"Html","content":"Message recall is rolling out."},"details":[]}"#,
    ]
}
