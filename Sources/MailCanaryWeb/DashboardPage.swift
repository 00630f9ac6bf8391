import MailCanaryCore
import MailCanaryDetection

/// The operators' dashboard (`/`): per service a health matrix of access paths × regions, then
/// the incidents, open first. Server-rendered, no script; it refreshes itself every minute.
public struct DashboardPage: Sendable {
    public typealias Service = ServiceHealth

    public var services: [Service]
    public var incidents: [IncidentView]
    public var nowMs: Int64
    /// Who is signed in (nil: anonymous read access).
    public var account: PageLayout.Account?
    /// False while detection replays stored history after a start: cells say so.
    public var warmedUp: Bool
    /// The provider's advisories as last polled (empty when none are followed).
    public var advisories: [AdvisoryRow] = []

    /// One provider advisory beside what MailCanary saw.
    public struct AdvisoryRow: Sendable, Equatable {
        public var id: String
        public var title: String
        public var status: String
        public var isResolved: Bool
        public var firstPostMs: Int64?
        public var incidents: [String]
        public var possiblyRelated: [String]

        public init(id: String, title: String, status: String, isResolved: Bool, firstPostMs: Int64?, incidents: [String], possiblyRelated: [String]) {
            self.id = id
            self.title = title
            self.status = status
            self.isResolved = isResolved
            self.firstPostMs = firstPostMs
            self.incidents = incidents
            self.possiblyRelated = possiblyRelated
        }
    }

    public init(services: [Service], incidents: [IncidentView], nowMs: Int64, warmedUp: Bool = true) {
        self.services = services
        self.incidents = incidents
        self.nowMs = nowMs
        self.warmedUp = warmedUp
    }

    public func render() -> String {
        var body = "<h1>Mail access health</h1>"
        body += "<p class=\"muted small\">As of \(WebTime.minute(nowMs)). Cells show the worst of probes and client telemetry for the path in the region; "
        body += "a cell not observed for 10 minutes is <span class=\"state state-stale\">stale</span>, never green.</p>"
        if !warmedUp { body += "<p class=\"banner banner-unknown\">Detection is replaying stored history; states fill in shortly.</p>" }
        let open = incidents.filter(\.isOpen)
        if !open.isEmpty {
            body += "<div class=\"banner banner-bad\">\(open.count == 1 ? "1 open incident" : "\(open.count) open incidents"): "
            body += open.map { "<a href=\"/incidents/\(HTML.query($0.id))\">\(HTML.escape($0.headline))</a>" }.joined(separator: "; ")
            body += "</div>"
        }
        for service in services {
            body += "<section><h2>\(HTML.escape(service.name)) <span class=\"muted small\">(\(HTML.escape(service.id)))</span></h2>"
            body += matrixTable(service)
            body += "</section>"
        }
        body += "<h2>Incidents</h2>" + incidentTable()
        if !advisories.isEmpty { body += "<h2>Provider advisories</h2>" + advisoryTable() }
        return PageLayout.render(title: "MailCanary dashboard", audience: .operators, body: body, refreshSeconds: 60, account: account)
    }

    /// The provider's word beside ours: which incident an advisory matches, or that we do not see it.
    func advisoryTable() -> String {
        var html = "<div class=\"scroll\"><table><thead><tr><th>Advisory</th><th>Title</th><th>Provider status</th><th>First post</th>"
        html += "<th>Seen by MailCanary</th></tr></thead><tbody>"
        for row in advisories {
            let seen = row.incidents.isEmpty ? "<span class=\"muted\">not seen here</span>"
                : row.incidents.map { "<a href=\"/incidents/\(HTML.query($0))\">\(HTML.escape($0))</a>" }.joined(separator: ", ")
            let related = row.possiblyRelated.isEmpty ? "" : "<div class=\"small muted\">possibly related: \(HTML.escape(row.possiblyRelated.joined(separator: ", ")))</div>"
            html += "<tr><td>\(HTML.escape(row.id))</td><td>\(HTML.escape(row.title))\(related)</td>"
            html += "<td>\(HTML.escape(row.status))\(row.isResolved ? " (resolved)" : "")</td>"
            html += "<td>\(row.firstPostMs.map(WebTime.minute) ?? "")</td><td>\(seen)</td></tr>"
        }
        return html + "</tbody></table></div>"
    }

