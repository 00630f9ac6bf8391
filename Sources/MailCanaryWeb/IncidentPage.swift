import MailCanaryCore
import MailCanaryDetection

/// One incident for operators: scope, cause, workaround, advisories and lead times, charts of the
/// affected series with the incident shaded, error samples, and the timeline with the
/// operators' notes; links to the post-incident report.
public struct IncidentPage: Sendable {
    public var incident: IncidentView
    public var charts: [SeriesChart]
    public var nowMs: Int64
    public var account: PageLayout.Account?
    /// Set for administrators: the session's form token for the action forms.
    public var actionToken: String?
    /// What was sent about this incident, newest first.
    public var notifications: [NotificationRow] = []

    public struct NotificationRow: Sendable, Equatable {
        public var channel: String
        public var event: String
        public var status: String
        public var attempts: Int
        public var atMs: Int64
        public var result: String?

        public init(channel: String, event: String, status: String, attempts: Int, atMs: Int64, result: String?) {
            self.channel = channel
            self.event = event
            self.status = status
            self.attempts = attempts
            self.atMs = atMs
            self.result = result
        }
    }

    /// The statuses an operator may set (the provider's vocabulary).
    public static let settableStatuses = ["investigating", "serviceDegradation", "serviceInterruption", "restoringService",
                                          "verifyingService", "extendedRecovery", "serviceRestored", "falsePositive"]

    public init(incident: IncidentView, charts: [SeriesChart], nowMs: Int64) {
        self.incident = incident
        self.charts = charts
        self.nowMs = nowMs
    }

