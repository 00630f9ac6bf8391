import MailCanaryConfig

/// Who a bearer token belongs to. Tokens live in one table, named by role: an agent's id as in
/// the configuration, `telemetry:NAME` for a telemetry sender, `operator:NAME` for a person who
/// may annotate incidents (`mailcanary token telemetry|operator NAME` issues them).
struct Caller: Sendable {
    enum Role: Sendable {
        case agent(AgentConfig)
        case telemetry(String)
        case `operator`(String)
        case reader(String)
    }

    var role: Role

    static let telemetryPrefix = "telemetry:"
    static let operatorPrefix = "operator:"
    static let readerPrefix = "reader:"

    var id: String {
        switch role {
        case .agent(let agent): agent.id
        case .telemetry(let name): Self.telemetryPrefix + name
        case .operator(let name): Self.operatorPrefix + name
        case .reader(let name): Self.readerPrefix + name
        }
    }

    /// What the token may do (``AccessPolicy``).
    var scope: AccessPolicy.TokenScope {
        switch role {
        case .agent: .agent
        case .telemetry: .ingest
        case .operator: .write
        case .reader: .read
        }
    }

    /// How stored signal batches name their sender.
    var source: String {
        switch role {
        case .agent(let agent): "agent:" + agent.id
        case .telemetry, .operator, .reader: id
        }
    }

    var mayPostTelemetry: Bool {
        switch role {
        case .agent, .telemetry: true
        case .operator, .reader: false
        }
    }

    var operatorName: String? {
        if case .operator(let name) = role { return name }
        return nil
    }
}
