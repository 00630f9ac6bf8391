import Foundation
import Hummingbird
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify
import MailCanaryAdvisories
import MailCanaryStorage
import MailCanaryWatch
import NIOConcurrencyHelpers
import NIOFoundationCompat
import HTTPTypes

/// The HTTP surface: health, metrics, the read API and the agent API.
struct APIController: Sendable {
    let config: WatchConfig
    let store: any MailCanaryStore
    let scheduler: ProbeScheduler?
    let writer: StoreWriter?
    let detection: DetectionService?
    var notifier: NotificationService?
    var advisories: AdvisoryService?
    /// Watches that the store answers (PostgreSQL); while it does not, health and metrics say so without asking it.
    var storeWatch: StoreWatch?
    let logger: Logger
    /// Bounded ingest: at most this many uploads at once; more get 429 with Retry-After.
    let ingestSlots = UploadSlots(APIController.maxConcurrentUploads)
    let sightings = NIOLockedValueBox(AgentSightings())
    static let maxConcurrentUploads = 8
    static let maxUploadBytes = 32 << 20

    init(config: WatchConfig, store: any MailCanaryStore, scheduler: ProbeScheduler?, writer: StoreWriter?,
         detection: DetectionService?, logger: Logger) {
        self.config = config
        self.store = store
        self.scheduler = scheduler
        self.writer = writer
        self.detection = detection
        self.logger = logger
    }

    func register(on router: Router<ServerRequestContext>) {
        router.get("/healthz") { _, _ in await health() }
        router.get("/metrics") { _, _ in await metrics() }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/api/v1/services") { _, _ in services() }
        router.get("/api/v1/results/latest") { request, _ in await handle { try await latest(request) } }
        router.get("/api/v1/results") { request, _ in await handle { try await results(request) } }
        router.get("/api/v1/series/history") { request, _ in await handle { try await history(request) } }
        router.get("/api/v1/agents") { _, _ in await handle { try await agents() } }
        router.get("/api/v1/agent/plan") { request, _ in await handle { try await plan(request) } }
        router.post("/api/v1/agent/results") { request, _ in await handle { try await upload(request) } }
    }

    func handle(_ body: () async throws -> Response) async -> Response {
        await respond(logger: logger, body)
    }

    // MARK: - Health and metrics

    func health() async -> Response {
        struct Health: Encodable {
            var status: String
            var store: String
            var schemaVersion: Int?
            var probes: Int
            var runsStarted: Int64?
            var schedulerLagP99Ms: Double?
            var detection: DetectionHealth?
        }
        struct DetectionHealth: Encodable {
            var warmedUp: Bool; var leading: Bool; var behind: Bool; var replayedSignals: Int; var signalsIn: Int; var waiting: Int
            var openIncidents: Int; var storeFailures: Int
        }
        var health = Health(status: "ok", store: "ok", probes: scheduler?.jobCount ?? 0)
        do {
            if storeWatch?.downSinceMs != nil { throw StoreWatch.Unreachable() }
            try await store.ping()
            health.schemaVersion = try await store.schemaVersion()
        } catch {
            health.status = "degraded"
            health.store = "unreachable"
        }
        if let status = detection?.status {
            health.detection = DetectionHealth(warmedUp: status.warmedUp, leading: status.leading, behind: status.behind,
                                               replayedSignals: status.replayedSignals, signalsIn: status.signalsIn,
                                               waiting: status.waiting, openIncidents: status.openIncidents, storeFailures: status.storeFailures)
        }
        if let snapshot = scheduler?.stats.snapshot {
            health.runsStarted = snapshot.started
            health.schedulerLagP99Ms = snapshot.lag.quantile(0.99)
        }
        return JSONResponse.make(health, status: health.status == "ok" ? .ok : .serviceUnavailable)
    }

