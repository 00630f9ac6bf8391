import MailCanaryCore

/// Signals written as the NDJSON lines ``SignalLineReader`` reads (the records of the scenario
/// format): what log readers post and what the report API stores.
enum SignalLineWriter {
    /// `{"kind":KIND,"t":TIME,"name":"value",…` without its closing brace.
    static func open(_ kind: String, timeMs: Int64, _ fields: [(String, String)]) -> [UInt8] {
        var out: [UInt8] = []
        JSONText.append("{\"kind\":\"\(kind)\",\"t\":", to: &out)
        JSONText.appendQuoted(UTCTimestamp.format(timeMs), to: &out)
        for (name, value) in fields {
            JSONText.append(",\"\(name)\":", to: &out)
            JSONText.appendQuoted(value, to: &out)
        }
        return out
    }
}

extension ClientCounts {
    /// The `clients` record.
    public var ndjsonLine: String {
        var out = SignalLineWriter.open("clients", timeMs: timeMs, [("service", service), ("region", region), ("client", client.rawValue),
                                                                    ("path", path.rawValue)])
        JSONText.append(",\"ok\":\(ok),\"failed\":\(failed),\"errors\":{", to: &out)
        for (index, error) in errors.enumerated() {
            if index > 0 { JSONText.append(",", to: &out) }
            JSONText.appendQuoted(error.message, to: &out)
            JSONText.append(":\(error.count)", to: &out)
        }
        JSONText.append("}", to: &out)
        if let latencyMsP50 { JSONText.append(",\"latencyMsP50\":\((latencyMsP50 * 10).rounded() / 10)", to: &out) }
        JSONText.append("}", to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension UserReport {
    /// The `report` record.
    public var ndjsonLine: String {
        var out = SignalLineWriter.open("report", timeMs: timeMs, [("service", service), ("region", region), ("client", client.rawValue),
                                                                   ("symptom", symptom), ("reporter", reporter)] + (text.map { [("text", $0)] } ?? []))
        JSONText.append("}", to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
