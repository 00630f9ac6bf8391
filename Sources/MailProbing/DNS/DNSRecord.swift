import MailCanaryCore
import NIOCore

/// One resource record of an answer, with its TTL.
public struct DNSRecord: Sendable, Equatable, Codable {
    public var name: String
    public var type: String
    public var ttl: UInt32
    /// The record data in zone-file form: `127.0.0.1`, `10 mail.example.com`,
    /// `0 0 443 autodiscover.example.com`.
    public var value: String
    /// For MX, SRV and CNAME: the host the record points at.
    public var target: String?
    /// For SRV: the port; for MX and SRV: the preference or priority.
    public var port: Int?
    public var priority: Int?
    public var weight: Int?

    public init(name: String, type: String, ttl: UInt32, value: String, target: String? = nil,
                port: Int? = nil, priority: Int? = nil, weight: Int? = nil) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.value = value
        self.target = target
        self.port = port
        self.priority = priority
        self.weight = weight
    }

    /// `contoso.com. 300 MX 10 mail.contoso.com`
    public var zoneLine: String { "\(name) \(ttl) \(type) \(value)" }
}

/// What a DNS server said, or why it said nothing.
public enum DNSStatus: Sendable, Equatable {
    case answered
    /// NXDOMAIN: the name does not exist.
    case nameNotFound
    /// NOERROR without records of the asked type (NODATA).
    case noData
    case serverFailure
    case refused
    /// No answer within the time allowed.
    case timeout
    /// The server's port is closed (ICMP port unreachable) or the network is down.
    case unreachable
    case malformed
    case other(String)
}

/// The answer of one query to one server.
public struct DNSResponse: Sendable {
    public var status: DNSStatus
    public var server: String
    public var records: [DNSRecord]
    public var elapsedMs: Double

    public init(status: DNSStatus, server: String, records: [DNSRecord] = [], elapsedMs: Double = 0) {
        self.status = status
        self.server = server
        self.records = records
        self.elapsedMs = elapsedMs
    }
}

/// The address lookup of the `resolve` step: addresses with TTLs and the CNAME chain.
public struct DNSAddressAnswer: Sendable {
    public struct Address: Sendable {
        /// The address with port 0.
        public var address: SocketAddress
        public var ttl: Int
        public var ip: String { address.ipAddress ?? "?" }
    }
    public var status: DNSStatus
    public var server: String
    public var addresses: [Address]
    /// `alias → canonical` pairs, in order.
    public var cnames: [(alias: String, name: String, ttl: Int)]
}
