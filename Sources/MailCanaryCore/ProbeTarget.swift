import Foundation

/// Where and how to probe, parsed from a URL such as `imaps://mail.example.com` or
/// `smtp://mail.example.com:587`.
///
/// | scheme | path | transport | default port |
/// |---|---|---|---|
/// | `imap` | imap | STARTTLS | 143 |
/// | `imaps` | imap | implicit TLS | 993 |
/// | `pop3` | pop3 | STLS | 110 |
/// | `pop3s` | pop3 | implicit TLS | 995 |
/// | `smtp` | smtp-submission | STARTTLS | 587 |
/// | `smtps` | smtp-submission | implicit TLS | 465 |
/// | `tls` | tls | implicit TLS | (required) |
/// | `tcp` | tcp | plain | (required) |
/// | `http` / `https` | http | plain / TLS | 80 / 443 |
/// | `autodiscover://DOMAIN?email=A` | autodiscover | discovery (domain, autodiscover host, HTTP redirect, SRV) | 443 |
/// | `autodiscover+https://HOST/?email=A` | autodiscover | one endpoint, JSON v2 then POX | 443 |
/// | `mapi+https`, `ews+https`, `activesync+https`, `owa+https` | mapi-http, ews, activesync, owa | TLS | 443 |
/// | `graph+https://HOST/?user=ID` | graph | TLS | 443 |
/// | `token+https://HOST/TENANT` | token | TLS | 443 |
/// | `dns://NAME?type=MX` | dns | (the name is the question) | |
public struct ProbeTarget: Sendable, Equatable {
    public enum Scheme: String, Sendable, CaseIterable {
        case imap, imaps, pop3, pop3s, smtp, smtps, tls, tcp, http, https
        case autodiscover
        case autodiscoverHTTPS = "autodiscover+https"
        case mapiHTTPS = "mapi+https"
        case ewsHTTPS = "ews+https"
        case activesyncHTTPS = "activesync+https"
        case owaHTTPS = "owa+https"
        case graphHTTPS = "graph+https"
        case tokenHTTPS = "token+https"
        case dns

        /// Schemes whose URL keeps its path and query (they name a resource or parameters).
        var keepsResource: Bool {
            switch self {
            case .imap, .imaps, .pop3, .pop3s, .smtp, .smtps, .tls, .tcp: return false
            default: return true
            }
        }
    }

    /// How the connection is secured.
    public enum Security: String, Sendable {
        case plain
        case startTLS
        case implicitTLS
    }

    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// For HTTP: path and query, at least `/`.
    public var resource: String
    /// A user name given in the URL (`imaps://alice@host`); a password in the URL is refused.
    public var user: String?

    public var security: Security {
        switch scheme {
        case .imap, .pop3, .smtp: return .startTLS
        case .imaps, .pop3s, .smtps, .tls, .https: return .implicitTLS
        case .autodiscover, .autodiscoverHTTPS, .mapiHTTPS, .ewsHTTPS, .activesyncHTTPS, .owaHTTPS, .graphHTTPS, .tokenHTTPS:
            return .implicitTLS
        case .tcp, .http, .dns: return .plain
        }
    }

    public var path: AccessPath {
        switch scheme {
        case .imap, .imaps: return .imap
        case .pop3, .pop3s: return .pop3
        case .smtp, .smtps: return .smtpSubmission
        case .tls: return .tls
        case .tcp: return .tcp
        case .http, .https: return .http
        case .autodiscover, .autodiscoverHTTPS: return .autodiscover
        case .mapiHTTPS: return .mapiHTTP
        case .ewsHTTPS: return .ews
        case .activesyncHTTPS: return .activesync
        case .owaHTTPS: return .owa
        case .graphHTTPS: return .graph
        case .tokenHTTPS: return .token
        case .dns: return .dns
        }
    }

