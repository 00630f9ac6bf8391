import MailCanaryConfig
import MailCanaryCore

/// Which channels hear a transition: every route whose services, paths, severity and events
/// match, once per channel. A pure decision over the configuration.
public struct NotificationRouter: Sendable {
    public var routes: [NotificationRouteConfig]

    public init(routes: [NotificationRouteConfig]) {
        self.routes = routes
    }

    /// - Parameter severity: the highest severity the incident has reached (``NotificationState/severity``).
    public func channels(for kind: NotificationTransition.Kind, incident: IncidentDigest, severity: Int) -> [String] {
        let event: NotificationRouteConfig.Event
        switch kind {
        case .opened, .unmuted: event = .opened
        case .escalated, .statusSet: event = .escalated
        case .recovering: event = .recovering
        case .resolved: event = .resolved
        case .reminder: event = .reminder
        case .test: return Array(Set(routes.flatMap(\.channels))).sorted()
        }
        var chosen: [String] = []
        for route in routes where route.events.contains(event) {
            guard route.services.isEmpty || route.services.contains(incident.service) else { continue }
            guard route.paths.isEmpty || route.paths.contains(where: { incident.paths.contains($0.rawValue) }) else { continue }
            switch route.minimumSeverity {
            case .any: break
            case .degradation: guard severity >= 1 else { continue }
            case .interruption: guard severity >= 2 else { continue }
            }
            for channel in route.channels where !chosen.contains(channel) { chosen.append(channel) }
        }
        return chosen
    }
}
