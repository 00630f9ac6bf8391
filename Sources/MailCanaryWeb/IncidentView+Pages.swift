import MailCanaryCore
import MailCanaryDetection

/// An incident in the words of the pages: the headline, the public workaround, the timeline with notes.
extension IncidentView {
    /// What people see: "Outlook for Windows may be unable to connect in Asia Pacific and North America".
    public var headline: String {
        let experiences = ClientExperience.affected(by: paths).map(\.name)
        let what = experiences.isEmpty ? "Mail" : Vocabulary.list(experiences)
        let slow = (anomalyKinds ?? []) == ["latency"]
        let verb = slow ? "may be slow" : "may be unable to connect"
        let place = regions.isEmpty ? "" : " in " + Vocabulary.regions(regions)
        return "\(what) \(verb)\(place)"
    }

    /// The workaround in plain words for the public (no path names, no hosts).
    public var publicWorkaround: String? {
        workaround.map { "Use \(ClientExperience.publicName(of: $0.client)) until this is fixed." }
    }

    /// The timeline with the operators' notes in it, oldest first.
    public var fullTimeline: [(atMs: Int64, kind: String, text: String, author: String?)] {
        var entries = timeline.map { (atMs: UTCTimestamp.parse($0.at) ?? 0, kind: $0.kind, text: $0.text, author: String?.none) }
        for note in notes {
            let text = note.status.map { "Status set to \(Vocabulary.status($0)). " + note.text } ?? note.text
            entries.append((note.atMs, "note", text, note.author))
        }
        return entries.enumerated().sorted { ($0.element.atMs, $0.offset) < ($1.element.atMs, $1.offset) }.map(\.element)
    }
}
