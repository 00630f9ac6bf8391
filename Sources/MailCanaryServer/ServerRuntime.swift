import Foundation
import Hummingbird
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify
import MailCanaryAdvisories
import MailCanaryStorage
import MailCanaryWatch
import NIOPosix
import ServiceLifecycle
import NIOConcurrencyHelpers
import UnixSignals

/// The composition root of `mailcanary serve`: one service group, store first, HTTP last, so
/// graceful shutdown stops taking requests first, lets running probes finish, flushes their
/// results and closes the store last.
public struct ServerRuntime: Sendable {
    public var config: WatchConfig
    public var dataDirectory: String
    public var host: String
    public var port: Int
    public var replica: String
    public var logger: Logger
    /// Marks session cookies Secure (the site is reached over HTTPS, through a proxy).
    public var secureCookies = false
    /// More services to run once detection has warmed up (the demo's live feed), given the
    /// store; they stop first.
    public var extraServices: @Sendable (any MailCanaryStore) -> [any Service] = { _ in [] }

    public init(config: WatchConfig, dataDirectory: String, host: String, port: Int, logger: Logger) {
        self.config = config
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.logger = logger
        replica = "\(ProcessInfo.processInfo.hostName)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Opens the configured store; PostgreSQL's password comes from its secret reference.
    public static func openStore(_ config: WatchConfig, dataDirectory: String, logger: Logger) throws(StartError) -> (any MailCanaryStore, (any Service)?) {
        switch config.storage.backend {
        case .sqlite:
            do {
                return (try SQLiteStore(directory: dataDirectory), nil)
            } catch {
                throw StartError(description: "data directory \(dataDirectory): cannot open the SQLite store (\(error))")
            }
        case .postgres(let postgres):
            var password: String?
            if let reference = postgres.password {
                switch SecretReader.read(reference) {
                case .success(let secret): password = secret.exposedForWire
                case .failure(let error): throw StartError(description: "storage.postgres.password: \(error.message)")
                }
            }
            let store = PostgresStore(.init(host: postgres.host, port: postgres.port, user: postgres.user, password: password,
                                            database: postgres.database), logger: logger)
            return (store, store)
        }
    }

    /// Builds the services; `run()` runs them until SIGTERM or SIGINT.
    public func makeServiceGroup() throws(StartError) -> (ServiceGroup, APIHandle) {
        let (store, storeService) = try Self.openStore(config, dataDirectory: dataDirectory, logger: logger)
        let gate = StartGate()
        let clock: @Sendable () -> Int64 = { Date().millisecondsSince1970 }
        var detectionSettings = DetectionService.Settings(config.detection)
        for tenant in config.advisories.tenants { detectionSettings.advisoryScopes[tenant.id] = tenant.watchedServices }   // nil: not scoped
        let detection = DetectionService(store: store, settings: detectionSettings, clock: clock, logger: logger)
        let writer = StoreWriter(store: store, logger: logger)
        let factory = ProbeJobFactory(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let probes = config.probes(for: .server)
        let credentials = Dictionary(uniqueKeysWithValues: config.services.map { ($0.id, $0.credentials) })
        let jobs = factory.jobs(for: probes, credentials: credentials).map { (job: $0, region: config.server.region) }
        var claim: ProbeScheduler.Claim?
        if case .postgres = config.storage.backend {
            let replica = self.replica
            let logger = self.logger
            claim = { run in
                do {
                    return try await store.claimRun(probeID: run.probeID, region: run.region, plannedAtMs: run.plannedAtMs, replica: replica)
                } catch {
                    logger.warning("cannot claim a run; skipped", metadata: ["probe": "\(run.probeID)", "error": "\(StoreErrorText.describe(error))"])
                    return false
                }
            }
        }
        let scheduler = ProbeScheduler(jobs: jobs, scheduler: config.scheduler, origin: "server", sink: writer, claim: claim,
                                       nowMs: Date().millisecondsSince1970, logger: logger)
        var notifier: NotificationService?
        if config.notifications.isEnabled {
            let config = self.config
            // The provider's planned maintenance (message center) mutes the tenant's services as configured windows do.
            notifier = NotificationService(config: config.notifications, store: store, dispatcher: ChannelDispatcher(config: config.notifications),
                                           owner: replica, clock: clock, logger: logger, plannedWindows: { now in
                let changes = (try? await store.plannedChanges(endingAfterMs: now)) ?? []
                return changes.map { change in
                    var window = MaintenanceWindowConfig(name: "Microsoft 365 planned maintenance \(change.id): \(change.title)",
                                                         startMs: change.startMs, endMs: change.endMs)
                    window.services = config.advisories.tenants.first { $0.id == change.tenant }?.services ?? []
                    return window
                }
            })
        }
        var advisories: AdvisoryService?
        if config.advisories.isEnabled {
            advisories = AdvisoryService(config: config.advisories, store: store, clock: clock, logger: logger)
        }
        var api = APIController(config: config, store: store, scheduler: scheduler, writer: writer, detection: detection, logger: logger)
        api.notifier = notifier
        api.advisories = advisories
        // A shared store may stop answering while the server runs; a local SQLite file does not.
        if storeService != nil { api.storeWatch = StoreWatch(store: store, clock: clock, logger: logger) }
        let router = Self.makeRouter(config: config, store: store, api: api, detection: detection, clock: clock, logger: logger,
                                     secureCookies: secureCookies)
        let bound = NIOLockedValueBox<Int?>(nil)
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "MailCanary"),
                              onServerRunning: { channel in bound.withLockedValue { $0 = channel.localAddress?.port } }, logger: logger)
        var services: [any Service] = []
        if let storeService { services.append(storeService) }
        if let watch = api.storeWatch { services.append(watch) }
        services.append(MigrationService(store: store, gate: gate, logger: logger))
        services.append(GatedService(gate: gate, inner: writer))
        var maintenance = MaintenanceService(store: store, retention: config.storage.retention, logger: logger)
        maintenance.access = config.access
        maintenance.notificationsKept = config.notifications.keep
        services.append(GatedService(gate: gate, inner: maintenance))
        services.append(GatedService(gate: gate, inner: detection))
        services.append(GatedService(gate: detection.warmedUp, inner: scheduler))
        if let advisories {
            // After the warm-up: detection has replayed the stored versions; new ones come live.
            services.append(GatedService(gate: detection.warmedUp, inner: advisories))
        }
        if let notifier {
            // After detection has warmed up: the incidents it re-derived at start are saved by then.
            services.append(GatedService(gate: detection.warmedUp, inner: notifier))
        }
        for extra in extraServices(store) { services.append(GatedService(gate: detection.warmedUp, inner: extra)) }
        services.append(GatedService(gate: detection.warmedUp, inner: app))
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return (group, APIHandle(bound: bound))
    }
}

