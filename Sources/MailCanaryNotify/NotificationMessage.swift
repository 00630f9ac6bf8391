import MailCanaryCore

/// One message about one transition, channel-neutral: what the outbox stores and each channel
/// renders. Facts are plain text; target-derived text (error samples, advisory titles) is kept
/// raw and escaped by each channel for its format.
public struct NotificationMessage: Sendable, Equatable, Codable {
    public var transition: NotificationTransition
    public var incident: IncidentDigest
    /// The incident's page on the dashboard, when `notifications.dashboard_url` is set.
    public var link: String?
    /// The maintenance window that muted it, if one did.
    public var mutedBy: String?

    public init(transition: NotificationTransition, incident: IncidentDigest, link: String? = nil, mutedBy: String? = nil) {
        self.transition = transition
        self.incident = incident
        self.link = link
        self.mutedBy = mutedBy
    }

    /// One line: "[MailCanary] contoso: mapi-http, autodiscover in apac, na: opened (service interruption)".
    public var headline: String {
        let scope = incident.paths.isEmpty ? "user reports" : incident.paths.joined(separator: ", ")
        let regions = incident.regions.isEmpty ? "" : " in \(incident.regions.joined(separator: ", "))"
        let lead = transition.kind == .test ? "test message" : transition.summary
        return "[MailCanary] \(incident.service): \(scope)\(regions): \(lead)"
    }

    /// The facts in order, as label and value.
    public var facts: [(label: String, value: String)] {
        var facts: [(String, String)] = [
            ("Incident", incident.id),
            ("Status", NotificationPlanner.words(incident.status)),
            ("Scope", (incident.paths.isEmpty ? "user reports" : incident.paths.joined(separator: ", "))
                + (incident.regions.isEmpty ? "" : " in " + incident.regions.joined(separator: ", "))),
            ("Cause", incident.cause + (incident.layer.map { " (failing layer: \($0))" } ?? "")),
        ]
        if let workaround = incident.workaround { facts.append(("Workaround", workaround)) }
        facts.append(("Opened", UTCTimestamp.format(incident.openedMs)))
        if let resolved = incident.resolvedMs {
            facts.append(("Resolved", UTCTimestamp.format(resolved)))
            facts.append(("Duration", Self.duration(resolved - incident.openedMs)))
        }
        if incident.affectedUsers > 0 { facts.append(("Affected users (estimate)", String(incident.affectedUsers))) }
        if !incident.advisories.isEmpty { facts.append(("Provider advisories", incident.advisories.joined(separator: "; "))) }
        if let lead = incident.leadOverAdvisoryMinutes { facts.append(("Ahead of the provider", "\(Int(lead.rounded())) min")) }
        if let mutedBy { facts.append(("Muted by", mutedBy)) }
        return facts
    }

    /// Error samples as targets sent them: untrusted text.
    public var samples: [String] { Array(incident.sampleErrors.prefix(3)) }

    static func duration(_ ms: Int64) -> String {
        let minutes = max(0, ms) / 60_000
        return minutes >= 60 ? "\(minutes / 60) h \(minutes % 60) min" : "\(minutes) min"
    }
}
