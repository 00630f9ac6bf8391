import MailCanaryCore
import MailCanaryDetection

/// One access path in one region (`/series?service=&path=&region=`): per source, the failure
/// ratio and the latency against their baselines over the kept history, incidents shaded.
public struct SeriesPage: Sendable {
    public var service: String
    public var path: AccessPath?
    public var region: String
    public var snapshots: [SeriesSnapshot]
    public var incidents: [IncidentView]
    public var nowMs: Int64
    /// Who is signed in (nil: anonymous read access).
    public var account: PageLayout.Account?

    public init(service: String, path: AccessPath?, region: String, snapshots: [SeriesSnapshot], incidents: [IncidentView], nowMs: Int64) {
        self.service = service
        self.path = path
        self.region = region
        self.snapshots = snapshots.filter { $0.id.service == service && $0.id.path == path && $0.id.region == region }
            .sorted { $0.id.source < $1.id.source }
        self.incidents = incidents
        self.nowMs = nowMs
    }

    /// The charts of one series, with the windows of the incidents that held its cell.
    /// `fromMinute` narrows the drawn span (an incident page shows the hours around it).
    public static func charts(for snapshot: SeriesSnapshot, incidents: [IncidentView], nowMs: Int64,
                              measures: [SeriesChart.Measure] = [.failureRatio, .latency], fromMinute: Int? = nil) -> [SeriesChart] {
        guard let kept = snapshot.points.first?.minute else { return [] }
        let first = max(kept, fromMinute ?? kept)
        let to = Int(nowMs / 60_000)
        let windows = incidents.filter { incident in
            incident.service == snapshot.id.service
                && (snapshot.id.path.map { path in incident.cells.contains { $0.path == path.rawValue && $0.region == snapshot.id.region } }
                    ?? incident.regions.contains(snapshot.id.region))
        }.map { incident in
            Int(incident.openedMs / 60_000)..<Int((incident.resolvedMs ?? nowMs) / 60_000 + 1)
        }
        let name = "\(snapshot.id.path.map(Vocabulary.path) ?? "User reports") · \(Vocabulary.region(snapshot.id.region)) · \(snapshot.id.source.rawValue)"
        return measures.compactMap { measure in
            if measure == .latency, snapshot.id.source == .reports || !snapshot.points.contains(where: { $0.latencyMs != nil }) { return nil }
            let title = name + (measure == .failureRatio ? (snapshot.id.source == .reports ? ": reporters per minute" : ": failure ratio") : ": latency")
            return SeriesChart(measure: measure, points: snapshot.points, fromMinute: first, toMinute: to, windows: windows, title: title)
        }
    }

    static func sourceName(_ source: SignalSource) -> String {
        switch source {
        case .probe: "Synthetic probes"
        case .telemetry: "Client telemetry and logs"
        case .reports: "User reports"
        }
    }

    public func render() -> String {
        let title = "\(path.map(Vocabulary.path) ?? "User reports") in \(Vocabulary.region(region))"
        var body = "<h1>\(HTML.escape(title)) <span class=\"muted small\">\(HTML.escape(service))</span></h1>"
        if snapshots.isEmpty {
            body += "<p class=\"muted\">No series here yet: nothing was observed for this path in this region.</p>"
        }
        for snapshot in snapshots {
            body += "<h2>\(Self.sourceName(snapshot.id.source))</h2>"
            var facts = "state: <span class=\"state\">\(snapshot.state.rawValue)</span>"
            if let kind = snapshot.alarmKind { facts += " (\(HTML.escape(kind)) alarm)" }
            if let minute = snapshot.lastObservedMinute { facts += " · last observed \(WebTime.minute(Int64(minute + 1) * 60_000))" }
            if let minute = snapshot.lastFailureMinute {
                facts += " · last failure \(WebTime.minute(Int64(minute) * 60_000))"
                let what = [snapshot.lastFailureClass?.rawValue, snapshot.lastFailedStep.map { "at \($0.rawValue)" }].compactMap { $0 }
                if !what.isEmpty { facts += " (\(HTML.escape(what.joined(separator: " "))))" }
                if let error = snapshot.lastError { facts += ": <code>\(HTML.escape(error))</code>" }
            }
            body += "<p class=\"small\">\(facts)</p>"
            let charts = Self.charts(for: snapshot, incidents: incidents, nowMs: nowMs)
            if charts.isEmpty { body += "<p class=\"muted\">No history kept yet.</p>" }
            for chart in charts { body += chart.svg() }
        }
        return PageLayout.render(title: title, audience: .operators, body: body, refreshSeconds: 60, account: account)
    }
}
