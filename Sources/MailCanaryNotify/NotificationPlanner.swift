import MailCanaryCore

/// Decides what to say about an incident given what was said before: a pure function of the
/// stored incident, the stored state, the time and whether a maintenance window mutes it.
///
/// Keys are made from the incident id and a count kept in the state (`INC/opened`,
/// `INC/escalated/2`, `INC/resolved`), so planning the same change again from the same state
/// gives the same key, and the outbox's unique `(key, channel)` keeps one copy.
public struct NotificationPlanner: Sendable {
    public struct Plan: Sendable, Equatable {
        public var state: NotificationState
        public var transitions: [NotificationTransition]
    }

    /// While an incident stays open, a reminder this long after the last transition; nil for none.
    public var remindEveryMs: Int64?

    public init(remindEveryMs: Int64?) {
        self.remindEveryMs = remindEveryMs
    }

    /// Nil when there is nothing new to say (the state stays as it is).
    public func plan(previous: NotificationState?, incident: IncidentDigest, nowMs: Int64, muted: Bool) -> Plan? {
        var state = previous ?? NotificationState()
        var out: [NotificationTransition] = []
        let id = incident.id
        func add(_ kind: NotificationTransition.Kind, _ key: String, _ summary: String) {
            out.append(NotificationTransition(kind: kind, key: key, atMs: nowMs, summary: summary))
        }

        if previous == nil {
            add(.opened, "\(id)/opened", "opened (\(Self.words(incident.status)))")
            state.severity = incident.severity
            state.paths = incident.paths.sorted()
            state.regions = incident.regions.sorted()
        } else if let set = incident.operatorStatus, set.atMs != state.operatorStatusAtMs, incident.isOpen {
            // An operator set a status (not a resolution: that is the resolved transition below),
            // or set one that is not restored after resolving it: the incident is open again.
            let reopened = state.resolved
            if reopened {
                state.resolved = false
                state.recovering = false
                state.reopenings = (state.reopenings ?? 0) + 1
            }
            let change = "status set to \(Self.words(set.status))"
            add(.statusSet, "\(id)/status/\(set.atMs)", reopened ? "reopened by \(set.author): \(change)" : "\(change) by \(set.author)")
            state.severity = max(state.severity, incident.severity)
        }
        state.operatorStatusAtMs = incident.operatorStatus?.atMs ?? state.operatorStatusAtMs
        // Detection saw the incident again after an operator resolved it (a series joined, or
        // failures came back): a re-opening of its own, announced with what is new.
        var reopenedAfter: String?
        if previous != nil, state.resolved, incident.isOpen, incident.detectionReopenedMs != nil {
            state.resolved = false
            state.recovering = false
            state.reopenings = (state.reopenings ?? 0) + 1
            reopenedAfter = incident.operatorStatus?.author ?? "an operator"
        }
        if previous != nil && !state.resolved && incident.isOpen {
            var parts: [String] = []
            if incident.severity > state.severity { parts.append("now a \(Self.words(incident.status))") }
            let newPaths = Set(incident.paths).subtracting(state.paths).sorted()
            let newRegions = Set(incident.regions).subtracting(state.regions).sorted()
            if !newPaths.isEmpty { parts.append("also \(newPaths.joined(separator: ", "))") }
            if !newRegions.isEmpty { parts.append("also in \(newRegions.joined(separator: ", "))") }
            if state.recovering && incident.recoveredMs == nil { parts.append("failures are back") }
            if let reopenedAfter {
                let reopened = "reopened: detection sees it again after \(reopenedAfter) resolved it"
                add(.escalated, "\(id)/reopened/\(state.reopenings ?? 1)", ([reopened] + parts).joined(separator: "; "))
            } else if !parts.isEmpty {
                state.escalations += 1
                add(.escalated, "\(id)/escalated/\(state.escalations)", parts.joined(separator: "; "))
            }
            state.severity = max(state.severity, incident.severity)
            state.paths = Set(state.paths).union(incident.paths).sorted()
            state.regions = Set(state.regions).union(incident.regions).sorted()
        }
        if incident.isOpen && !state.resolved {
            if incident.recoveredMs != nil && !state.recovering {
                state.recovering = true
                state.recoveries += 1
                add(.recovering, "\(id)/recovering/\(state.recoveries)", "every affected series is back to its baseline; watching before resolving")
            } else if incident.recoveredMs == nil {
                state.recovering = false
            }
        }
        if !incident.isOpen && !state.resolved {
            state.resolved = true
            state.recovering = false
            // The operator's only when it is their resolution (not detection's, after detection re-opened it).
            let byOperator = incident.operatorStatus.flatMap { $0.status.isRestored && $0.atMs == incident.resolvedMs ? $0.author : nil }
            // Each resolution after a re-opening is a transition of its own.
            let key = state.reopenings.map { "\(id)/resolved/\($0 + 1)" } ?? "\(id)/resolved"
            add(.resolved, key, byOperator.map { "resolved by \($0)" } ?? "resolved")
        }
        if !muted && state.mutedOpen {
            state.mutedOpen = false
            if out.isEmpty && incident.isOpen {
                add(.unmuted, "\(id)/unmuted/\(state.escalations)-\(state.reminders)", "still open after the maintenance window")
            }
        }
        if out.isEmpty, !muted, incident.isOpen, !state.resolved, let every = remindEveryMs, nowMs - state.lastMs >= every {
            state.reminders += 1
            add(.reminder, "\(id)/reminder/\(state.reminders)", "still open")
        }
        guard !out.isEmpty else { return nil }
        if muted { state.mutedOpen = incident.isOpen }
        state.lastMs = nowMs
        return Plan(state: state, transitions: out)
    }

    static func words(_ status: ServiceHealthStatus) -> String {
        switch status {
        case .serviceInterruption: "service interruption"
        case .serviceDegradation: "service degradation"
        case .investigating: "investigating"
        case .restoringService: "restoring service"
        case .serviceRestored: "service restored"
        default: status.rawValue
        }
    }
}
