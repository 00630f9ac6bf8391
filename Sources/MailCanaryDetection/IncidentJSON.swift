import MailCanaryCore

/// Incidents as JSON, in the shape `replay --json` prints (`../shared/scenarios/FORMAT.md`), with
/// the detail an administrator needs beside the scored keys: timeline, lead times, evidence.
public enum IncidentJSON {
    public static func render(_ incidents: [Incident], providerOnly: [ServiceHealthIssue], extra: [(String, String)] = []) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(4_096)
        JSONText.append("{\"incidents\":[", to: &out)
        for (position, incident) in incidents.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            append(incident, to: &out)
        }
        JSONText.append("],\"providerOnly\":[", to: &out)
        for (position, issue) in providerOnly.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.append("{\"id\":", to: &out)
            JSONText.appendQuoted(issue.id, to: &out)
            JSONText.append(",\"title\":", to: &out)
            JSONText.appendQuoted(issue.title, to: &out)
            JSONText.append(",\"status\":", to: &out)
            JSONText.appendQuoted(issue.status.rawValue, to: &out)
            JSONText.append(",\"note\":\"reported by the provider, not seen here\"}", to: &out)
        }
        JSONText.append("]", to: &out)
        for (key, rawJSON) in extra {
            JSONText.append(",", to: &out)
            JSONText.appendQuoted(key, to: &out)
            JSONText.append(":" + rawJSON, to: &out)
        }
        JSONText.append("}", to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One incident as a JSON object (what the store keeps and `GET /api/v1/incidents/{id}` shows).
    public static func render(_ incident: Incident) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(2_048)
        append(incident, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func append(_ incident: Incident, to out: inout [UInt8]) {
        func key(_ name: String) { JSONText.append("\"\(name)\":", to: &out) }
        func string(_ value: String?) {
            if let value { JSONText.appendQuoted(value, to: &out) } else { JSONText.append("null", to: &out) }
        }
        func time(_ ms: Int64?) { string(ms.map(UTCTimestamp.format)) }
        func number(_ value: Double?) {
            if let value, value.isFinite { JSONText.append(String((value * 10).rounded() / 10), to: &out) } else { JSONText.append("null", to: &out) }
        }
        /// An array of objects: `fields` writes one element's fields between its braces.
        func objects<Element>(_ elements: [Element], _ fields: (Element) -> Void) {
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "{"))
                fields(element)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        func strings(_ values: [String]) {
            out.append(UInt8(ascii: "["))
            for (position, value) in values.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(value, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "{"))
        key("id"); string(incident.id)
        JSONText.append(",", to: &out); key("service"); string(incident.service)
        JSONText.append(",", to: &out); key("openedAt"); time(incident.openedMs)
        JSONText.append(",", to: &out); key("resolvedAt"); time(incident.resolvedMs)
        JSONText.append(",", to: &out); key("status"); string(incident.status.rawValue)
        JSONText.append(",", to: &out); key("paths"); strings(incident.paths.map(\.rawValue))
        JSONText.append(",", to: &out); key("regions"); strings(incident.regions)
        JSONText.append(",", to: &out); key("scope")
        out.append(UInt8(ascii: "["))
        let cells = incident.scope.sorted { ($0.path.rawValue, $0.region) < ($1.path.rawValue, $1.region) }
        for (position, cell) in cells.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            JSONText.append("{\"path\":", to: &out); string(cell.path.rawValue)
            JSONText.append(",\"region\":", to: &out); string(cell.region)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        JSONText.append(",", to: &out); key("anomalyKinds"); strings(incident.anomalyKinds.sorted())
        JSONText.append(",", to: &out); key("cause"); string(incident.cause.rawValue)
        JSONText.append(",", to: &out); key("layer"); string(incident.layer)
        JSONText.append(",", to: &out); key("workaround")
        if let workaround = incident.workaround {
            JSONText.append("{\"client\":", to: &out)
            string(workaround.client.rawValue)
            JSONText.append(",\"text\":", to: &out)
            string(workaround.text)
            JSONText.append("}", to: &out)
        } else {
            JSONText.append("null", to: &out)
        }
        JSONText.append(",", to: &out); key("advisories"); strings(incident.advisories.map(\.id))
        JSONText.append(",", to: &out); key("advisoryLinks")
        objects(incident.advisories) { link in
            JSONText.append("\"id\":", to: &out); string(link.id)
            JSONText.append(",\"title\":", to: &out); string(link.title)
            JSONText.append(",\"status\":", to: &out); string(link.status.rawValue)
            JSONText.append(",\"firstPostAt\":", to: &out); time(link.firstPostMs)
            JSONText.append(",\"linkedAt\":", to: &out); time(link.linkedMs)
            JSONText.append(",\"leadMinutes\":", to: &out); number(link.leadMinutes)
            JSONText.append(",\"restoredAt\":", to: &out); time(link.restoredMs)
        }
        JSONText.append(",", to: &out); key("concurrent")
        objects(incident.concurrent) { link in
            JSONText.append("\"id\":", to: &out); string(link.id)
            JSONText.append(",\"service\":", to: &out); string(link.service)
            JSONText.append(",\"since\":", to: &out); time(link.sinceMs)
        }
        JSONText.append(",", to: &out); key("members")
        objects(incident.members.sorted { ($0.value, $0.key.description) < ($1.value, $1.key.description) }) { member in
            JSONText.append("\"source\":", to: &out); string(member.key.source.rawValue)
            JSONText.append(",\"path\":", to: &out); string(member.key.path?.rawValue)
            JSONText.append(",\"region\":", to: &out); string(member.key.region)
            JSONText.append(",\"joinedAt\":", to: &out); time(member.value)
        }
        JSONText.append(",", to: &out); key("firstAnomalyAt"); time(incident.firstAnomalyMs)
        JSONText.append(",", to: &out); key("recoveredAt"); time(incident.recoveredMs)
        JSONText.append(",", to: &out); key("leadOverAdvisoryMinutes"); number(incident.advisories.compactMap(\.leadMinutes).max())
        JSONText.append(",", to: &out); key("leadOverReportsMinutes"); number(incident.leadOverReportsMinutes)
        JSONText.append(",", to: &out); key("sources"); strings(incident.sources.sorted().map(\.rawValue))
        JSONText.append(",", to: &out); key("affectedUsersEstimate"); JSONText.append(String(incident.affectedUsersEstimate), to: &out)
        JSONText.append(",", to: &out); key("reporters"); JSONText.append(String(incident.evidence.reporters.count), to: &out)
        JSONText.append(",", to: &out); key("sampleErrors")
        objects(incident.evidence.sampleErrors(5)) { error in
            JSONText.append("\"message\":", to: &out); string(error.message)
            JSONText.append(",\"count\":\(error.count)", to: &out)
        }
        JSONText.append(",", to: &out); key("timeline")
        objects(incident.timeline) { entry in
            JSONText.append("\"at\":", to: &out); time(entry.timeMs)
            JSONText.append(",\"kind\":", to: &out); string(entry.kind.rawValue)
            JSONText.append(",\"text\":", to: &out); string(entry.text)
        }
        out.append(UInt8(ascii: "}"))
    }
}
