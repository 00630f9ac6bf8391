import MailCanaryCore

/// DNS as an access path of its own (`dns://NAME?type=MX|SRV|CNAME|A|AAAA|TXT|NS[&server=IP[:PORT]]`):
/// `resolve` asks one server (the URL's `server`, else `--dns-server`, else the system's) and
/// records the answer records with their TTLs and who answered; NXDOMAIN, NODATA, SERVFAIL,
/// REFUSED and a timeout are told apart. For MX and SRV, `targets` resolves the hosts the
/// records point at: an MX pointing at a name without addresses is a broken mail path.
public struct DNSProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let type = DNSRecordType(name: target.parameter("type") ?? "A") ?? .a
        var server = context.settings.dnsServer
        if let text = target.parameter("server") {
            guard let parsed = DNSServer(parsing: text) else {
                _ = try await recorder.step(.resolve) { () async throws(ProbeFailure) -> ((), String) in
                    throw ProbeFailure(.config, reason: .invalidOption, step: .resolve, message: "server=\(text): give an IP address with an optional port, e.g. 127.0.0.1:53")
                }
                return
            }
            server = parsed
        }
        let name = target.host
        let records = try await recorder.step(.resolve) { () async throws(ProbeFailure) -> ([DNSRecord], String) in
            let response = await DNSClient.query(name, type: type, server: server, deadline: context.deadline)
            recorder.facts["dnsServer"] = response.server
            recorder.facts["rcode"] = Self.rcode(response.status)
            if let failure = Resolver.failure(for: response.status, host: name, what: type.rawValue, server: response.server) { throw failure }
            // Only records of the asked type (a CNAME chain may precede them).
            let matching = response.records.filter { $0.type == type.rawValue }
            guard !matching.isEmpty else {
                throw ProbeFailure(.dns, reason: .noData, step: .resolve, message: "\(name) has no \(type.rawValue) records (only \(response.records.map(\.type).joined(separator: ", ")))")
            }
            recorder.facts["records"] = response.records.map(\.zoneLine).joined(separator: "; ")
            recorder.facts["ttl"] = String(matching.map(\.ttl).min() ?? 0)
            let chain = response.records.filter { $0.type == "CNAME" && type != .cname }.map { "\($0.name) → \($0.value)" }
            let shown = matching.prefix(5).map { "\($0.value) (TTL \($0.ttl))" }.joined(separator: ", ")
            let more = matching.count > 5 ? " and \(matching.count - 5) more" : ""
            let via = chain.isEmpty ? "" : " via \(chain.joined(separator: ", "))"
            return (matching, "\(type.rawValue) \(name)\(via): \(shown)\(more), answered by \(response.server) in \(response.elapsedMs.tenthsText) ms")
        }
        guard type == .mx || type == .srv else { return }
        // RFC 7505 null MX ("0 .") says the domain accepts no mail: a fact, not a failure.
        let hosts = records.compactMap { $0.target }.filter { $0 != "." && !$0.isEmpty }
        guard !hosts.isEmpty else {
            recorder.skip(.targets, "null MX/SRV target: the domain says it offers no service")
            return
        }
        try await recorder.step(.targets) { () async throws(ProbeFailure) -> ((), String) in
            var found: [String] = []
            for host in hosts.prefix(5) {
                let answer = await DNSClient.addresses(of: host, server: server, deadline: context.deadline)
                if var failure = Resolver.failure(for: answer.status, host: host, what: "A/AAAA", server: answer.server) {
                    failure.message = "\(type.rawValue) target: \(failure.message)"
                    throw failure
                }
                found.append("\(host) → \(answer.addresses.map(\.ip).joined(separator: ", "))")
            }
            return ((), found.joined(separator: "; "))
        }
    }

    static func rcode(_ status: DNSStatus) -> String {
        switch status {
        case .answered, .noData: return "NOERROR"
        case .nameNotFound: return "NXDOMAIN"
        case .serverFailure: return "SERVFAIL"
        case .refused: return "REFUSED"
        case .timeout: return "timeout"
        case .unreachable: return "unreachable"
        case .malformed: return "malformed"
        case .other: return "error"
        }
    }
}
