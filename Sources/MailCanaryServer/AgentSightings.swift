/// Decides when an upload writes its agent's "last seen" time: at most once per `everyMs` for
/// each agent. The write is a durable transaction of its own on the store's one writer, so one per
/// upload cost ingest a commit per batch; "last seen" (the agents API, the
/// `mailcanary_agent_last_seen_timestamp_seconds` metric) is at most that much behind.
struct AgentSightings: Sendable {
    let everyMs: Int64
    private var written: [String: Int64] = [:]

    init(everyMs: Int64 = 10_000) {
        self.everyMs = everyMs
    }

    /// True when this sighting is to be written; it then counts as written. A clock that went
    /// back writes again.
    mutating func shouldWrite(agent: String, nowMs: Int64) -> Bool {
        if let last = written[agent], nowMs >= last, nowMs - last < everyMs { return false }
        written[agent] = nowMs
        return true
    }
}
