import MailCanaryConfig
import MailCanaryCore

/// Whether a maintenance window mutes an incident now: the window is running, names the
/// incident's service (or every service), and covers every path the incident touches (an
/// incident that reaches beyond the work being done is not muted).
public struct MaintenanceCalendar: Sendable {
    public var windows: [MaintenanceWindowConfig]

    public init(windows: [MaintenanceWindowConfig]) {
        self.windows = windows
    }

    public func window(muting incident: IncidentDigest, atMs now: Int64) -> MaintenanceWindowConfig? {
        windows.first { window in
            guard window.startMs <= now, now < window.endMs else { return false }
            guard window.services.isEmpty || window.services.contains(incident.service) else { return false }
            guard !window.paths.isEmpty else { return true }
            let covered = Set(window.paths.map(\.rawValue))
            return !incident.paths.isEmpty && incident.paths.allSatisfy(covered.contains)
        }
    }
}
