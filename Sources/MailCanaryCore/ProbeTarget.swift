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
public struct ProbeTarget: Sendable, Equatable {
    public enum Scheme: String, Sendable, CaseIterable {
        case imap, imaps, pop3, pop3s, smtp, smtps, tls, tcp, http, https
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
        case .tcp, .http: return .plain
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
        }
    }

    /// The target written back as a URL, without credentials.
    public var displayString: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let userPart = user.map { "\($0)@" } ?? ""
        let tail = (scheme == .http || scheme == .https) ? resource : ""
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
