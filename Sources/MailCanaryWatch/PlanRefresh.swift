import MailCanaryConfig

/// What the agent does with the answer to a periodic `GET /api/v1/agent/plan`: a decision with
/// no I/O, so that every case is a plain test.
public enum PlanRefresh: Equatable, Sendable {
    /// Nothing changed: keep running.
    case keep
    /// The server's configuration changed: stop the running schedule and start this plan.
    case replace(AgentPlan, summary: String)
    /// The answer cannot be followed (another region's plan); keep running and say why once.
    case ignore(String)

    public static func decide(current: AgentPlan, fetched: AgentPlan) -> PlanRefresh {
        guard fetched.region == current.region else {
            return .ignore("the server sent a plan for region \(fetched.region), not \(current.region)")
        }
        guard fetched != current else { return .keep }
        let before = Set(current.probes.map(\.id))
        let after = Set(fetched.probes.map(\.id))
        let added = after.subtracting(before).sorted()
        let removed = before.subtracting(after).sorted()
        let changed = fetched.probes.filter { probe in before.contains(probe.id) && current.probes.first { $0.id == probe.id } != probe }
        var parts: [String] = []
        if !added.isEmpty { parts.append("added \(added.joined(separator: ", "))") }
        if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", "))") }
        if !changed.isEmpty { parts.append("changed \(changed.map(\.id).sorted().joined(separator: ", "))") }
        if fetched.scheduler != current.scheduler { parts.append("scheduler settings changed") }
        if fetched.credentials != current.credentials { parts.append("credential references changed") }
        return .replace(fetched, summary: parts.isEmpty ? "plan changed" : parts.joined(separator: "; "))
    }
}