    /// The value of a query parameter (`?email=…`), percent-decoded; names match without case.
    public func parameter(_ name: String) -> String? {
        guard let query = resource.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts[0].lowercased() == name.lowercased() else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            return raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? raw
        }
        return nil
    }

    /// The path without the query, at least `/`.
    public var pathOnly: String {
        String(resource.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "/")
    }

    /// The target written back as a URL, without credentials.
    public var displayString: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let userPart = user.map { "\($0)@" } ?? ""
        let tail = scheme.keepsResource ? resource : ""
        if scheme == .dns || scheme == .autodiscover {
            return "\(scheme.rawValue)://\(hostPart)\(tail.hasPrefix("/?") || tail == "/" ? String(tail.dropFirst()) : tail)"
        }
        return "\(scheme.rawValue)://\(userPart)\(hostPart):\(port)\(tail)"
    }

    public init(scheme: Scheme, host: String, port: Int, resource: String = "/", user: String? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.resource = resource
        self.user = user
    }

    /// Parses a target URL; the error names what is wrong and how to fix it.
    public init(parsing text: String) throws(TargetError) {
        guard let schemeEnd = text.range(of: "://") else {
            throw TargetError("'\(text)' is not a target URL: write SCHEME://HOST[:PORT], for example imaps://mail.example.com")
        }
        let schemeText = String(text[..<schemeEnd.lowerBound]).lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            let known = Scheme.allCases.map(\.rawValue).joined(separator: ", ")
            throw TargetError("unknown scheme '\(schemeText)' in '\(text)': use one of \(known)")
        }
        guard let components = URLComponents(string: text) else {
            throw TargetError("'\(text)' is not a valid URL")
        }
        if components.password != nil {
            throw TargetError("the URL '\(scheme.rawValue)://…' carries a password: pass it with --password-env or --password-file instead")
        }
        var host = components.host ?? ""
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw TargetError("'\(text)' has no host: write \(scheme.rawValue)://HOST[:PORT]")
        }
        let port: Int
        if let given = components.port {
            guard (1...65535).contains(given) else {
                throw TargetError("port \(given) in '\(text)' is out of range 1-65535")
            }
            port = given
        } else if let defaultPort = Self.defaultPort(for: scheme) {
            port = defaultPort
        } else {
            throw TargetError("\(scheme.rawValue):// needs a port: write \(scheme.rawValue)://\(host):PORT")
        }
        var resource = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { resource += "?" + query }
        self.init(
            scheme: scheme,
            host: host,
            port: port,
            resource: resource,
            user: components.user?.removingPercentEncoding
        )
        try validateParameters(text)
    }

    /// The parameters each access-path scheme needs, checked at parse time.
    func validateParameters(_ text: String) throws(TargetError) {
        switch scheme {
        case .autodiscover, .autodiscoverHTTPS:
            guard let email = parameter("email"), Self.isAddress(email) else {
                throw TargetError("\(scheme.rawValue):// needs the mailbox to discover: add ?email=USER@DOMAIN to '\(text)'")
            }
            for name in ["port", "httpPort"] {
                if let value = parameter(name), !(Int(value).map { (1...65535).contains($0) } ?? false) {
                    throw TargetError("\(name)=\(value) in '\(text)' is not a port in 1-65535")
                }
            }
        case .graphHTTPS:
            guard let user = parameter("user"), !user.isEmpty, !user.contains("/") else {
                throw TargetError("graph+https:// needs the mailbox to read: add ?user=ID (object id or user principal name) to '\(text)'")
            }
        case .dns:
            let type = parameter("type") ?? "A"
            guard DNSRecordType(name: type) != nil else {
                let known = DNSRecordType.allCases.map(\.rawValue).joined(separator: ", ")
                throw TargetError("type=\(type) in '\(text)' is not a record type this probe asks for: use one of \(known)")
            }
            guard host.contains(".") || host == "localhost" else {
                throw TargetError("dns://\(host): name a fully qualified domain, for example dns://example.com?type=MX")
            }
        default:
            break
        }
    }

    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !text.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "?" })
    }

    public static func defaultPort(for scheme: Scheme) -> Int? {
        switch scheme {
        case .imap: return 143
        case .imaps: return 993
        case .pop3: return 110
        case .pop3s: return 995
        case .smtp: return 587
        case .smtps: return 465
        case .http: return 80
        case .https: return 443
        case .autodiscover, .autodiscoverHTTPS, .mapiHTTPS, .ewsHTTPS, .activesyncHTTPS, .owaHTTPS, .graphHTTPS, .tokenHTTPS: return 443
        case .dns: return 53
        case .tls, .tcp: return nil
        }
    }
}

/// A target URL that cannot be probed; the message names the problem and the fix.
public struct TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
