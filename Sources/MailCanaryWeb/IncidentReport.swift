import MailCanaryCore
import MailCanaryDetection

/// The post-incident report, drawn from what MailCanary measured: executive summary, details,
/// timeline, impact, indicators, response, lessons and recommendations. Every statement comes
/// from the incident's data; where data is missing the report says so rather than guess.
public struct IncidentReport: Sendable {
    public var incident: IncidentView
    public var serviceName: String
    public var tenant: String?
    public var nowMs: Int64

    public init(incident: IncidentView, serviceName: String, tenant: String?, nowMs: Int64) {
        self.incident = incident
        self.serviceName = serviceName
        self.tenant = tenant
        self.nowMs = nowMs
    }

    var pathNames: [String] { incident.paths.map { Vocabulary.path(AccessPath(rawValue: $0)) } }
    var regionNames: String { Vocabulary.regions(incident.regions) }
    var firstPost: (id: String, atMs: Int64)? {
        (incident.advisoryLinks ?? []).compactMap { link in link.firstPostAt.flatMap(UTCTimestamp.parse).map { (link.id, $0) } }
            .min { $0.1 < $1.1 }
    }
    /// Members by the time they joined, with parsed times.
    var members: [(source: String, path: String?, region: String, atMs: Int64)] {
        (incident.members ?? []).compactMap { member in
            member.joinedAt.flatMap(UTCTimestamp.parse).map { (member.source, member.path, member.region, $0) }
        }.sorted { $0.atMs < $1.atMs }
    }

    public func document() -> ReportDocument {
        var doc = ReportDocument(title: "Post-incident report: \(incident.headline)")
        doc.paragraph("\(serviceName) · incident \(incident.id) · prepared \(WebTime.minute(nowMs)) by MailCanary from its measurements; review and complete before signing.")
        summary(&doc)
        details(&doc)
        timeline(&doc)
        impact(&doc)
        indicators(&doc)
        response(&doc)
        lessons(&doc)
        recommendations(&doc)
        return doc
    }

    public func markdown() -> String { document().markdown() }

    public func html() -> String {
        let doc = document()
        return PageLayout.render(title: doc.title, audience: .operators, body: doc.htmlBody())
    }

    // MARK: - Sections

    func summary(_ doc: inout ReportDocument) {
        doc.heading("Executive Summary")
        let end = incident.recoveredMs ?? incident.resolvedMs
        var text = "From \(WebTime.minute(incident.firstAnomalyMs))"
        text += end.map { " to \(WebTime.minute($0)) (\(WebTime.duration(minutes: Double($0 - incident.firstAnomalyMs) / 60_000)))" }
            ?? " until now (\(WebTime.duration(minutes: Double(nowMs - incident.firstAnomalyMs) / 60_000)), still open)"
        text += ", \(lowercasedFirst(incident.headline)): \(Vocabulary.list(pathNames)) failed"
        text += incident.layer.isEmpty ? "" : " at the \(incident.layer) step"
        text += ", cause \(Vocabulary.cause(incident.cause))."
        doc.paragraph(text)
        var detection = "MailCanary opened the incident at \(WebTime.minute(incident.openedMs))"
        var leads: [String] = []
        if let lead = incident.leadOverAdvisoryMinutes, let post = firstPost {
            leads.append("\(WebTime.duration(minutes: lead)) before the provider's first post (\(post.id))")
        }
        if let lead = incident.leadOverReportsMinutes { leads.append("\(WebTime.duration(minutes: lead)) before user reports surged") }
        detection += leads.isEmpty ? "." : ", " + Vocabulary.list(leads) + "."
        doc.paragraph(detection)
        if let workaround = incident.workaround {
            doc.paragraph("\(ClientExperience.publicName(of: workaround.client).prefix(1).uppercased() + ClientExperience.publicName(of: workaround.client).dropFirst()) kept working and was the workaround. About \(incident.affectedUsersEstimate) users were affected; \(incident.reporters) people reported the problem.")
        } else {
            doc.paragraph("No client worked around it: the failing part is shared by every client. About \(incident.affectedUsersEstimate) users were affected; \(incident.reporters) people reported the problem.")
        }
    }

