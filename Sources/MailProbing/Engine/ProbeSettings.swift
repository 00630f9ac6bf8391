import MailCanaryCore

/// Everything a probe needs besides the target: its deadline, bounds, TLS judgement, credentials.
public struct ProbeSettings: Sendable {
    /// One deadline for the whole exchange. Default 10 s, as blackbox_exporter's default module.
    public var timeout: Duration = .seconds(10)
    public var limits = ProbeLimits()
    public var tls = TLSOptions()
    public var credentials = Credentials()
    /// The name sent in EHLO. Default a name in `.invalid` (RFC 2606) that identifies the probe.
    public var ehloName = "mailcanary.invalid"
    /// Sender for SMTP `MAIL FROM`; default the user name, else `mailcanary@<ehloName>`.
    public var mailFrom: String?
    /// When set, SMTP probes deliver a real test message to this address (`mailflow` step).
    public var sendTestMessageTo: String?
    /// When set, SMTP probes deliver this message instead of a test message (`mailflow` step):
    /// notification e-mail goes through the same layered client as the probes.
    public var outgoingMail: OutgoingMail?
    /// SMTP on a STARTTLS scheme: false leaves the session in plain text (a relay on loopback
    /// that the configuration says has no TLS). Probes always upgrade.
    public var upgradeToTLS = true
    /// Mailbox selected by IMAP probes. Default INBOX.
    public var mailbox = "INBOX"
    /// The DNS server for every `resolve` step and DNS probe; nil for the system's resolver.
    public var dnsServer: DNSServer?

    public init() {}
}