    public func render() -> String {
        let incident = self.incident
        var body = "<h1>\(HTML.escape(incident.headline))</h1>"
        body += "<p>" + (incident.isOpen ? "<span class=\"badge badge-open\">open</span>" : "<span class=\"badge badge-resolved\">resolved</span>")
        body += " \(HTML.escape(Vocabulary.status(incident.currentStatus))) · <span class=\"muted\">\(HTML.escape(incident.id))</span></p>"
        if let workaround = incident.workaround {
            body += "<div class=\"workaround\"><strong>Workaround:</strong> \(HTML.escape(workaround.text))</div>"
        } else {
            body += "<div class=\"banner banner-unknown\">No workaround: every client shares the failing part (\(HTML.escape(incident.layer))).</div>"
        }
        body += "<dl class=\"facts\">"
        func fact(_ name: String, _ value: String) { body += "<dt>\(name)</dt><dd>\(value)</dd>" }
        fact("Service", HTML.escape(incident.service))
        fact("First anomaly", WebTime.minute(incident.firstAnomalyMs))
        fact("Opened", WebTime.minute(incident.openedMs))
        if let recovered = incident.recoveredMs { fact("Measured recovery", WebTime.minute(recovered)) }
        if let resolved = incident.resolvedMs { fact("Resolved", WebTime.minute(resolved)) }
        fact("Duration", WebTime.duration(minutes: incident.durationMinutes(nowMs: nowMs)) + (incident.isOpen ? " so far" : ""))
        fact("Scope", incident.cells.map { "\(HTML.escape(Vocabulary.path(AccessPath(rawValue: $0.path)))) in \(HTML.escape(Vocabulary.region($0.region)))" }
            .joined(separator: "<br>"))
        fact("Cause", HTML.escape(Vocabulary.cause(incident.cause)))
        fact("Failing layer", HTML.escape(incident.layer))
        fact("Seen by", HTML.escape(incident.sources.joined(separator: ", ")))
        fact("Affected users (estimate)", "\(incident.affectedUsersEstimate)")
        fact("People who reported it", "\(incident.reporters)")
        if let lead = incident.leadOverAdvisoryMinutes {
            fact("Ahead of the provider", "\(WebTime.duration(minutes: lead)) before the provider's first post")
        }
        if let lead = incident.leadOverReportsMinutes {
            fact("Ahead of users", "\(WebTime.duration(minutes: lead)) before user reports surged")
        }
        if let concurrent = incident.concurrent, !concurrent.isEmpty {
            fact("Concurrent, same cause", concurrent.map { link in
                "<a href=\"/incidents/\(HTML.query(link.id))\">\(HTML.escape(link.id))</a> (\(HTML.escape(link.service)))"
            }.joined(separator: "<br>"))
        }
        body += "</dl>"
        body += "<p><a href=\"/incidents/\(HTML.query(incident.id))/report.md\">Post-incident report (Markdown)</a> · "
        body += "<a href=\"/incidents/\(HTML.query(incident.id))/report.html\">(HTML)</a></p>"

        if let token = actionToken { body += actions(token) }

        body += "<h2>Provider advisories</h2>"
        let links = incident.advisoryLinks ?? incident.advisories.map { IncidentView.AdvisoryView(id: $0, title: "", status: "", firstPostAt: nil, leadMinutes: nil) }
        if links.isEmpty {
            body += "<p class=\"muted\">No provider advisory matches this incident (yet).</p>"
        } else {
            body += "<div class=\"scroll\"><table><thead><tr><th>Advisory</th><th>Title</th><th>Provider status</th><th>First post</th><th>MailCanary ahead by</th>"
            body += "<th>Provider said restored</th></tr></thead><tbody>"
            for link in links {
                body += "<tr><td>\(HTML.escape(link.id))</td><td>\(HTML.escape(link.title))</td><td>\(HTML.escape(link.status))</td>"
                body += "<td>\(link.firstPostAt.flatMap(UTCTimestamp.parse).map(WebTime.minute) ?? "")</td>"
                body += "<td>\(link.leadMinutes.map { WebTime.duration(minutes: $0) } ?? "")</td>"
                var restored = ""
                if let at = link.restoredAt.flatMap(UTCTimestamp.parse) {
                    restored = WebTime.minute(at)
                    if let recovered = incident.recoveredMs {
                        let minutes = Double(at - recovered) / 60_000
                        restored += " (\(WebTime.duration(minutes: abs(minutes))) \(minutes >= 0 ? "after" : "before") the measured recovery)"
                    }
                }
                body += "<td>\(restored)</td></tr>"
            }
            body += "</tbody></table></div>"
        }

        if !charts.isEmpty {
            body += "<h2>Affected series</h2><p class=\"muted small\">Observed (solid) against the baseline's expectation (dashed); the incident is shaded.</p>"
            for chart in charts { body += chart.svg() }
        }

        body += "<h2>Error samples</h2>"
        if incident.sampleErrors.isEmpty {
            body += "<p class=\"muted\">No error text was reported.</p>"
        } else {
            body += "<table><thead><tr><th>Message</th><th>Count</th></tr></thead><tbody>"
            for sample in incident.sampleErrors { body += "<tr><td>\(HTML.escape(sample.message))</td><td>\(sample.count)</td></tr>" }
            body += "</tbody></table>"
        }

        body += "<h2>Timeline</h2><ol class=\"timeline\">"
        for entry in incident.fullTimeline {
            let who = entry.author.map { " <span class=\"muted small\">(\(HTML.escape($0)))</span>" } ?? ""
            body += "<li><time>\(WebTime.minute(entry.atMs))</time> — \(HTML.escape(entry.text))\(who)</li>"
        }
        body += "</ol>"
        if !notifications.isEmpty {
            body += "<h2>Notifications</h2><div class=\"scroll\"><table><thead><tr><th>When</th><th>Channel</th><th>Event</th><th>Status</th>"
            body += "<th>Attempts</th><th>Last result</th></tr></thead><tbody>"
            for row in notifications {
                body += "<tr><td>\(WebTime.minute(row.atMs))</td><td>\(HTML.escape(row.channel))</td><td>\(HTML.escape(row.event))</td>"
                body += "<td>\(HTML.escape(row.status))</td><td>\(row.attempts)</td><td>\(HTML.escape(row.result ?? ""))</td></tr>"
            }
            body += "</tbody></table></div>"
        }
        return PageLayout.render(title: "Incident: \(incident.headline)", audience: .operators, body: body, account: account)
    }

    /// Acknowledge, change status, add a note, resolve: each a form with the session's token.
    func actions(_ token: String) -> String {
        let target = "/incidents/\(HTML.query(incident.id))/actions"
        func form(_ action: String, _ inner: String) -> String {
            "<form class=\"actions\" method=\"post\" action=\"\(target)\"><input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(token))\">"
                + "<input type=\"hidden\" name=\"action\" value=\"\(action)\">\(inner)</form>"
        }
        var html = "<h2>Actions</h2>"
        html += form("acknowledge", "<button type=\"submit\">Acknowledge</button> <span class=\"muted small\">records that you are on it</span>")
        var options = ""
        for status in Self.settableStatuses {
            options += "<option value=\"\(status)\"\(status == incident.currentStatus ? " selected" : "")>\(HTML.escape(Vocabulary.status(status)))</option>"
        }
        html += form("status", "<label for=\"status\">Status</label> <select id=\"status\" name=\"status\">\(options)</select> "
                     + "<input name=\"text\" maxlength=\"4000\" placeholder=\"why (optional)\"> <button type=\"submit\">Set status</button>")
        html += form("note", "<label for=\"note\">Note</label><textarea id=\"note\" name=\"text\" rows=\"3\" maxlength=\"4000\" required></textarea>"
                     + "<button type=\"submit\">Add note</button>")
        html += form("resolve", "<input name=\"text\" maxlength=\"4000\" placeholder=\"what fixed it (optional)\"> <button type=\"submit\">Resolve</button>")
        return html
    }
}
