import MailCanaryCore

/// Whether a provider advisory describes an incident: the provider's service is one the watched
/// service depends on (and the tenant it was polled from watches that service), its time overlaps the incident, its text is about access (connecting,
/// signing in, sending or receiving; not, say, search results), it names an affected client or
/// path, and any region it names is affected.
public enum AdvisoryMatcher {
    static let accessWords = ["unable to access", "unable to connect", "cannot connect", "can't connect", "connect to",
                              "connectivity", "access their mailbox", "sign in", "signing in", "authenticate", "unable to send",
                              "unable to receive", "delayed delivery", "access exchange", "access email", "access e-mail"]
    static let clientWords: [ClientKind: [String]] = [
        .outlookClassic: ["classic outlook", "outlook desktop", "desktop client", "outlook for windows", "mapi"],
        .owa: ["outlook on the web", "owa", "outlook web"],
        .outlookMobile: ["mobile", "activesync", "ios", "android"],
        .outlookMac: ["outlook for mac"],
        .imapClient: ["imap", "pop3", "pop ", "smtp"],
        .outlookNew: ["new outlook"],
    ]
    static let regionWords: [String: [String]] = [
        "apac": ["asia pacific", "apac", "asia"],
        "na": ["north america"],
        "eu": ["europe", "emea"],
    ]

    public static func matches(_ issue: ServiceHealthIssue, incident: Incident, advisoryServices: Set<String>,
                               nowMs: Int64) -> Bool {
        guard advisoryServices.contains(issue.service) else { return false }
        if let watched = issue.watchedServices, !watched.contains(incident.service) { return false }
        let start = issue.startMs ?? issue.firstPostMs ?? nowMs
        let incidentEnd = incident.resolvedMs ?? nowMs
        // Providers post late and start their clock at their own detection: allow two hours
        // either side of the incident's window.
        guard start >= incident.firstAnomalyMs - 2 * 3_600_000, start <= incidentEnd + 2 * 3_600_000 else { return false }
        let text = (issue.title + " " + issue.impactDescription + " " + issue.feature).lowercased()
        guard accessWords.contains(where: { text.contains($0) }) else { return false }
        let paths = Set(incident.scope.map(\.path))
        let clients = clientWords.filter { client, _ in !client.paths.isDisjoint(with: paths) }
        let namesClient = clients.contains { _, words in words.contains { text.contains($0) } }
        let namesPath = paths.contains { text.contains($0.rawValue) }
        let namesAnyClient = clientWords.values.contains { words in words.contains { text.contains($0) } }
        guard namesClient || namesPath || !namesAnyClient else { return false }
        let namedRegions = Set(regionWords.filter { _, words in words.contains { text.contains($0) } }.keys)
        if !namedRegions.isEmpty, namedRegions.isDisjoint(with: Set(incident.regions)) { return false }
        return true
    }
}