    func metrics() async -> Response {
        let storeUp = storeWatch.map { $0.downSinceMs == nil }
        let reachable = storeUp ?? true
        let latest = reachable ? (try? await store.latest(service: nil)) ?? [] : []
        let agents = reachable ? (try? await store.agents()) ?? [] : []
        // Unknown while the store does not answer: left out rather than shown as none.
        var openIncidents: [String: Int] = [:]
        if reachable {
            openIncidents = Dictionary(uniqueKeysWithValues: config.services.map { ($0.id, 0) })
            for incident in (try? await store.incidents(openOnly: true, limit: 1_000)) ?? [] { openIncidents[incident.service, default: 0] += 1 }
        }
        var inputs = MetricsRenderer.Inputs(
            latest: latest, scheduler: scheduler?.stats.snapshot, written: writer?.written ?? 0, dropped: writer?.dropped ?? 0,
            agents: agents, agentRegions: Dictionary(uniqueKeysWithValues: config.agents.map { ($0.id, $0.region) }),
            detection: detection?.status, openIncidents: openIncidents, notifications: notifier?.status)
        inputs.storeUp = storeUp
        let text = MetricsRenderer.render(inputs)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: - Read API

    func services() -> Response {
        struct Path: Encodable { var probe: String; var path: String; var target: String; var intervalSeconds: Int64; var timeoutMs: Int64; var regions: [String] }
        struct Service: Encodable { var id: String; var name: String; var kind: String; var paths: [Path] }
        let services = config.services.map { service in
            Service(id: service.id, name: service.name, kind: service.kind.rawValue, paths: service.probes.map { probe in
                Path(probe: probe.id, path: probe.path.rawValue, target: Self.displayTarget(probe.target),
                     intervalSeconds: probe.interval.components.seconds, timeoutMs: Int64(probe.timeout.milliseconds), regions: probe.regions)
            })
        }
        return JSONResponse.make(["services": services])
    }

    /// A target without any userinfo (a password must never be echoed).
    static func displayTarget(_ target: String) -> String {
        (try? ProbeTarget(parsing: target).displayString) ?? target
    }

    func latest(_ request: Request) async throws -> Response {
        let service = request.uri.queryParameters.get("service")
        if let service, config.service(service) == nil {
            throw APIError(.notFound, "query parameter 'service': no service '\(service)'")
        }
        return JSONResponse.make(["results": try await store.latest(service: service)])
    }

    func results(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let probe = query.get("probe") else { throw APIError(.badRequest, "query parameter 'probe' is missing (e.g. probe=lab/imaps)") }
        guard config.probes.contains(where: { $0.id == probe }) else { throw APIError(.notFound, "query parameter 'probe': no probe '\(probe)'") }
        let region = query.get("region") ?? config.server.region
        let now = Date().millisecondsSince1970
        let from = try Self.time(query.get("from"), name: "from") ?? now - 3_600_000
        let to = try Self.time(query.get("to"), name: "to") ?? now + 60_000
        let limit = try query.get("limit").map { text -> Int in
            guard let value = Int(text), (1...10_000).contains(value) else { throw APIError(.badRequest, "query parameter 'limit': give a number from 1 to 10000") }
            return value
        } ?? 500
        return JSONResponse.make(["results": try await store.results(probeID: probe, region: region, fromMs: from, toMs: to, limit: limit)])
    }

    func history(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        var missing: [String] = []
        for name in ["service", "path", "region"] where query.get(name) == nil { missing.append(name) }
        guard missing.isEmpty else { throw APIError(.badRequest, "query parameter '\(missing[0])' is missing (service, path and region name a series)") }
        let series = SeriesKey(service: query.get("service")!, path: query.get("path")!, region: query.get("region")!,
                               source: query.get("source") ?? "probe")
        let resolutionText = query.get("resolution") ?? "minute"
        guard let resolution = Resolution(rawValue: resolutionText) else {
            throw APIError(.badRequest, "query parameter 'resolution': '\(resolutionText)' is not minute or hour")
        }
        let now = Date().millisecondsSince1970
        let from = try Self.time(query.get("from"), name: "from") ?? now - (resolution == .minute ? 3_600_000 : 7 * 86_400_000)
        let to = try Self.time(query.get("to"), name: "to") ?? now + 60_000
        guard from < to else { throw APIError(.badRequest, "query parameters 'from' and 'to': from must be before to") }
        struct Bucket: Encodable {
            var bucket: Int64; var total: Int64; var ok: Int64; var failed: Int64; var failureRatio: Double
            var classes: [String: Int64]; var p50Ms: Double?; var p90Ms: Double?; var p99Ms: Double?
        }
        let rollups = try await store.history(series: series, resolution: resolution, fromMs: from, toMs: to)
        let buckets = rollups.map { rollup in
            Bucket(bucket: rollup.bucketMs, total: rollup.total, ok: rollup.ok, failed: rollup.failed, failureRatio: rollup.failureRatio,
                   classes: Dictionary(uniqueKeysWithValues: rollup.byClass.map { ($0.key.rawValue, $0.value) }),
                   p50Ms: rollup.latency.quantile(0.5), p90Ms: rollup.latency.quantile(0.9), p99Ms: rollup.latency.quantile(0.99))
        }
        struct History: Encodable { var series: SeriesKey; var resolution: String; var buckets: [Bucket] }
        return JSONResponse.make(History(series: series, resolution: resolution.rawValue, buckets: buckets))
    }

    /// Milliseconds since 1970, or an ISO 8601 time.
    static func time(_ text: String?, name: String) throws -> Int64? {
        guard let text else { return nil }
        if let ms = Int64(text) { return ms }
        if let date = ISO8601DateFormatter().date(from: text) { return date.millisecondsSince1970 }
        throw APIError(.badRequest, "query parameter '\(name)': '\(text)' is neither milliseconds since 1970 nor an ISO 8601 time")
    }

    func agents() async throws -> Response {
        struct Agent: Encodable { var id: String; var region: String; var hasToken: Bool; var lastSeenMs: Int64? }
        let stored = try await store.agents()
        let list = config.agents.map { agent in
            let record = stored.first { $0.id == agent.id }
            return Agent(id: agent.id, region: agent.region, hasToken: record != nil, lastSeenMs: record?.lastSeenMs)
        }
        return JSONResponse.make(["agents": list])
    }

    // MARK: - Agent API

    /// Who the request's bearer token belongs to.
    func caller(_ request: Request) async throws -> Caller {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "), header.count > 7 else {
            throw APIError(.unauthorized, "missing Authorization: Bearer token (mailcanary agent token NAME or mailcanary token telemetry NAME issues one)")
        }
        return try await caller(token: String(header.dropFirst(7)))
    }

