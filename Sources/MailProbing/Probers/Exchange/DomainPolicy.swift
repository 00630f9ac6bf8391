/// Where credentials may go (the Autodiscover credential-leak lesson: clients that fell back to
/// `autodiscover.<tld>` or followed redirects anywhere sent passwords to strangers).
///
/// A host may receive credentials when it is the configured domain or a subdomain of it, or
/// one of the explicitly allowed hosts. There is no fallback to a parent domain, ever.
public enum DomainPolicy {
    /// Microsoft 365's own Autodiscover and service hosts, which a domain hosted in Exchange
    /// Online legitimately redirects to (shared/reference §3.1, §3.3).
    public static let microsoft365Hosts: Set<String> = [
        "autodiscover-s.outlook.com", "outlook.office365.com", "outlook.office.com", "outlook.cloud.microsoft",
    ]

    /// Whether `host` is `domain` or below it.
    public static func within(_ host: String, domain: String) -> Bool {
        let host = normalized(host)
        let domain = normalized(domain)
        return host == domain || host.hasSuffix("." + domain)
    }

    /// Whether two hosts share their last two labels (a rough registrable domain; used for
    /// ActiveSync's 451, where no domain is configured).
    public static func sameDomain(_ a: String, _ b: String) -> Bool {
        registrable(a) == registrable(b)
    }

    public static func registrable(_ host: String) -> String {
        normalized(host).split(separator: ".").suffix(2).joined(separator: ".")
    }

    /// Whether credentials may be sent to `host` when probing `domain`.
    public static func mayReceiveCredentials(_ host: String, domain: String, allowed: Set<String>) -> Bool {
        within(host, domain: domain) || allowed.contains(normalized(host))
    }

    static func normalized(_ host: String) -> String {
        var text = host.lowercased()
        while text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
