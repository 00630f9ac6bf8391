import Foundation
import MailCanaryCore
import Yams

/// Reads a YAML configuration into a ``WatchConfig``: defaults and validation in one place.
///
/// Every problem is collected, with its key path, line and fix, before anything is thrown, so
/// `mailcanary config check` shows them all at once. Relative file paths (secrets, CA files) are
/// resolved against `baseDirectory`, the configuration file's folder.
public struct ConfigLoader: Sendable {
    public var baseDirectory: String
    /// Whether files named by the configuration (CA files) must exist now. `config check` says
    /// yes; `serve` says no, and a probe whose file is missing fails with class `config`.
    public var checkFiles: Bool

    public init(baseDirectory: String, checkFiles: Bool = true) {
        self.baseDirectory = baseDirectory
        self.checkFiles = checkFiles
    }

    /// Reads and validates a file.
    public static func load(file: String, checkFiles: Bool = true) throws(ConfigProblems) -> WatchConfig {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            let reason = !FileManager.default.fileExists(atPath: file) ? "no such file"
                : !FileManager.default.isReadableFile(atPath: file) ? "permission denied" : "not UTF-8 text"
            throw ConfigProblems(file: file, problems: [ConfigProblem(
                keyPath: "", line: nil, message: "cannot be read (\(reason))",
                fix: "check the path and that the file is readable UTF-8 text")])
        }
        let folder = (file as NSString).deletingLastPathComponent
        return try ConfigLoader(baseDirectory: folder.isEmpty ? "." : folder, checkFiles: checkFiles).load(text: text, file: file)
    }

    public func load(text: String, file: String) throws(ConfigProblems) -> WatchConfig {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigProblems(file: file, problems: [ConfigProblem(
                    keyPath: "", line: nil, message: "is empty", fix: "start from the sample: mailcanary config sample")])
            }
            root = node
        } catch let problems as ConfigProblems {
            throw problems
        } catch let error as YamlError {
            throw ConfigProblems(file: file, problems: [Self.syntaxProblem(error)])
        } catch {
            throw ConfigProblems(file: file, problems: [ConfigProblem(
                keyPath: "", line: nil, message: "is not YAML", fix: "check the indentation and quoting")])
        }
        let log = ProblemLog()
        let config = read(ConfigCursor(node: root, keyPath: "", log: log))
        if log.problems.isEmpty, let config { return config }
        // In file order; problems without a line (cross-checks) last.
        let ordered = log.problems.enumerated().sorted { a, b in
            (a.element.line ?? .max, a.offset) < (b.element.line ?? .max, b.offset)
        }.map(\.element)
        throw ConfigProblems(file: file, problems: ordered)
    }

    // MARK: - Sections

    private func read(_ root: ConfigCursor) -> WatchConfig? {
        guard let top = root.mapping(allowed: ["server", "storage", "scheduler", "detection", "access", "defaults", "agents", "services",
                                               "notifications", "advisories"],
                                     required: ["services"]) else { return nil }
        var config = WatchConfig()
        config.server.dataDirectory = resolvePath(config.server.dataDirectory)
        if let server = top["server"] { config.server = readServer(server) }
        if let storage = top["storage"] { config.storage = readStorage(storage) }
        if let scheduler = top["scheduler"] { config.scheduler = readScheduler(scheduler) }
        if let detection = top["detection"] { config.detection = readDetection(detection, retention: config.storage.retention) }
        if let access = top["access"] { config.access = readAccess(access) }
        let defaults = top["defaults"].map(readDefaults) ?? ProbeDefaults(region: config.server.region)
        if let agents = top["agents"] { config.agents = readAgents(agents) }
        if let services = top["services"] { config.services = readServices(services, defaults: defaults) }
        if let notifications = top["notifications"] {
            config.notifications = readNotifications(notifications, services: config.services.map(\.id))
        }
        if let advisories = top["advisories"] {
            config.advisories = readAdvisories(advisories, services: config.services.map(\.id))
        }
        checkRegions(config, root: root, services: top["services"])
        return config
    }

    private func readServer(_ cursor: ConfigCursor) -> ServerConfig {
        var server = ServerConfig()
        server.dataDirectory = resolvePath(server.dataDirectory)
        guard let keys = cursor.mapping(allowed: ["host", "port", "region", "data_dir"]) else { return server }
        if let host = keys["host"]?.string() { server.host = host }
        if let port = keys["port"]?.int(in: 1...65_535) { server.port = port }
        if let region = keys["region"]?.name(what: "region name") { server.region = region }
        if let dir = keys["data_dir"]?.string() { server.dataDirectory = resolvePath(dir) }
        return server
    }

    private func readStorage(_ cursor: ConfigCursor) -> StorageConfig {
        var storage = StorageConfig()
        guard let keys = cursor.mapping(allowed: ["backend", "postgres", "retention"]) else { return storage }
        let backend = keys["backend"]?.string() ?? "sqlite"
        switch backend {
        case "sqlite":
            if let postgres = keys["postgres"] {
                postgres.problem("is set but backend is sqlite", fix: "set backend: postgres, or remove the postgres: section")
            }
        case "postgres":
            if let section = keys["postgres"] {
                storage.backend = .postgres(readPostgres(section))
            } else {
                keys["backend"]?.problem("postgres needs a postgres: section",
                                         fix: "add postgres: {host: ..., port: 5432, user: ..., database: ..., password: {env: NAME}}")
            }
        default:
            keys["backend"]?.problem("'\(backend)' is not a storage backend", fix: "write sqlite or postgres")
        }
        if let retention = keys["retention"] {
            storage.retention = readRetention(retention)
        }
        return storage
    }

    private func readPostgres(_ cursor: ConfigCursor) -> PostgresConfig {
        var postgres = PostgresConfig()
        guard let keys = cursor.mapping(allowed: ["host", "port", "user", "database", "password"]) else { return postgres }
        if let host = keys["host"]?.string() { postgres.host = host }
        if let port = keys["port"]?.int(in: 1...65_535) { postgres.port = port }
        if let user = keys["user"]?.string() { postgres.user = user }
        if let database = keys["database"]?.string() { postgres.database = database }
        if let password = keys["password"]?.secret() { postgres.password = resolve(password) }
        return postgres
    }

    private func readRetention(_ cursor: ConfigCursor) -> RetentionConfig {
        var retention = RetentionConfig()
        guard let keys = cursor.mapping(allowed: ["raw", "minute", "hour"]) else { return retention }
        let day = Duration.seconds(86_400)
        if let raw = keys["raw"]?.duration(in: .seconds(3_600)...(day * 3_650)) { retention.raw = raw }
        if let minute = keys["minute"]?.duration(in: .seconds(3_600)...(day * 3_650)) { retention.minute = minute }
        if let hour = keys["hour"]?.duration(in: day...(day * 3_650)) { retention.hour = hour }
        if retention.minute < retention.raw {
            (keys["minute"] ?? cursor).problem("per-minute rollups would be dropped before the raw results they summarise",
                                                fix: "keep minute at least as long as raw (\(ConfigCursor.format(retention.raw)))")
        }
        if retention.hour < retention.minute {
            (keys["hour"] ?? cursor).problem("per-hour rollups would be dropped before the per-minute ones",
                                              fix: "keep hour at least as long as minute (\(ConfigCursor.format(retention.minute)))")
        }
        return retention
    }

    private func readDetection(_ cursor: ConfigCursor, retention: RetentionConfig) -> DetectionConfig {
        var detection = DetectionConfig()
        guard let keys = cursor.mapping(allowed: ["warmup", "lateness", "blip_minutes", "resolve_minutes", "reporter_window"]) else {
            return detection
        }
        let day = Duration.seconds(86_400)
        if let warmup = keys["warmup"]?.duration(in: .seconds(3_600)...(day * 31)) { detection.warmup = warmup }
        if let lateness = keys["lateness"]?.duration(in: .zero...(.seconds(300))) { detection.lateness = lateness }
        if let blip = keys["blip_minutes"]?.int(in: 0...60) { detection.blipMinutes = blip }
        if let resolve = keys["resolve_minutes"]?.int(in: 1...1_440) { detection.resolveMinutes = resolve }
        if let window = keys["reporter_window"]?.duration(in: .seconds(60)...day) { detection.reporterWindow = window }
        if detection.warmup > retention.raw {
            (keys["warmup"] ?? cursor).problem("the stored signals are kept only \(ConfigCursor.format(retention.raw)) (storage.retention.raw), so a warm-up of \(ConfigCursor.format(detection.warmup)) cannot be replayed",
                                               fix: "shorten warmup or lengthen storage.retention.raw")
        }
        return detection
    }

    private func readAccess(_ cursor: ConfigCursor) -> AccessConfig {
        var access = AccessConfig()
        guard let keys = cursor.mapping(allowed: ["anonymous", "session_idle", "session_max"]) else { return access }
        if let anonymous = keys["anonymous"], let text = anonymous.string() {
            if let value = AccessConfig.Anonymous(rawValue: text) {
                access.anonymous = value
            } else {
                anonymous.problem("'\(text)' is not an access level", fix: "write none (only the public pages) or read (the dashboard and read API too)")
            }
        }
        if let idle = keys["session_idle"]?.duration(in: .seconds(60)...(.seconds(86_400))) { access.sessionIdle = idle }
        if let maximum = keys["session_max"]?.duration(in: .seconds(300)...(.seconds(30 * 86_400))) { access.sessionMaximum = maximum }
        if access.sessionIdle > access.sessionMaximum {
            (keys["session_idle"] ?? cursor).problem("a session would end by its maximum (\(ConfigCursor.format(access.sessionMaximum))) before it could be idle for \(ConfigCursor.format(access.sessionIdle))",
                                                     fix: "make session_idle shorter than session_max")
        }
        return access
    }

    private func readScheduler(_ cursor: ConfigCursor) -> SchedulerConfig {
        var scheduler = SchedulerConfig()
        guard let keys = cursor.mapping(allowed: ["concurrency", "jitter"]) else { return scheduler }
        if let concurrency = keys["concurrency"]?.int(in: 1...10_000) { scheduler.concurrency = concurrency }
        if let jitter = keys["jitter"]?.double(in: 0...1) { scheduler.jitter = jitter }
        return scheduler
    }

    struct ProbeDefaults {
        var interval: Duration = .seconds(60)
        var timeout: Duration = .seconds(15)
        var regions: [String]
        init(region: String) { regions = [region] }
    }

    private func readDefaults(_ cursor: ConfigCursor) -> ProbeDefaults {
        var defaults = ProbeDefaults(region: "local")
        guard let keys = cursor.mapping(allowed: ["interval", "timeout", "regions"]) else { return defaults }
        if let interval = keys["interval"]?.duration(in: .seconds(1)...(.seconds(86_400))) { defaults.interval = interval }
        if let timeout = keys["timeout"]?.duration(in: .milliseconds(100)...(.seconds(600))) { defaults.timeout = timeout }
        if let regions = keys["regions"].flatMap(readRegions) { defaults.regions = regions }
        return defaults
    }

    private func readRegions(_ cursor: ConfigCursor) -> [String]? {
        guard let items = cursor.sequence() else { return nil }
        let names = items.compactMap { $0.name(what: "region name") }
        guard names.count == items.count else { return nil }
        if names.isEmpty {
            cursor.problem("lists no region", fix: "name at least one region, such as [local]")
            return nil
        }
        if Set(names).count != names.count {
            cursor.problem("names a region twice", fix: "list each region once")
        }
        return names
    }

    private func readAgents(_ cursor: ConfigCursor) -> [AgentConfig] {
        var agents: [AgentConfig] = []
        for item in cursor.sequence() ?? [] {
            guard let keys = item.mapping(allowed: ["id", "region"], required: ["id", "region"]),
                  let id = keys["id"]?.name(what: "agent id"),
                  let region = keys["region"]?.name(what: "region name") else { continue }
            if agents.contains(where: { $0.id == id }) {
                keys["id"]?.problem("agent '\(id)' is defined twice", fix: "give each agent its own id")
                continue
            }
            agents.append(AgentConfig(id: id, region: region))
        }
        return agents
    }

    private func readServices(_ cursor: ConfigCursor, defaults: ProbeDefaults) -> [ServiceConfig] {
        var services: [ServiceConfig] = []
        guard let items = cursor.sequence() else { return [] }
        if items.isEmpty {
            cursor.problem("lists no service", fix: "add at least one service with its probes (see mailcanary config sample)")
        }
        for item in items {
            guard let service = readService(item, defaults: defaults) else { continue }
            if services.contains(where: { $0.id == service.id }) {
                item.problem("service '\(service.id)' is defined twice", fix: "give each service its own id")
                continue
            }
            services.append(service)
        }
        return services
    }

    private func readService(_ cursor: ConfigCursor, defaults: ProbeDefaults) -> ServiceConfig? {
        guard let keys = cursor.mapping(allowed: ["id", "name", "kind", "tenant", "credentials", "probes"],
                                        required: ["id", "kind"]),
              let id = keys["id"]?.name(what: "service id") else { return nil }
        var kind = ServiceConfig.Kind.mailHost
        if let kindCursor = keys["kind"], let text = kindCursor.string() {
            if let parsed = ServiceConfig.Kind(rawValue: text) {
                kind = parsed
            } else {
                kindCursor.problem("'\(text)' is not a service kind",
                                   fix: "write one of \(ServiceConfig.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var service = ServiceConfig(id: id, name: keys["name"]?.string() ?? id, kind: kind)
        service.tenant = keys["tenant"]?.string()
        if let credentials = keys["credentials"] {
            service.credentials = readCredentials(credentials)
        }
        if let probes = keys["probes"] {
            service.probes = readProbes(probes, service: service, defaults: defaults)
        }
        return service
    }

    private func readCredentials(_ cursor: ConfigCursor) -> [CredentialConfig] {
        guard case .mapping(let mapping) = cursor.node else {
            cursor.problem("expected a mapping of credential names", fix: "write e.g. credentials: {probe: {user: ..., password: {env: NAME}}}")
            return []
        }
        var credentials: [CredentialConfig] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.string else { continue }
            let item = cursor.child(name, value)
            guard let keys = item.mapping(allowed: ["user", "password", "oauth"]) else { continue }
            var credential = CredentialConfig(name: name)
            credential.user = keys["user"]?.string()
            credential.password = keys["password"]?.secret().map(resolve)
            if let oauth = keys["oauth"] { credential.oauth = readOAuth(oauth) }
            if credential.password == nil, credential.oauth == nil, keys["password"] == nil {
                item.problem("has neither a password nor oauth", fix: "add password: {env: NAME} or an oauth: section")
            }
            credentials.append(credential)
        }
        return credentials
    }

    private func readOAuth(_ cursor: ConfigCursor) -> OAuthConfig? {
        guard let keys = cursor.mapping(allowed: ["token_url", "client_id", "client_secret", "refresh_token", "scope"],
                                        required: ["client_id"]),
              let clientID = keys["client_id"]?.string() else { return nil }
        var oauth = OAuthConfig(clientID: clientID)
        if let url = keys["token_url"], let text = url.string() {
            if text.hasPrefix("https://") || text.hasPrefix("http://") {
                oauth.tokenURL = text
            } else {
                url.problem("'\(text)' is not an http(s) URL", fix: "write e.g. https://login.microsoftonline.com/TENANT/oauth2/v2.0/token")
            }
        }
        oauth.clientSecret = keys["client_secret"]?.secret().map(resolve)
        oauth.refreshToken = keys["refresh_token"]?.secret().map(resolve)
        oauth.scope = keys["scope"]?.string()
        if oauth.clientSecret == nil, oauth.refreshToken == nil, keys["client_secret"] == nil, keys["refresh_token"] == nil {
            cursor.problem("names no client secret", fix: "add client_secret: {env: NAME} (or refresh_token: {env: NAME})")
        }
        return oauth
    }

    private func readProbes(_ cursor: ConfigCursor, service: ServiceConfig, defaults: ProbeDefaults) -> [ProbeConfig] {
        var probes: [ProbeConfig] = []
        var sourceIndex: [String: Int] = [:]
        let items = cursor.sequence()
        for (index, item) in (items ?? []).enumerated() {
            guard let probe = readProbe(item, service: service, defaults: defaults) else { continue }
            if let other = sourceIndex[probe.id] {
                item.problem("probe '\(probe.id)' already exists (\(cursor.keyPath)[\(other)])",
                             fix: "give one of them a name:, such as name: \(probe.path.rawValue)-2")
                continue
            }
            sourceIndex[probe.id] = index
            probes.append(probe)
        }
        if probes.isEmpty, items?.isEmpty == true {
            cursor.problem("lists no probe", fix: "add at least one probe with a target:")
        }
        return probes
    }

    private func readProbe(_ cursor: ConfigCursor, service: ServiceConfig, defaults: ProbeDefaults) -> ProbeConfig? {
        guard let keys = cursor.mapping(
            allowed: ["target", "name", "credential", "interval", "timeout", "regions", "ca_file", "insecure",
                      "mailbox", "mail_from", "send_test_to", "dns_server", "tenant"],
            required: ["target"]),
            let targetCursor = keys["target"], let text = targetCursor.string() else { return nil }
        let target: ProbeTarget
        do {
            target = try ProbeTarget(parsing: text)
        } catch {
            targetCursor.problem(error.message, fix: "write a URL as mailcanary check takes it, such as imaps://mail.example.com")
            return nil
        }
        let name = keys["name"]?.name(what: "probe name") ?? target.path.rawValue
        let interval = keys["interval"]?.duration(in: .seconds(1)...(.seconds(86_400))) ?? defaults.interval
        let timeout = keys["timeout"]?.duration(in: .milliseconds(100)...(.seconds(600))) ?? defaults.timeout
        var probe = ProbeConfig(id: "\(service.id)/\(name)", service: service.id, path: target.path, target: text,
                                interval: interval, timeout: timeout,
                                regions: keys["regions"].flatMap(readRegions) ?? defaults.regions)
        if timeout >= interval {
            (keys["timeout"] ?? keys["interval"] ?? cursor).problem(
                "\(ConfigCursor.format(timeout)) is not shorter than the interval (\(ConfigCursor.format(interval))); the probe would still run when its next start comes",
                fix: "make the timeout shorter than the interval")
        }
        if let credential = keys["credential"], let credentialName = credential.string() {
            if let found = service.credential(named: credentialName) {
                probe.credential = found.name
                if target.scheme == .tokenHTTPS, found.oauth == nil {
                    credential.problem("a token+https probe needs a credential with oauth:", fix: "add an oauth: section to credentials.\(credentialName)")
                }
            } else {
                let known = service.credentials.map(\.name)
                credential.problem("no credential '\(credentialName)' in service '\(service.id)'",
                                   fix: known.isEmpty ? "define it under credentials:" : "use one of \(known.joined(separator: ", "))")
            }
        } else if target.scheme == .tokenHTTPS {
            cursor.problem("a token+https probe needs a credential", fix: "add credential: NAME naming a credential with an oauth: section")
        }
        if let ca = keys["ca_file"], let path = ca.string() {
            let resolved = resolvePath(path)
            if !checkFiles || FileManager.default.isReadableFile(atPath: resolved) {
                probe.caFile = resolved
            } else {
                ca.problem("cannot read \(resolved)", fix: "give the path of a PEM file with the CA certificates (relative paths start at the configuration's folder)")
            }
        }
        probe.insecure = keys["insecure"]?.bool() ?? false
        if probe.insecure, probe.caFile != nil {
            (keys["insecure"] ?? cursor).problem("insecure: true and ca_file contradict each other", fix: "keep one of them")
        }
        probe.mailbox = keys["mailbox"]?.string()
        probe.mailFrom = keys["mail_from"]?.string()
        probe.sendTestTo = keys["send_test_to"]?.string()
        if let dns = keys["dns_server"], let server = dns.string() {
            if Self.isAddress(server) {
                probe.dnsServer = server
            } else {
                dns.problem("'\(server)' is not an IP address with an optional port", fix: "write e.g. 127.0.0.1, 10.0.0.53:5353 or [::1]:53")
            }
        }
        probe.tenant = keys["tenant"]?.string() ?? service.tenant
        return probe
    }

    /// Every probe region must be run by someone: the server or an agent.
    private func checkRegions(_ config: WatchConfig, root: ConfigCursor, services: ConfigCursor?) {
        let runners = Set([config.server.region] + config.agents.map(\.region))
        for (serviceIndex, service) in config.services.enumerated() {
            for (probeIndex, probe) in service.probes.enumerated() {
                for region in probe.regions where !runners.contains(region) {
                    root.log.add("services[\(serviceIndex)].probes[\(probeIndex)].regions", nil,
                                 "no one runs region '\(region)' (the server runs '\(config.server.region)'; agents run \(config.agents.isEmpty ? "nothing" : config.agents.map(\.region).joined(separator: ", ")))",
                                 fix: "add an agent with region: \(region), or remove the region")
                }
            }
        }
    }

    // MARK: - Helpers

    func resolve(_ secret: SecretReference) -> SecretReference {
        if case .file(let path) = secret { return .file(resolvePath(path)) }
        return secret
    }

    func resolvePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }

    static func isAddress(_ text: String) -> Bool {
        var host = text
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return false }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty { guard rest.hasPrefix(":"), Int(rest.dropFirst()).map({ (1...65_535).contains($0) }) == true else { return false } }
            return host.contains(":")
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count == 2 {
            guard Int(parts[1]).map({ (1...65_535).contains($0) }) == true else { return false }
            host = String(parts[0])
        } else if parts.count > 2 {
            return text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } == true }
    }

    static func syntaxProblem(_ error: YamlError) -> ConfigProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigProblem(keyPath: "", line: mark.line, message: "YAML syntax: \(problem)",
                                 fix: "check the indentation and quoting on or just before this line")
        case .duplicatedKeysInMapping(let duplicates, _):
            return ConfigProblem(keyPath: "", line: nil, message: "YAML: the key \(duplicates.joined(separator: ", ")) appears twice in one mapping",
                                 fix: "keep one of them")
        default:
            return ConfigProblem(keyPath: "", line: nil, message: "is not valid YAML", fix: "check the indentation and quoting")
        }
    }
}
