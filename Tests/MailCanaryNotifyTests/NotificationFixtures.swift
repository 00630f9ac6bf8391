import MailCanaryCore
import MailCanaryNotify

/// Incidents and messages the notification tests share.
enum NotificationFixtures {
    static let base: Int64 = 1_764_062_040_000   // 2025-11-25T09:14:00Z
    /// Text a hostile server could put into an error: markup, mentions, JSON and header breakers.
    static let hostile = "<script>alert(1)</script> <!channel> @here *bold* [x](http://evil) \"}], \\ \r\nBcc: victim@example.com ` ``` &amp; é ✓"

    static func incident(status: ServiceHealthStatus = .investigating, paths: [String] = ["mapi-http"], regions: [String] = ["apac"],
                         resolvedMs: Int64? = nil, recoveredMs: Int64? = nil, service: String = "contoso",
                         errors: [String] = [hostile]) -> IncidentDigest {
        IncidentDigest(id: "contoso-20251125-0914", service: service, status: status, openedMs: base, resolvedMs: resolvedMs,
                       recoveredMs: recoveredMs, paths: paths, regions: regions, cause: "server-side", layer: "operation",
                       workaround: "Use Outlook on the web while Outlook for Windows cannot connect.", workaroundClient: "owa",
                       affectedUsers: 412, sampleErrors: errors, advisories: ["EX1189820: Users can't connect <b>"],
                       leadOverAdvisoryMinutes: 43)
    }

    static func message(_ kind: NotificationTransition.Kind = .opened, incident: IncidentDigest = incident()) -> NotificationMessage {
        NotificationMessage(transition: NotificationTransition(kind: kind, key: "\(incident.id)/\(kind.rawValue)", atMs: base,
                                                               summary: "opened (investigating)"),
                            incident: incident, link: "https://mailcanary.example.com/incidents/\(incident.id)")
    }
}
