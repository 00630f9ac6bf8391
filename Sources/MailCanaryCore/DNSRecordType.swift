/// The record types a DNS probe asks for (`dns://NAME?type=MX`), with their RFC 1035/3596/2782
/// type codes.
public enum DNSRecordType: String, Sendable, CaseIterable, Codable {
    case a = "A"
    case aaaa = "AAAA"
    case cname = "CNAME"
    case mx = "MX"
    case srv = "SRV"
    case txt = "TXT"
    case ns = "NS"

    public var code: Int32 {
        switch self {
        case .a: return 1
        case .ns: return 2
        case .cname: return 5
        case .mx: return 15
        case .txt: return 16
        case .aaaa: return 28
        case .srv: return 33
        }
    }

    public init?(code: Int) {
        guard let found = Self.allCases.first(where: { Int($0.code) == code }) else { return nil }
        self = found
    }

    /// Case-insensitive: `mx`, `Mx` and `MX` all name MX.
    public init?(name: String) {
        self.init(rawValue: name.uppercased())
    }
}
