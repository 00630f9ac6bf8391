import MailCanaryCore
import NIOCore

/// The `resolve` step: c-ares (`/etc/hosts`, then the system's DNS servers, or the one server
/// of ``ProbeSettings/dnsServer``), bounded by the probe's deadline.
///
/// Tells NXDOMAIN and NODATA (the name, or its addresses, do not exist: a settings problem)
/// apart from a resolver that failed (SERVFAIL, REFUSED, unreachable) or timed out.
public enum Resolver {
    public struct Answer: Sendable {
        public var addresses: [SocketAddress]
        /// The address the probe will use: the first IPv4 address, else the first address.
        /// One address, one attempt: no happy eyeballs (blackbox_exporter's rule too).
        public var chosen: SocketAddress
        /// The lowest TTL of the addresses, in seconds (nil for an address literal).
        public var ttl: Int?
        /// Who answered: `127.0.0.1:53`, or nil for an address literal.
        public var server: String?
        /// CNAMEs followed, `alias → name`.
        public var cnames: [String] = []
    }

    public static func resolve(host: String, port: Int, context: ProbeContext) async throws(ProbeFailure) -> Answer {
        // An address literal needs no resolver (and no trip to the thread pool).
        if TrustEvaluator.ipBytes(host) != nil, let address = try? SocketAddress(ipAddress: host, port: port) {
            return Answer(addresses: [address], chosen: address)
        }
        let name = host.lowercased().hasSuffix(".") ? String(host.dropLast()) : host.lowercased()
        // RFC 6761 §6.4: resolver libraries should answer names under .invalid negatively at once.
        if name == "invalid" || name.hasSuffix(".invalid") {
            throw ProbeFailure(.dns, reason: .nameNotFound, step: .resolve, message: "\(host) does not exist (.invalid is reserved, RFC 6761)")
        }
        let answer = await DNSClient.addresses(of: host, server: context.settings.dnsServer, deadline: context.deadline)
        if let failure = failure(for: answer.status, host: host, what: "A/AAAA", server: answer.server) {
            throw failure
        }
        let addresses = answer.addresses.map { entry in
            var address = entry.address
            address.port = port
            return address
        }
        guard let chosen = addresses.first(where: { $0.protocol == .inet }) ?? addresses.first else {
            throw ProbeFailure(.dns, reason: .noData, step: .resolve, message: "\(host) has no IPv4 or IPv6 address (asked \(answer.server))")
        }
        let ttl = answer.addresses.map(\.ttl).min()
        // c-ares gives no TTL for an /etc/hosts entry: then no server is named either.
        let fromHostsFile = ttl == 0 && context.settings.dnsServer == nil
        return Answer(addresses: addresses, chosen: chosen, ttl: fromHostsFile ? nil : ttl, server: fromHostsFile ? nil : answer.server,
                      cnames: answer.cnames.map { "\($0.alias) → \($0.name)" })
    }

    /// The failure for a DNS status, nil when the server answered.
    static func failure(for status: DNSStatus, host: String, what: String, server: String) -> ProbeFailure? {
        switch status {
        case .answered:
            return nil
        case .nameNotFound:
            return ProbeFailure(.dns, reason: .nameNotFound, step: .resolve, message: "\(host) does not exist (NXDOMAIN from \(server))", serverReply: "NXDOMAIN")
        case .noData:
            return ProbeFailure(.dns, reason: .noData, step: .resolve, message: "\(host) has no \(what) records (NODATA from \(server))", serverReply: "NOERROR, no answer")
        case .serverFailure:
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve, message: "the DNS server \(server) failed to answer for \(host) (SERVFAIL)", serverReply: "SERVFAIL")
        case .refused:
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve, message: "the DNS server \(server) refused the query for \(host) (REFUSED)", serverReply: "REFUSED")
        case .timeout:
            return ProbeFailure(.dns, reason: .resolverTimeout, step: .resolve, message: "the DNS server \(server) gave no answer for \(host) in time")
        case .unreachable:
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve, message: "the DNS server \(server) is unreachable (port closed or no route)")
        case .malformed:
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve, message: "the DNS server \(server) sent a malformed answer for \(host)")
        case .other(let text):
            return ProbeFailure(.dns, reason: .resolverFailure, step: .resolve, message: "resolving \(host) failed: \(text)")
        }
    }
}