extension ServerRuntime {
    /// Every route behind the security headers and the access check (``AccessPolicy`` names each).
    static func makeRouter(config: WatchConfig, store: any MailCanaryStore, api: APIController, detection: DetectionService,
                           clock: @escaping @Sendable () -> Int64, logger: Logger, secureCookies: Bool) -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: SecurityHeaders())
        if let watch = api.storeWatch { router.add(middleware: StoreOutageMiddleware(watch: watch)) }
        let sessions = SessionPolicy(idleMs: Int64(config.access.sessionIdle.components.seconds) * 1_000,
                                     maximumMs: Int64(config.access.sessionMaximum.components.seconds) * 1_000)
        router.add(middleware: AccessMiddleware(config: config, store: store, policy: sessions, clock: clock, logger: logger, token: { token in
            do {
                let caller = try await api.caller(token: token)
                return .token(id: caller.id, scope: caller.scope)
            } catch let error as APIError where error.status == .forbidden {
                // An agent's token for an agent no longer configured: the agent API says so itself.
                return .token(id: "unconfigured agent", scope: .agent)
            } catch is APIError {
                return nil
            }
            // Anything else is the store failing: the access check answers 503, not "unknown token".
        }))
        api.register(on: router)
        LoginController(config: config, store: store, clock: clock, logger: logger, secureCookies: secureCookies).register(on: router)
        let authenticate: @Sendable (Request) async throws -> Caller = { try await api.caller($0) }
        SignalController(config: config, store: store, detection: detection, logger: logger, clock: clock)
            .register(on: router, authenticate: authenticate)
        IncidentController(store: store, logger: logger, clock: clock).register(on: router, authenticate: authenticate)
        NotificationController(store: store, logger: logger).register(on: router)
        AdvisoryController(store: store, advisories: api.advisories, logger: logger, clock: clock).register(on: router)
        TokenController(store: store, logger: logger, clock: clock).register(on: router, authenticate: authenticate)
        var web = WebController(config: config, store: store, detection: detection, logger: logger, clock: clock)
        web.storeWatch = api.storeWatch
        web.register(on: router)
        return router
    }
}

/// Where the server ended up listening (port 0 picks a free one); nil until it listens.
public struct APIHandle: Sendable {
    let bound: NIOLockedValueBox<Int?>
    public var port: Int? { bound.withLockedValue { $0 } }
}