    func matrixTable(_ service: Service) -> String {
        let matrix = service.matrix
        guard !matrix.rows.isEmpty else { return "<p class=\"muted\">No probes configured and no signals seen yet.</p>" }
        var html = "<div class=\"scroll\"><table class=\"matrix\"><thead><tr><th scope=\"col\">Access path</th>"
        for region in matrix.regions {
            html += "<th scope=\"col\">\(HTML.escape(Vocabulary.region(region))) <span class=\"muted small\">\(HTML.escape(region))</span></th>"
        }
        html += "</tr></thead><tbody>"
        for row in matrix.rows {
            html += "<tr><th scope=\"row\">\(HTML.escape(row.label))</th>"
            for cell in row.cells {
                html += "<td class=\"cell-\(cell.state.rawValue)\">"
                let link = "/series?service=\(HTML.query(service.id))&amp;path=\(HTML.query(cell.path?.rawValue ?? "reports"))&amp;region=\(HTML.query(cell.region))"
                html += cell.state == .noData ? "<span class=\"state state-no-data\">no data</span>"
                    : "<a class=\"state state-\(cell.state.rawValue)\" href=\"\(link)\">\(cell.state.words)</a>"
                if let age = cell.ageMinutes, cell.state == .stale {
                    html += "<div class=\"small muted\">last seen \(WebTime.duration(minutes: Double(age))) ago</div>"
                }
                if cell.failureClass != nil || cell.failedStep != nil, let minute = cell.lastFailureMinute {
                    let what = [cell.failureClass?.rawValue, cell.failedStep.map { "at \($0.rawValue)" }].compactMap { $0 }.joined(separator: " ")
                    html += "<div class=\"small\">last failure: \(HTML.escape(what)) · \(WebTime.clock(Int64(minute) * 60_000))</div>"
                }
                if let incident = cell.incidentID {
                    html += "<div class=\"small\"><a href=\"/incidents/\(HTML.query(incident))\">incident</a></div>"
                }
                if !cell.sources.isEmpty {
                    html += "<div class=\"small muted\">\(HTML.escape(Set(cell.sources).sorted().map(\.rawValue).joined(separator: " + ")))</div>"
                }
                html += "</td>"
            }
            html += "</tr>"
        }
        return html + "</tbody></table></div>"
    }

    func incidentTable() -> String {
        guard !incidents.isEmpty else { return "<p class=\"muted\">No incidents.</p>" }
        var html = "<div class=\"scroll\"><table><thead><tr><th>Opened</th><th>Incident</th><th>Status</th><th>Scope</th><th>Cause</th><th>Workaround</th></tr></thead><tbody>"
        let ordered = incidents.filter(\.isOpen) + incidents.filter { !$0.isOpen }
        for incident in ordered {
            html += "<tr><td>\(WebTime.minute(incident.openedMs))</td>"
            html += "<td><a href=\"/incidents/\(HTML.query(incident.id))\">\(HTML.escape(incident.headline))</a> "
            html += incident.isOpen ? "<span class=\"badge badge-open\">open</span>" : "<span class=\"badge badge-resolved\">resolved</span>"
            html += "<div class=\"small muted\">\(HTML.escape(incident.service)) · \(HTML.escape(incident.id))</div></td>"
            html += "<td>\(HTML.escape(Vocabulary.status(incident.currentStatus)))</td>"
            html += "<td>\(HTML.escape(incident.paths.joined(separator: ", "))) in \(HTML.escape(incident.regions.joined(separator: ", ")))</td>"
            html += "<td>\(HTML.escape(incident.cause))</td>"
            html += "<td>\(incident.workaround.map { HTML.escape(ClientExperience.publicName(of: $0.client)) } ?? "none")</td></tr>"
        }
        return html + "</tbody></table></div>"
    }
}
