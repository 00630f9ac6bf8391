/// The whole configuration: what to watch, from where, and where to keep it.
public struct WatchConfig: Sendable, Hashable {
    public var server: ServerConfig
    public var storage: StorageConfig
    public var scheduler: SchedulerConfig
    public var detection = DetectionConfig()
    public var access = AccessConfig()
    public var notifications = NotificationConfig()
    public var advisories = AdvisoriesConfig()
    public var agents: [AgentConfig]
    public var services: [ServiceConfig]

    public init(server: ServerConfig = ServerConfig(), storage: StorageConfig = StorageConfig(),
                scheduler: SchedulerConfig = SchedulerConfig(), agents: [AgentConfig] = [],
                services: [ServiceConfig] = []) {
        self.server = server
        self.storage = storage
        self.scheduler = scheduler
        self.agents = agents
        self.services = services
    }

    public var probes: [ProbeConfig] { services.flatMap(\.probes) }

    public func service(_ id: String) -> ServiceConfig? { services.first { $0.id == id } }
    public func agent(_ id: String) -> AgentConfig? { agents.first { $0.id == id } }

    /// Every region some probe is watched from.
    public var regions: [String] {
        var seen: [String] = []
        for region in probes.flatMap(\.regions) where !seen.contains(region) { seen.append(region) }
        return seen
    }

    /// The probes one runner executes: the server runs its own region's probes; an agent runs the
    /// probes of its region, split evenly among the agents of that region by a stable hash.
    public func probes(for runner: Runner) -> [ProbeConfig] {
        switch runner {
        case .server:
            return probes.filter { $0.regions.contains(server.region) }
        case .agent(let id):
            guard let agent = agent(id) else { return [] }
            let peers = agents.filter { $0.region == agent.region }.map(\.id).sorted()
            guard let index = peers.firstIndex(of: id) else { return [] }
            return probes.filter { probe in
                probe.regions.contains(agent.region)
                    && Int(StableHash.fnv1a(probe.id) % UInt64(peers.count)) == index
            }
        }
    }

    public enum Runner: Sendable, Hashable {
        case server
        case agent(String)
    }
}

public struct ServerConfig: Sendable, Hashable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// The region the server's own probes stand for.
    public var region: String = "local"
    public var dataDirectory: String = "mailcanary-data"
    public init() {}
}

public struct StorageConfig: Sendable, Hashable {
    public enum Backend: Sendable, Hashable {
        case sqlite
        case postgres(PostgresConfig)
    }
    public var backend: Backend = .sqlite
    public var retention = RetentionConfig()
    public init() {}
}

public struct PostgresConfig: Sendable, Hashable {
    public var host: String = "127.0.0.1"
    public var port: Int = 5432
    public var user: String = "mailcanary"
    public var database: String = "mailcanary"
    public var password: SecretReference?
    public init() {}
}

/// How long each resolution is kept.
public struct RetentionConfig: Sendable, Hashable {
    public var raw: Duration = .seconds(7 * 86_400)
    public var minute: Duration = .seconds(31 * 86_400)
    public var hour: Duration = .seconds(400 * 86_400)
    public init() {}
}

public struct SchedulerConfig: Sendable, Hashable, Codable {
    /// At most this many probes run at once in one process.
    public var concurrency: Int = 64
    /// Each probe's start is offset by a stable fraction (0..<jitter) of its interval.
    public var jitter: Double = 0.5
    public init() {}
}

public struct AgentConfig: Sendable, Hashable {
    public var id: String
    public var region: String
    public init(id: String, region: String) {
        self.id = id
        self.region = region
    }
}

/// How detection runs inside `serve` (its statistical knobs keep their tested defaults).
/// Who may see what without signing in, and how long a dashboard session lasts.
public struct AccessConfig: Sendable, Hashable {
    public enum Anonymous: String, Sendable, Hashable, CaseIterable {
        /// Only the public pages (status page, feed, report form) without signing in.
        case none
        /// Also the dashboard and the read API, read-only (a wall screen, the demo).
        case read
    }

    public var anonymous: Anonymous = .none
    /// A session unused this long ends.
    public var sessionIdle: Duration = .seconds(1_800)
    /// A session ends this long after sign-in, used or not.
    public var sessionMaximum: Duration = .seconds(43_200)
    public init() {}
}

public struct DetectionConfig: Sendable, Hashable {
    /// Stored history replayed at start.
    public var warmup: Duration = .seconds(86_400)
    /// How long live signals wait for late ones before their minute is judged.
    public var lateness: Duration = .seconds(20)
    public var blipMinutes = 3
    public var resolveMinutes = 15
    /// Each reporter counts once per service within this window.
    public var reporterWindow: Duration = .seconds(7_200)
    public init() {}
}