    func details(_ doc: inout ReportDocument) {
        doc.heading("Incident Details")
        var rows: [[String]] = [
            ["Incident", incident.id],
            ["Status", Vocabulary.status(incident.currentStatus) + (incident.isOpen ? " (open)" : "")],
            ["Affected organisation", serviceName + (tenant.map { " (\($0))" } ?? "")],
            ["Discovery time", WebTime.minute(incident.openedMs) + " (MailCanary opened the incident)"],
            ["First anomaly", WebTime.minute(incident.firstAnomalyMs)],
            ["Provider acknowledgement", firstPost.map { "\(WebTime.minute($0.atMs)) (\($0.id))" } ?? "none linked"],
            ["Regions", regionNames],
            ["Access paths", Vocabulary.list(pathNames)],
            ["Cause", Vocabulary.cause(incident.cause)],
            ["Failing layer", incident.layer],
        ]
        if let recovered = incident.recoveredMs { rows.append(["Measured recovery", WebTime.minute(recovered)]) }
        for link in incident.advisoryLinks ?? [] {
            guard let restored = link.restoredAt.flatMap(UTCTimestamp.parse) else { continue }
            var text = "\(WebTime.minute(restored)) (\(link.id))"
            if let recovered = incident.recoveredMs {
                let minutes = Double(restored - recovered) / 60_000
                text += minutes >= 0 ? ", \(WebTime.duration(minutes: minutes)) after the measured recovery"
                                     : ", \(WebTime.duration(minutes: -minutes)) before the measured recovery"
            }
            rows.append(["Provider said restored", text])
        }
        if let resolved = incident.resolvedMs { rows.append(["Resolved", WebTime.minute(resolved)]) }
        doc.table(["Field", "Value"], rows)
    }

    func timeline(_ doc: inout ReportDocument) {
        doc.heading("Timeline")
        doc.table(["Time (UTC)", "Event"], incident.fullTimeline.map { entry in
            let text = entry.author.map { "Response (\($0)): " + entry.text } ?? entry.text
            return [WebTime.minute(entry.atMs), text]
        })
    }

    func impact(_ doc: inout ReportDocument) {
        doc.heading("Impact Assessment")
        var items = [
            "Access paths: \(Vocabulary.list(pathNames)).",
            "Regions: \(regionNames).",
            "Clients affected: \(Vocabulary.list(ClientExperience.affected(by: incident.paths).map(\.name))).",
            "Affected users (estimate): \(incident.affectedUsersEstimate), from distinct users in client telemetry and reporters, or the peak of failed attempts above the baseline in one minute.",
            "People who reported the problem: \(incident.reporters).",
            "Duration: \(WebTime.duration(minutes: incident.durationMinutes(nowMs: nowMs))) from opening to \(incident.isOpen ? "now" : "resolution").",
        ]
        if let workaround = incident.workaround { items.append("Unaffected: \(ClientExperience.publicName(of: workaround.client)) in the same regions.") }
        doc.bullets(items)
    }

    func indicators(_ doc: inout ReportDocument) {
        doc.heading("Indicators")
        doc.bullets([
            "Failing layer: \(incident.layer).",
            "Kind of anomaly: \(Vocabulary.list((incident.anomalyKinds ?? []).map { $0 == "failure" ? "failure rate" : $0 })).",
            "Seen by: \(Vocabulary.list(incident.sources.map { $0 == "probe" ? "synthetic probes" : ($0 == "telemetry" ? "client telemetry and logs" : "user reports") })).",
        ])
        if !incident.sampleErrors.isEmpty {
            doc.paragraph("Error messages seen:")
            doc.table(["Message", "Count"], incident.sampleErrors.map { [$0.message, String($0.count)] })
        }
        if !members.isEmpty {
            doc.paragraph("Series that joined the incident, in order:")
            doc.table(["Joined", "Source", "Access path", "Region"], members.map {
                [WebTime.minute($0.atMs), $0.source, $0.path.map { Vocabulary.path(AccessPath(rawValue: $0)) } ?? "user reports", Vocabulary.region($0.region)]
            })
        }
    }

