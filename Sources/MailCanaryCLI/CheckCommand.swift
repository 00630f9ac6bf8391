import ArgumentParser
import Foundation
import MailCanaryCore
import MailProbing
import NIOCore
import NIOPosix

/// `mailcanary check URL`: one deep, layer-by-layer test of one target.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Probe one target layer by layer and say which layer broke.",
        discussion: """
        Schemes: imap (STARTTLS, 143), imaps (993), pop3 (STLS, 110), pop3s (995), smtp (submission with \
        STARTTLS, 587), smtps (465), tls://HOST:PORT, tcp://HOST:PORT, http, https; \
        autodiscover://DOMAIN?email=A (full discovery), autodiscover+https://HOST/?email=A, mapi+https://HOST, \
        ews+https://HOST, activesync+https://HOST, owa+https://HOST, graph+https://HOST/?user=ID, \
        token+https://HOST/TENANT, dns://NAME?type=MX|SRV|CNAME|A|AAAA|TXT|NS.
        Without credentials an Exchange path is checked at its anonymous depth (401 with a challenge is healthy).
        Exit status: 0 the target is healthy, 1 the target failed, 2 a usage or configuration error.
        """
    )

    @Argument(help: "The target URL, for example imaps://mail.example.com")
    var url: String

    @Option(help: "User name for authentication.")
    var user: String?

    @Option(name: .customLong("password-env"), help: ArgumentHelp("Read the password from this environment variable.", valueName: "NAME"))
    var passwordEnv: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp("Read the password from the first line of this file.", valueName: "PATH"))
    var passwordFile: String?

    @Option(name: .customLong("oauth-token-env"), help: ArgumentHelp("Read an OAuth2 access token (XOAUTH2/Bearer) from this variable.", valueName: "NAME"))
    var oauthTokenEnv: String?

    @Option(name: .customLong("token-url"), help: ArgumentHelp("Fetch the OAuth2 token from this token endpoint (token step).", valueName: "URL"))
    var tokenURL: String?

    @Option(name: .customLong("client-id"), help: "OAuth2 client id, with --token-url.")
    var clientID: String?

    @Option(name: .customLong("client-secret-env"), help: ArgumentHelp("Read the OAuth2 client secret from this variable.", valueName: "NAME"))
    var clientSecretEnv: String?

    @Option(name: .customLong("refresh-token-env"), help: ArgumentHelp("Use the refresh-token grant with the token in this variable.", valueName: "NAME"))
    var refreshTokenEnv: String?

    @Option(help: "OAuth2 scope (default https://outlook.office365.com/.default; for graph+https https://graph.microsoft.com/.default).")
    var scope: String?

    @Option(help: "Entra ID tenant (GUID or domain): the token endpoint is https://login.microsoftonline.com/TENANT/oauth2/v2.0/token unless --token-url says otherwise.")
    var tenant: String?

    @Option(name: .customLong("dns-server"), help: ArgumentHelp("Ask this DNS server (IP[:PORT]) instead of the system's, for every resolve step.", valueName: "ADDRESS"))
    var dnsServer: String?

    @Option(help: "One deadline for the whole exchange, e.g. 5s or 750ms (default 10s).")
    var timeout: String = "10s"

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Trust only the CA certificates in this PEM file.", valueName: "PATH"))
    var caFile: String?

    @Flag(help: "Report certificate problems but continue.")
    var insecure = false

    @Option(name: .customLong("mail-from"), help: "SMTP sender address (default the user name).")
    var mailFrom: String?

    @Option(name: .customLong("send-test-to"), help: "SMTP: deliver a real test message to this address (mailflow step).")
    var sendTestTo: String?

    @Option(help: "IMAP mailbox to select (default INBOX).")
    var mailbox: String = "INBOX"

    @Flag(help: "Print one JSON object instead of the step tree.")
    var json = false

    @Flag(help: "Show the conversation (credentials redacted) in the step tree.")
    var transcript = false

    func run() async throws {
        let target: ProbeTarget
        do {
            target = try ProbeTarget(parsing: url)
        } catch {
            throw UsageError("URL: \(error.message)")
        }
        let settings = try makeSettings(target: target)
        let trust: TrustEvaluator
        do {
            trust = try TrustEvaluator(options: settings.tls)
        } catch {
            throw UsageError("--ca-file: \(error.message)")
        }
        let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, trust: trust)
        let result = await runner.run(target, settings: settings, now: Date())
        if json {
            print(try ResultPrinter.json(result))
        } else {
            print(ResultPrinter.tree(result, showTranscript: transcript))
        }
        if result.outcome != .ok { throw ExitCode(1) }
    }

    func makeSettings(target: ProbeTarget) throws(UsageError) -> ProbeSettings {
        var settings = ProbeSettings()
        guard let duration = DurationParser.parse(timeout) else {
            throw UsageError("--timeout \(timeout): write a positive duration such as 5s, 750ms or 2m")
        }
        guard duration <= .seconds(600) else { throw UsageError("--timeout \(timeout): at most 10m") }
        settings.timeout = duration
        if let caFile, insecure {
            throw UsageError("--ca-file \(caFile) and --insecure contradict each other: choose one")
        }
        settings.tls = TLSOptions(caFile: caFile, insecure: insecure)
        if passwordEnv != nil && passwordFile != nil {
            throw UsageError("--password-env and --password-file: give only one")
        }
        if oauthTokenEnv != nil && tokenURL != nil {
            throw UsageError("--oauth-token-env and --token-url: give only one token source")
        }
        var credentials = Credentials(user: user ?? target.user)
        if let passwordEnv { credentials.password = try SecretSource.environment(passwordEnv, option: "--password-env") }
        if let passwordFile { credentials.password = try SecretSource.file(passwordFile, option: "--password-file") }
        if let oauthTokenEnv {
            credentials.token = StaticTokenProvider(try SecretSource.environment(oauthTokenEnv, option: "--oauth-token-env"))
        }
        if let dnsServer {
            guard let server = DNSServer(parsing: dnsServer) else {
                throw UsageError("--dns-server \(dnsServer): give an IP address with an optional port, e.g. 127.0.0.1 or [::1]:5353")
            }
            settings.dnsServer = server
        }
        if let tenant, tenant.isEmpty || tenant.contains(where: { $0 == "/" || $0.isWhitespace }) {
            throw UsageError("--tenant '\(tenant)': give a tenant id (GUID) or a domain such as contoso.onmicrosoft.com")
        }
        var tokenURL = self.tokenURL
        if target.scheme == .tokenHTTPS {
            guard tokenURL == nil else { throw UsageError("--token-url: a token+https:// target is the token endpoint itself; drop --token-url") }
            guard let url = TokenProber.endpointURL(for: target, tenant: tenant) else {
                throw UsageError("URL: token+https://HOST/TENANT needs the tenant in the path, or --tenant")
            }
            tokenURL = url
        } else if tokenURL == nil, let tenant, clientID != nil {
            tokenURL = TokenProber.microsoftEndpointURL(tenant: tenant)
        }
        if let tokenURL {
            guard let endpoint = OAuth2TokenProvider.Endpoint(url: tokenURL) else {
                throw UsageError("--token-url \(tokenURL): write an http(s) URL such as https://login.microsoftonline.com/TENANT/oauth2/v2.0/token")
            }
            guard let clientID, !clientID.isEmpty else { throw UsageError("--token-url needs --client-id") }
            let secret = try clientSecretEnv.map { name throws(UsageError) in try SecretSource.environment(name, option: "--client-secret-env") }
            let grant: OAuth2TokenProvider.Grant
            if let refreshTokenEnv {
                grant = .refreshToken(try SecretSource.environment(refreshTokenEnv, option: "--refresh-token-env"))
            } else {
                guard secret != nil else { throw UsageError("--token-url with the client-credentials grant needs --client-secret-env") }
                grant = .clientCredentials
            }
            credentials.token = OAuth2TokenProvider(endpoint: endpoint, clientID: clientID, clientSecret: secret,
                                                    scope: scope ?? TokenProber.defaultScope(for: target.scheme), grant: grant)
        } else if clientID != nil || clientSecretEnv != nil || refreshTokenEnv != nil {
            throw UsageError("--client-id, --client-secret-env and --refresh-token-env need --token-url or --tenant")
        } else if target.scheme == .tokenHTTPS {
            throw UsageError("token+https:// needs --client-id with --client-secret-env (or --refresh-token-env)")
        }
        let userless: Set<AccessPath> = [.http, .graph, .token, .dns, .autodiscover]
        if (credentials.password != nil || credentials.token != nil), (credentials.user ?? "").isEmpty, !userless.contains(target.path) {
            throw UsageError("a password or token was given without --user: name the mailbox user")
        }
        settings.credentials = credentials
        settings.mailFrom = mailFrom
        settings.sendTestMessageTo = sendTestTo
        guard !mailbox.isEmpty, !mailbox.contains(where: \.isNewline) else { throw UsageError("--mailbox: give a mailbox name on one line") }
        settings.mailbox = mailbox
        return settings
    }
}
