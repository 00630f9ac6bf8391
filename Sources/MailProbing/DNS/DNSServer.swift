/// A DNS server to ask, `HOST[:PORT]` or `[IPv6]:PORT`, an address literal (a resolver named by
/// a name would need a resolver of its own).
public struct DNSServer: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var port: Int

    public init(address: String, port: Int = 53) {
        self.address = address
        self.port = port
    }

    /// Parses `127.0.0.1`, `127.0.0.1:5353`, `::1` or `[::1]:5353`; nil when it is not an
    /// address literal with an optional port in 1-65535.
    public init?(parsing text: String) {
        var host = text
        var port = 53
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let value = Int(rest.dropFirst()) else { return nil }
                port = value
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let value = Int(text[text.index(after: colon)...]) else { return nil }
            port = value
        }
        guard (1...65535).contains(port), TrustEvaluator.ipBytes(host) != nil else { return nil }
        self.init(address: host, port: port)
    }

    /// The form c-ares' `ares_set_servers_ports_csv` takes.
    var caresForm: String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    public var description: String { caresForm }
}
