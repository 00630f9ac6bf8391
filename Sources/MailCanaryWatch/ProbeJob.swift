import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailProbing
import MailCanaryStorage
import NIOCore

/// One configured probe made ready to run: its target, its settings without secrets, and how
/// to fetch the secrets at run time. Running it never throws: a missing secret or CA file is a
/// failed result of class `config`, like any other failure of the target.
public struct ProbeJob: Sendable {
    public let probe: ProbeConfig
    let target: Result<ProbeTarget, ProbeFailure>
    let settings: ProbeSettings
    let credential: CredentialConfig?
    let tokenProvider: (any TokenProvider)?
    let runner: Result<ProbeRunner, ProbeFailure>

    /// Runs the probe once. `now` is the wall-clock start (certificates are judged at it).
    public func run(now: Date, environment: [String: String] = ProcessInfo.processInfo.environment) async -> ProbeResult {
        let target: ProbeTarget
        switch self.target {
        case .success(let parsed): target = parsed
        case .failure(let failure): return failed(failure)
        }
        let runner: ProbeRunner
        switch self.runner {
        case .success(let ready): runner = ready
        case .failure(let failure): return failed(failure)
        }
        var settings = self.settings
        if let credential {
            var credentials = Credentials(user: credential.user ?? target.user)
            if let password = credential.password {
                switch SecretReader.read(password, environment: environment) {
                case .success(let secret): credentials.password = secret
                case .failure(let error):
                    return failed(ProbeFailure(.config, reason: .invalidOption, step: .resolve,
                                               message: "credential '\(credential.name)': \(error.message)"))
                }
            }
            credentials.token = tokenProvider
            settings.credentials = credentials
        }
        return await runner.run(target, settings: settings, now: now)
    }

    func failed(_ failure: ProbeFailure) -> ProbeResult {
        ProbeResult(target: probe.target, path: probe.path, outcome: .failed, failure: failure, cause: .clientConfig,
                    durationMs: 0, steps: [], tls: nil, transcript: Transcript(), facts: [:])
    }
}

/// Builds ``ProbeJob``s from the configuration, sharing one runner per trust setting and one
/// token provider (with its token cache) per OAuth credential.
public struct ProbeJobFactory: Sendable {
    let eventLoopGroup: any EventLoopGroup
    let environment: [String: String]

    public init(eventLoopGroup: any EventLoopGroup, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.eventLoopGroup = eventLoopGroup
        self.environment = environment
    }

    /// - Parameter credentials: each service's credentials, by service id.
    public func jobs(for probes: [ProbeConfig], credentials: [String: [CredentialConfig]]) -> [ProbeJob] {
        var runners: [TLSOptions: Result<ProbeRunner, ProbeFailure>] = [:]
        var tokens: [String: (any TokenProvider)?] = [:]
        return probes.map { probe in
            let options = TLSOptions(caFile: probe.caFile, insecure: probe.insecure)
            if runners[options] == nil {
                do throws(TrustEvaluator.LoadError) {
                    runners[options] = .success(ProbeRunner(eventLoopGroup: eventLoopGroup, trust: try TrustEvaluator(options: options)))
                } catch {
                    runners[options] = .failure(ProbeFailure(.config, reason: .invalidOption, step: .tls, message: "ca_file: \(error.message)"))
                }
            }
            let target: Result<ProbeTarget, ProbeFailure>
            do throws(TargetError) {
                target = .success(try ProbeTarget(parsing: probe.target))
            } catch {
                target = .failure(ProbeFailure(.config, reason: .invalidOption, step: .resolve, message: "target: \(error.message)"))
            }
            var settings = ProbeSettings()
            settings.timeout = probe.timeout
            settings.tls = options
            if let mailbox = probe.mailbox { settings.mailbox = mailbox }
            settings.mailFrom = probe.mailFrom
            settings.sendTestMessageTo = probe.sendTestTo
            settings.dnsServer = probe.dnsServer.flatMap(DNSServer.init(parsing:))
            let credential = probe.credential.flatMap { name in credentials[probe.service]?.first { $0.name == name } }
            var provider: (any TokenProvider)?
            if let credential, let oauth = credential.oauth, case .success(let parsed) = target {
                let key = "\(probe.service)/\(credential.name)/\(parsed.scheme.rawValue)"
                if let cached = tokens[key] {
                    provider = cached
                } else {
                    provider = tokenProvider(oauth, target: parsed, tenant: probe.tenant)
                    tokens[key] = provider
                }
            }
            return ProbeJob(probe: probe, target: target, settings: settings, credential: credential,
                            tokenProvider: provider, runner: runners[options]!)
        }
    }

    func tokenProvider(_ oauth: OAuthConfig, target: ProbeTarget, tenant: String?) -> (any TokenProvider)? {
        var url = oauth.tokenURL
        if target.scheme == .tokenHTTPS {
            url = TokenProber.endpointURL(for: target, tenant: tenant)
        } else if url == nil, let tenant {
            url = TokenProber.microsoftEndpointURL(tenant: tenant)
        }
        guard let url, let endpoint = OAuth2TokenProvider.Endpoint(url: url) else { return nil }
        let secret = oauth.clientSecret.flatMap { try? SecretReader.read($0, environment: environment).get() }
        let grant: OAuth2TokenProvider.Grant
        if let refresh = oauth.refreshToken, let token = try? SecretReader.read(refresh, environment: environment).get() {
            grant = .refreshToken(token)
        } else {
            grant = .clientCredentials
        }
        return OAuth2TokenProvider(endpoint: endpoint, clientID: oauth.clientID, clientSecret: secret,
                                   scope: oauth.scope ?? TokenProber.defaultScope(for: target.scheme), grant: grant)
    }
}
