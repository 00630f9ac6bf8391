import Foundation
import Hummingbird
import HTTPTypes
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryIngest
import MailCanaryStorage
import MailCanaryWatch
import NIOConcurrencyHelpers

/// Signals in over HTTP: client telemetry (`POST /api/v1/telemetry`, NDJSON, token) and user
/// reports (`POST /api/v1/reports` and the public page at `/report`, no account). Everything
/// accepted is stored, and detection reads it from the store.
struct SignalController: Sendable {
    let config: WatchConfig
    let store: any MailCanaryStore
    let detection: DetectionService
    let logger: Logger
    let clock: @Sendable () -> Int64
    let slots = UploadSlots(SignalController.maxConcurrentUploads)
    let limiter = NIOLockedValueBox(ReportRateLimiter())

    static let maxConcurrentUploads = 4
    static let maxTelemetryBytes = 16 << 20
    static let maxReportBytes = 16 << 10
    static let symptoms = ["cannot-connect", "cannot-send", "cannot-receive", "slow", "password-prompts", "other"]

    func register(on router: Router<ServerRequestContext>, authenticate: @escaping @Sendable (Request) async throws -> Caller) {
        router.post("/api/v1/telemetry") { request, _ in
            await handle { try await telemetry(request, caller: try await authenticate(request)) }
        }
        router.post("/api/v1/reports") { request, context in await handle { try await report(request, context: context) } }
        router.get("/report") { request, _ in ReportPage.response(config: config, reporterCookie: Self.reporterCookie(request)) }
    }

    func handle(_ body: () async throws -> Response) async -> Response {
        await respond(logger: logger, body)
    }

    // MARK: - Telemetry

    func telemetry(_ request: Request, caller: Caller) async throws -> Response {
        guard caller.mayPostTelemetry else {
            throw APIError(.forbidden, "token '\(caller.id)' may not post telemetry (use an agent or telemetry token)")
        }
        guard let key = request.headers[.idempotencyKey], !key.isEmpty else {
            throw APIError(.badRequest, "the Idempotency-Key header is missing; give each batch a unique key (a UUID) and reuse it when retrying")
        }
        guard key.utf8.count <= 200, key.utf8.allSatisfy({ (33...126).contains($0) }) else {
            throw APIError(.badRequest, "the Idempotency-Key header must be 1 to 200 printable ASCII characters without spaces")
        }
        // Detection behind the store (it read its page limit and rows were left): 429 until it catches up.
        return try await slots.withSlot(busy: detection.status.behind) {
            try await store(request, key: key, caller: caller)
        }
    }

