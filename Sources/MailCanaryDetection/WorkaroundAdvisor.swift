import MailCanaryCore

/// Names the client that still works for the affected users (DESIGN.md, "Workaround"): the first,
/// in the advised order, that the service has, that needs none of the failing paths, and whose own
/// paths show no alarm in the affected regions. None when the failure is in something every client
/// shares (the token endpoint, the service's DNS) or when every client is affected.
///
/// A name that does not resolve is shared only when every client's paths fail with it: each path
/// has its own host name (`autodiscover.…` is not `outlook.…`), so Autodiscover's record missing
/// leaves Outlook on the web working, while the service's whole zone failing alarms every path and
/// leaves no client to advise. The token endpoint is one for every modern-authentication client, so
/// a failure there has no workaround however few paths have shown it yet.
public enum WorkaroundAdvisor {
    public static func advise(paths: Set<AccessPath>, regions: Set<String>, layer: String,
                              knownClients: Set<ClientKind>, alarmedCells: Set<ScopeCell>) -> Workaround? {
        guard layer != StepName.token.rawValue, !paths.contains(.token), !paths.contains(.dns) else { return nil }
        let affected = knownClients.filter { !$0.paths.isDisjoint(with: paths) }.sorted()
        guard !affected.isEmpty else { return nil }
        for client in ClientKind.workaroundOrder where knownClients.contains(client) {
            guard client.paths.isDisjoint(with: paths) else { continue }
            let alarmed = client.paths.contains { path in regions.contains { alarmedCells.contains(ScopeCell(path: path, region: $0)) } }
            guard !alarmed else { continue }
            let who = affected.map(\.displayName).joined(separator: " and ")
            let whereText = regions.sorted().joined(separator: ", ")
            let failing = paths.map(\.rawValue).sorted().joined(separator: ", ")
            return Workaround(client: client,
                              text: "Use \(client.displayName) while \(who) cannot connect in \(whereText) (\(failing) failing).")
        }
        return nil
    }
}
