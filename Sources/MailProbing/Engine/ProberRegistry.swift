import MailCanaryCore

/// The probers by URL scheme. Adding an access path means adding a prober file and one line here.
public struct ProberRegistry: Sendable {
    private var probers: [ProbeTarget.Scheme: any Prober]

    public init(_ probers: [ProbeTarget.Scheme: any Prober]) {
        self.probers = probers
    }

    public static let standard = ProberRegistry([
        .imap: IMAPProber(), .imaps: IMAPProber(),
        .pop3: POP3Prober(), .pop3s: POP3Prober(),
        .smtp: SMTPProber(), .smtps: SMTPProber(),
        .tcp: TransportProber(), .tls: TransportProber(),
        .http: HTTPProber(), .https: HTTPProber(),
        .autodiscover: AutodiscoverProber(), .autodiscoverHTTPS: AutodiscoverProber(),
        .mapiHTTPS: MAPIProber(), .ewsHTTPS: EWSProber(), .activesyncHTTPS: ActiveSyncProber(),
        .owaHTTPS: OWAProber(), .graphHTTPS: GraphProber(), .tokenHTTPS: TokenProber(),
        .dns: DNSProber(),
    ])

    public func prober(for scheme: ProbeTarget.Scheme) -> (any Prober)? {
        probers[scheme]
    }
}
