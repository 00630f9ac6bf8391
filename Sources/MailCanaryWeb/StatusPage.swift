import MailCanaryCore
import MailCanaryDetection

/// The public status page (`/status`): per service, the state of each client experience, the
/// active incidents with their workaround in plain words, the last 30 days, the report form and
/// the Atom feed. It shows nothing internal: no hosts, no error texts, no users, no path names.
/// Only incidents make an experience "disrupted": an unconfirmed alarm is not news for users.
public struct StatusPage: Sendable {
    public typealias Service = ServiceHealth

    public enum ExperienceState: Sendable, Equatable {
        case operational
        case disrupted(regions: [String])
        case unknown

        var cssClass: String {
            switch self {
            case .operational: "exp-operational"
            case .disrupted: "exp-disrupted"
            case .unknown: "exp-unknown"
            }
        }

        var words: String {
            switch self {
            case .operational: "Operational"
            case .disrupted(let regions): regions.isEmpty ? "Disrupted" : "Disrupted in " + Vocabulary.regions(regions)
            case .unknown: "No recent data"
            }
        }
    }

    public var services: [Service]
    /// Incidents of the last 30 days (open ones included).
    public var incidents: [IncidentView]
    public var reportRegions: [String]
    public var nowMs: Int64
    /// When the incidents were read, when that was not now (the store stopped answering and the
    /// page shows the last list it gave): the page says so.
    public var incidentsAsOfMs: Int64?

    public init(services: [Service], incidents: [IncidentView], reportRegions: [String], nowMs: Int64) {
        self.services = services
        self.incidents = incidents
        self.reportRegions = reportRegions
        self.nowMs = nowMs
    }

    /// The experiences a service has (seen or probed), each with its state.
    public func experiences(of service: Service) -> [(experience: ClientExperience, state: ExperienceState)] {
        let open = incidents.filter { $0.service == service.id && $0.isOpen }
        return ClientExperience.all.compactMap { experience in
            let regions = Set(open.flatMap { incident in
                incident.cells.filter { cell in
                    let path = AccessPath(rawValue: cell.path)
                    return experience.paths.contains(path) || ClientExperience.shared.contains(path)
                }.map(\.region)
            }).sorted()
            if !regions.isEmpty { return (experience, .disrupted(regions: regions)) }
            switch service.matrix.state(of: experience) {
            case .noData:
                let known = service.matrix.rows.contains { $0.path.map(experience.paths.contains) ?? false }
                return known ? (experience, .unknown) : nil
            case .stale: return (experience, .unknown)
            case .healthy, .degraded, .failing: return (experience, .operational)
            }
        }
    }

    public func render() -> String {
        var body = "<h1>Mail service status</h1><p class=\"muted small\">Updated \(WebTime.minute(nowMs)). "
        body += "<a href=\"/status/feed.atom\">Subscribe (Atom feed)</a></p>"
        if let asOf = incidentsAsOfMs {
            body += "<p class=\"banner banner-unknown\">Incidents as of \(WebTime.minute(asOf)): our monitoring cannot reach its records "
                + "right now, so newer incidents and changes may be missing.</p>"
        }
        for service in services {
            let experiences = experiences(of: service)
            let open = incidents.filter { $0.service == service.id && $0.isOpen }
            body += "<section><h2>\(HTML.escape(service.name))</h2>"
            if !open.isEmpty {
                body += "<div class=\"banner banner-bad\">Some people have problems with \(HTML.escape(service.name)) right now.</div>"
            } else if experiences.isEmpty || experiences.allSatisfy({ $0.state == .unknown }) {
                body += "<div class=\"banner banner-unknown\">We have no recent data for \(HTML.escape(service.name)).</div>"
            } else {
                body += "<div class=\"banner banner-ok\">\(HTML.escape(service.name)) is working normally.</div>"
            }
            body += "<table><thead><tr><th>What you use</th><th>State</th></tr></thead><tbody>"
            for (experience, state) in experiences {
                body += "<tr><td>\(HTML.escape(experience.name))</td><td class=\"state \(state.cssClass)\">\(HTML.escape(state.words))</td></tr>"
            }
            body += "</tbody></table>"
            for incident in open {
                body += "<h3>\(HTML.escape(incident.headline))</h3>"
                body += "<p>Since \(WebTime.minute(incident.openedMs)) · \(HTML.escape(Vocabulary.status(incident.currentStatus)))</p>"
                if let workaround = incident.publicWorkaround {
                    body += "<div class=\"workaround\"><strong>What you can do:</strong> \(HTML.escape(workaround))</div>"
                }
            }
            body += history(service)
            body += "</section>"
        }
        body += "<h2>Report a problem</h2><p>Something not working for you? Tell us; no account is needed.</p>"
        body += ReportForm.render(services: services.map { ($0.id, $0.name) }, regions: reportRegions)
        let head = "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Mail service status\" href=\"/status/feed.atom\">"
        return PageLayout.render(title: "Mail service status", audience: .publicPages, body: body, refreshSeconds: 60, extraHead: head)
    }

    func history(_ service: Service) -> String {
        let day = Int64(86_400_000)
        let today = nowMs / day
        let mine = incidents.filter { $0.service == service.id }
        var html = "<h3>Last 30 days</h3><div class=\"days\">"
        var past: [IncidentView] = []
        for offset in stride(from: 29, through: 0, by: -1) {
            let start = (today - Int64(offset)) * day, end = start + day
            let hit = mine.filter { $0.openedMs < end && ($0.resolvedMs ?? nowMs) >= start }
            let label = WebTime.day(start) + (hit.isEmpty ? ": no incidents" : ": " + hit.map(\.headline).joined(separator: "; "))
            html += "<span class=\"day\(hit.isEmpty ? "" : " day-incident")\" title=\"\(HTML.escape(label))\"></span>"
        }
        html += "</div>"
        past = mine.filter { !$0.isOpen }.sorted { $0.openedMs > $1.openedMs }
        if past.isEmpty {
            html += "<p class=\"muted\">No past incidents in the last 30 days.</p>"
        } else {
            html += "<ul>"
            for incident in past {
                html += "<li>\(WebTime.day(incident.openedMs)): \(HTML.escape(incident.headline)), "
                html += "\(WebTime.duration(minutes: incident.durationMinutes(nowMs: nowMs))), resolved</li>"
            }
            html += "</ul>"
        }
        return html
    }
}
