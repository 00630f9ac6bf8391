import MailCanaryCore
import MailCanaryDetection

/// The status page as an Atom feed (RFC 4287): one entry per incident of the last 30 days,
/// updated when it changes; public words only, like the page.
public struct AtomFeed: Sendable {
    public var incidents: [IncidentView]
    public var serviceNames: [String: String]
    public var nowMs: Int64

    public init(incidents: [IncidentView], serviceNames: [String: String], nowMs: Int64) {
        self.incidents = incidents
        self.serviceNames = serviceNames
        self.nowMs = nowMs
    }

    /// When an incident last changed: its last timeline entry or note.
    static func updated(_ incident: IncidentView) -> Int64 {
        max(incident.fullTimeline.map(\.atMs).max() ?? incident.openedMs, incident.resolvedMs ?? 0, incident.openedMs)
    }

    public func render() -> String {
        let ordered = incidents.sorted { Self.updated($0) > Self.updated($1) }
        let feedUpdated = ordered.first.map(Self.updated) ?? nowMs
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
        xml += "<title>Mail service status</title><id>urn:mailcanary:status</id>"
        xml += "<updated>\(UTCTimestamp.format(feedUpdated))</updated><link rel=\"alternate\" href=\"/status\"/>"
        xml += "<author><name>MailCanary</name></author>"
        for incident in ordered {
            let service = serviceNames[incident.service] ?? incident.service
            var summary = "\(service): \(incident.headline). Since \(WebTime.minute(incident.openedMs)). "
            summary += incident.isOpen ? "Status: \(Vocabulary.status(incident.currentStatus))." : "Resolved \(incident.resolvedMs.map(WebTime.minute) ?? "")."
            if incident.isOpen, let workaround = incident.publicWorkaround { summary += " " + workaround }
            xml += "<entry><id>urn:mailcanary:incident:\(HTML.escape(incident.id))</id>"
            xml += "<title>\(HTML.escape((incident.isOpen ? "" : "Resolved: ") + service + ": " + incident.headline))</title>"
            xml += "<updated>\(UTCTimestamp.format(Self.updated(incident)))</updated>"
            xml += "<published>\(UTCTimestamp.format(incident.openedMs))</published>"
            xml += "<link rel=\"alternate\" href=\"/status\"/><summary type=\"text\">\(HTML.escape(summary))</summary></entry>"
        }
        return xml + "</feed>"
    }
}