    func response(_ doc: inout ReportDocument) {
        doc.heading("Response Actions")
        var items = incident.notes.map { note in
            "\(WebTime.minute(note.atMs)), \(note.author): \(note.text)" + (note.status.map { " (status set to \(Vocabulary.status($0)))" } ?? "")
        }
        if let workaround = incident.workaround {
            items.append("Workaround advised by MailCanary from the first minutes: \(workaround.text)")
        }
        if incident.notes.isEmpty {
            items.append("No operator action was recorded in MailCanary; add notes on the incident page so that this section is complete.")
        }
        doc.bullets(items)
    }

    func lessons(_ doc: inout ReportDocument) {
        doc.heading("Lessons Learned")
        var items: [String] = []
        let delay = Double(incident.openedMs - incident.firstAnomalyMs) / 60_000
        items.append("Detection: the incident opened \(WebTime.duration(minutes: delay)) after the first anomaly.")
        if let lead = incident.leadOverAdvisoryMinutes, let post = firstPost {
            items.append(lead > 0 ? "Waiting for the provider would have cost \(WebTime.duration(minutes: lead)): \(post.id) was posted at \(WebTime.minute(post.atMs))."
                                  : "The provider posted \(post.id) before MailCanary opened the incident.")
        } else {
            items.append("No provider advisory was linked: either the provider did not acknowledge it, or its service and feature did not match.")
        }
        if let lead = incident.leadOverReportsMinutes {
            items.append("Users: reports surged \(WebTime.duration(minutes: lead)) after the incident opened; the status page and the workaround could reach them first.")
        }
        let sources = firstJoin()
        if let first = sources.first, sources.count > 1 {
            let others = sources.dropFirst().map { "\(label($0.source)) at \(WebTime.clock($0.atMs))" }
            items.append("\(label(first.source).prefix(1).uppercased() + label(first.source).dropFirst()) saw it first (\(WebTime.clock(first.atMs))), then \(Vocabulary.list(others)).")
        }
        doc.bullets(items)
    }

    func recommendations(_ doc: inout ReportDocument) {
        doc.heading("Recommendations")
        var items: [String] = []
        let sources = firstJoin()
        let probe = sources.first { $0.source == "probe" }
        if probe == nil {
            items.append("Add synthetic probes of \(Vocabulary.list(pathNames)) in \(regionNames): no probe saw this incident, only \(Vocabulary.list(sources.map { label($0.source) })).")
        } else if let probe, let first = sources.first, first.source != "probe" {
            let lag = Double(probe.atMs - first.atMs) / 60_000
            items.append("Probe \(Vocabulary.list(pathNames)) in \(regionNames) more often: the probes joined \(WebTime.duration(minutes: lag)) after \(label(first.source)); a probe every minute would have caught it sooner.")
        } else {
            items.append("Keep the probes of \(Vocabulary.list(pathNames)) in \(regionNames): they caught it first.")
        }
        if let workaround = incident.workaround {
            items.append("Publish the workaround (\(ClientExperience.publicName(of: workaround.client))) on the status page as soon as an incident on \(Vocabulary.list(pathNames)) opens, and tell the help desk.")
        }
        if let lead = incident.leadOverAdvisoryMinutes, lead > 0 {
            items.append("Act on MailCanary's incident rather than the provider's advisory: it was \(WebTime.duration(minutes: lead)) earlier.")
        }
        if incident.cause == "authentication" {
            items.append("Check token lifetimes and the identity provider's health: the failure was in authentication, which every client shares.")
        }
        doc.bullets(items)
    }

    /// The first time each source joined, earliest first.
    func firstJoin() -> [(source: String, atMs: Int64)] {
        var first: [String: Int64] = [:]
        for member in members where first[member.source] == nil { first[member.source] = member.atMs }
        return first.map { ($0.key, $0.value) }.sorted { ($0.atMs, $0.source) < ($1.atMs, $1.source) }
    }

    func label(_ source: String) -> String {
        switch source {
        case "probe": "synthetic probes"
        case "telemetry": "client telemetry"
        case "reports": "user reports"
        default: source
        }
    }

    func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        // Product names keep their capital; only a leading common word is lowered.
        return text.hasPrefix("Mail ") ? first.lowercased() + text.dropFirst() : text
    }
}