    /// Who a bearer token belongs to (an unknown or revoked token, or an unconfigured agent, throws).
    func caller(token: String) async throws -> Caller {
        let hash = AgentToken.hash(Secret(token))
        guard let id = try await store.agent(tokenHash: hash) else { throw APIError(.unauthorized, "unknown or revoked token") }
        if id.hasPrefix(Caller.telemetryPrefix) { return Caller(role: .telemetry(String(id.dropFirst(Caller.telemetryPrefix.count)))) }
        if id.hasPrefix(Caller.operatorPrefix) { return Caller(role: .operator(String(id.dropFirst(Caller.operatorPrefix.count)))) }
        if id.hasPrefix(Caller.readerPrefix) { return Caller(role: .reader(String(id.dropFirst(Caller.readerPrefix.count)))) }
        guard let agent = config.agent(id) else {
            throw APIError(.forbidden, "agent '\(id)' is not in the server's configuration (agents:)")
        }
        return Caller(role: .agent(agent))
    }

    /// The agent a request's bearer token belongs to, and its configured region.
    func authenticate(_ request: Request) async throws -> AgentConfig {
        let caller = try await caller(request)
        guard case .agent(let agent) = caller.role else {
            throw APIError(.forbidden, "token '\(caller.id)' is not an agent's token")
        }
        return agent
    }

    func plan(_ request: Request) async throws -> Response {
        let agent = try await authenticate(request)
        if let region = request.uri.queryParameters.get("region"), region != agent.region {
            throw APIError(.forbidden, "agent '\(agent.id)' is configured for region '\(agent.region)', not '\(region)'")
        }
        let probes = config.probes(for: .agent(agent.id))
        var credentials: [String: [CredentialConfig]] = [:]
        for service in Set(probes.map(\.service)) { credentials[service] = config.service(service)?.credentials ?? [] }
        try await store.touchAgent(agent.id, region: agent.region, nowMs: Date().millisecondsSince1970)
        return JSONResponse.make(AgentPlan(agent: agent.id, region: agent.region, scheduler: config.scheduler, probes: probes,
                                           credentials: credentials))
    }

    func upload(_ request: Request) async throws -> Response {
        let agent = try await authenticate(request)
        return try await ingestSlots.withSlot { try await store(request, from: agent) }
    }

    func store(_ request: Request, from agent: AgentConfig) async throws -> Response {
        var request = request
        let body = try await request.body(upTo: Self.maxUploadBytes,
                                          tooLarge: "the batch is larger than \(Self.maxUploadBytes >> 20) MiB; send smaller batches")
        let batch: ResultBatch
        do {
            batch = try ResultBatch(json: Array(buffer: body))
        } catch {
            throw APIError(.badRequest, "the batch is not valid: \(error)")
        }
        guard batch.agent == agent.id else {
            throw APIError(.forbidden, "this token belongs to agent '\(agent.id)'; it cannot upload for '\(batch.agent)'")
        }
        guard batch.region == agent.region else {
            throw APIError(.forbidden, "agent '\(agent.id)' is configured for region '\(agent.region)', not '\(batch.region)'")
        }
        var results: [StoredResult] = []
        results.reserveCapacity(batch.results.count)
        for (index, var result) in batch.results.enumerated() {
            guard let sequence = result.sequence, sequence > 0 else {
                throw APIError(.badRequest, "results[\(index)].sequence is missing; agents number every result")
            }
            guard result.region == agent.region else {
                throw APIError(.badRequest, "results[\(index)].region '\(result.region)' is not the agent's region '\(agent.region)'")
            }
            result.origin = "agent:\(agent.id)"
            result.sequence = sequence
            results.append(result)
        }
        // Detection reads what was new from the store (a re-sent result is stored once).
        let outcome = try await store.append(results)
        let nowMs = Date().millisecondsSince1970
        if sightings.withLockedValue({ $0.shouldWrite(agent: agent.id, nowMs: nowMs) }) {
            try await store.touchAgent(agent.id, region: agent.region, nowMs: nowMs)
        }
        logger.debug("batch stored", metadata: ["agent": "\(agent.id)", "key": "\(request.headers[.idempotencyKey] ?? "")",
                                                 "inserted": "\(outcome.inserted)", "duplicates": "\(outcome.duplicates)"])
        return JSONResponse.make(BatchReceipt(accepted: outcome.inserted, duplicates: outcome.duplicates,
                                              through: results.compactMap(\.sequence).max() ?? 0))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}