    func store(_ request: Request, key: String, caller: Caller) async throws -> Response {
        var request = request
        let body = try await request.body(upTo: Self.maxTelemetryBytes,
                                          tooLarge: "the upload is larger than \(Self.maxTelemetryBytes >> 20) MiB; send smaller batches")
        let bytes = Array(buffer: body)
        let now = clock()
        let outcome = SignalBatchReader(knownServices: Set(config.services.map(\.id))).read(bytes, nowMs: now)
        let problems = outcome.problems.map { TelemetryReceipt.LineProblem(line: $0.line, status: 400, error: "line \($0.line): \($0.message)") }
        var receipt = TelemetryReceipt(accepted: outcome.signals.count, rejected: outcome.badLines, duplicate: false, problems: problems,
                                       unlistedProblems: outcome.badLines - problems.count)
        guard !outcome.signals.isEmpty else {
            if outcome.badLines == 0 { throw APIError(.badRequest, "the upload has no lines; send NDJSON, one record per line") }
            return JSONResponse.make(receipt, status: .badRequest)
        }
        let batch = SignalBatch(source: caller.source, idempotencyKey: key, receivedAtMs: now, firstTimeMs: outcome.firstTimeMs,
                                lastTimeMs: outcome.lastTimeMs, lines: outcome.signals.count, body: outcome.goodText(bytes))
        switch try await store.appendSignals(batch) {
        case .stored:
            break   // detection reads it from the store
        case .duplicate(let lines):
            receipt.accepted = 0
            receipt.duplicate = true
            logger.debug("duplicate telemetry batch", metadata: ["source": "\(caller.source)", "key": "\(key)", "stored": "\(lines)"])
        }
        return JSONResponse.make(receipt, status: outcome.badLines > 0 ? HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status") : .ok)
    }

    // MARK: - Reports

    /// The fields of a report, from the page's form or from JSON.
    struct ReportFields {
        var service: String?
        var region: String?
        var client: String?
        var symptom: String?
        var text: String?
        var reporter: String?
    }

    func report(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let fromPage = request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
        let sender = Self.senderAddress(request, context: context)
        let now = clock()
        if case .refuse(let wait) = limiter.withLockedValue({ $0.admit(sender, nowMs: now) }) {
            var error = APIError(.tooManyRequests, "too many reports from your address; try again in \(wait) seconds")
            error.headers[.retryAfter] = String(wait)
            throw error
        }
        var request = request
        let body = try await request.body(upTo: Self.maxReportBytes, tooLarge: "a report is at most \(Self.maxReportBytes >> 10) KiB")
        let fields = fromPage ? Self.formFields(Array(buffer: body)) : try Self.jsonFields(Array(buffer: body))
        let cookie = Self.reporterCookie(request)
        let report = try validate(fields, reporter: fields.reporter ?? cookie ?? Self.anonymousReporter(sender, request), nowMs: now)
        let batch = SignalBatch(source: "reports", idempotencyKey: "\(report.reporter)@\(now)-\(UInt32.random(in: 0...UInt32.max))",
                                receivedAtMs: now, firstTimeMs: now, lastTimeMs: now, lines: 1, body: report.ndjsonLine + "\n")
        _ = try await store.appendSignals(batch)   // detection reads it from the store
        if fromPage {
            return ReportPage.thanks(reporterCookie: cookie == nil ? report.reporter : nil)
        }
        struct Receipt: Encodable { var received: Bool; var service: String; var region: String }
        return JSONResponse.make(Receipt(received: true, service: report.service, region: report.region), status: .accepted)
    }

    func validate(_ fields: ReportFields, reporter: String, nowMs: Int64) throws -> UserReport {
        let services = config.services.map(\.id)
        let service: String
        if let named = fields.service, !named.isEmpty {
            guard services.contains(named) else { throw APIError(.badRequest, "service: '\(named)' is not watched here (\(services.joined(separator: ", ")))") }
            service = named
        } else if services.count == 1 {
            service = services[0]
        } else {
            throw APIError(.badRequest, "service is missing (one of \(services.joined(separator: ", ")))")
        }
        let regions = Self.knownRegions(config)
        let region = (fields.region?.isEmpty == false ? fields.region! : nil) ?? "unknown"
        guard region == "unknown" || regions.contains(region) else {
            throw APIError(.badRequest, "region: '\(region)' is not a region watched here (\(regions.joined(separator: ", ")), or unknown)")
        }
        let client = ClientKind(fields.client?.isEmpty == false ? fields.client! : "unknown")
        guard client.rawValue == "unknown" || ClientKind.reportable.contains(client) else {
            throw APIError(.badRequest, "client: '\(client.rawValue)' is not one of \(ClientKind.reportable.map(\.rawValue).joined(separator: ", ")), unknown")
        }
        let symptom = fields.symptom?.isEmpty == false ? fields.symptom! : "other"
        guard Self.symptoms.contains(symptom) else {
            throw APIError(.badRequest, "symptom: '\(symptom)' is not one of \(Self.symptoms.joined(separator: ", "))")
        }
        let text = fields.text.map { String($0.prefix(2_000)) }.flatMap { $0.isEmpty ? nil : $0 }
        guard reporter.utf8.count <= 200, !reporter.isEmpty else { throw APIError(.badRequest, "reporter: give an opaque id of at most 200 bytes") }
        return UserReport(timeMs: nowMs, service: service, region: region, client: client, symptom: symptom, reporter: reporter, text: text)
    }

    static func knownRegions(_ config: WatchConfig) -> [String] {
        var regions = config.regions
        for agent in config.agents where !regions.contains(agent.region) { regions.append(agent.region) }
        if !regions.contains(config.server.region) { regions.append(config.server.region) }
        return regions
    }

    static func formFields(_ bytes: [UInt8]) -> ReportFields {
        let form = FormBody.parse(bytes)
        return ReportFields(service: form["service"], region: form["region"], client: form["client"], symptom: form["symptom"],
                            text: form["text"], reporter: nil)
    }

    static func jsonFields(_ bytes: [UInt8]) throws -> ReportFields {
        var fields = ReportFields()
        var scanner = JSONScanner(bytes, range: 0..<bytes.count)
        do throws(JSONReadError) {
            try scanner.readRootObject("the report")
            while let key = try scanner.readKey("the report") {
                switch key {
                case "service": fields.service = try scanner.readOptionalString("service")
                case "region": fields.region = try scanner.readOptionalString("region")
                case "client": fields.client = try scanner.readOptionalString("client")
                case "symptom": fields.symptom = try scanner.readOptionalString("symptom")
                case "text": fields.text = try scanner.readOptionalString("text")
                case "reporter": fields.reporter = try scanner.readOptionalString("reporter")
                default: throw JSONReadError(path: key, kind: .invalid)
                }
            }
            try scanner.readEnd("the report")
        } catch {
            if case .invalid = error.kind {
                throw APIError(.badRequest, "unknown field '\(error.path)'; a report has service, region, client, symptom, text and reporter")
            }
            throw APIError(.badRequest, "the report is not valid: \(error)")
        }
        return fields
    }

    /// The reporter id the page's cookie carries.
    static func reporterCookie(_ request: Request) -> String? {
        guard let header = request.headers[.cookie] else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            if pair.hasPrefix("mc_reporter=") {
                let value = String(pair.dropFirst("mc_reporter=".count))
                if (8...64).contains(value.count), value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) { return value }
            }
        }
        return nil
    }

    /// Without a cookie or an id, the sender's address and browser stand in (hashed, never kept).
    static func anonymousReporter(_ sender: String, _ request: Request) -> String {
        AgentToken.hash(Secret(sender + "|" + (request.headers[.userAgent] ?? ""))).prefix(24).description
    }

    static func senderAddress(_ request: Request, context: ServerRequestContext) -> String {
        context.remoteAddress?.ipAddress ?? "unknown"
    }
}

