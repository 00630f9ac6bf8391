import Foundation
import Hummingbird
import Logging
import MailCanaryConfig
import MailCanaryCore
import MailCanaryDetection
import MailCanaryStorage
import MailCanaryWeb
import NIOConcurrencyHelpers

/// The pages: the dashboard, incident pages with their reports, series charts, the public
/// status page and its Atom feed, and the stylesheet. Values are gathered here (store,
/// detection, configuration, the clock) and rendered by MailCanaryWeb.
struct WebController: Sendable {
    let config: WatchConfig
    let store: any MailCanaryStore
    let detection: DetectionService?
    let logger: Logger
    let clock: @Sendable () -> Int64
    /// Watches that the store answers (PostgreSQL); while it does not, the public status page and
    /// its feed show the last incidents read, and say since when.
    var storeWatch: StoreWatch?
    /// The last incidents of the public pages read from the store, and when.
    let lastPublicIncidents = NIOLockedValueBox<(atMs: Int64, incidents: [IncidentView])?>(nil)

    func register(on router: Router<ServerRequestContext>) {
        router.get("/assets/app.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Stylesheet.css)))
        }
        router.get("/") { _, context in await page { try await dashboard(context) } }
        router.get("/incidents/:id") { _, context in await page { try await incidentPage(context.parameters.get("id") ?? "", context) } }
        router.get("/incidents/:id/report.md") { _, context in await page { try await report(context.parameters.get("id") ?? "", markdown: true) } }
        router.get("/incidents/:id/report.html") { _, context in await page { try await report(context.parameters.get("id") ?? "", markdown: false) } }
        router.get("/api/v1/incidents/:id/report") { request, context in
            await respond(logger: logger) {
                let format = request.uri.queryParameters.get("format") ?? "markdown"
                guard format == "markdown" || format == "html" else {
                    throw APIError(.badRequest, "query parameter 'format': give markdown or html")
                }
                do {
                    return try await report(context.parameters.get("id") ?? "", markdown: format == "markdown")
                } catch let error as PageError {
                    throw APIError(error.status, error.detail)
                }
            }
        }
        router.post("/incidents/:id/actions") { request, context in
            await page { try await action(request, context, id: context.parameters.get("id") ?? "") }
        }
        router.get("/series") { request, context in await page { try await series(request, context) } }
        router.get("/status") { _, _ in await page { try await status(only: nil) } }
        router.get("/status/feed.atom") { _, _ in await page { try await feed() } }
        router.get("/status/:service") { _, context in await page { try await status(only: context.parameters.get("service") ?? "") } }
    }

    /// A page, or an error page that names the cause (never a stack trace, never a crash).
    func page(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as PageError {
            return Self.html(PageLayout.render(title: error.title, audience: .publicPages,
                                               body: "<h1>\(HTML.escape(error.title))</h1><p>\(HTML.escape(error.detail))</p>"), status: error.status)
        } catch {
            logger.warning("page failed", metadata: ["error": "\(StoreErrorText.describe(error))"])
            return StoreUnavailable.response(api: false, detail: "the store did not answer; try again shortly")
        }
    }

    struct PageError: Error {
        var status: HTTPResponse.Status
        var title: String
        var detail: String
    }

    // MARK: - Gathering

    func configuredPaths(_ service: ServiceConfig) -> [AccessPath] { service.probes.map(\.path) }

    func configuredRegions(_ service: ServiceConfig) -> [String] {
        var regions: [String] = []
        for region in service.probes.flatMap(\.regions) where !regions.contains(region) { regions.append(region) }
        return regions
    }

    func incidents(limit: Int, sinceMs: Int64? = nil) async throws -> [IncidentView] {
        let records = try await store.incidents(openOnly: false, limit: limit)
        return records.compactMap { record in
            if let sinceMs, !record.isOpen, (record.resolvedMs ?? .max) < sinceMs { return nil }
            do {
                return try IncidentView.decode(record.body, operatorStatus: record.operatorStatus)
            } catch {
                logger.warning("a stored incident cannot be read; left out of the page", metadata: ["incident": "\(record.id)", "error": "\(error)"])
                return nil
            }
        }
    }

    func matrices(snapshots: [SeriesSnapshot], open: [IncidentView], nowMs: Int64) -> [(ServiceConfig, HealthMatrix)] {
        config.services.map { service in
            (service, HealthMatrix.build(service: service.id, configuredPaths: configuredPaths(service), configuredRegions: configuredRegions(service),
                                         snapshots: snapshots, openIncidents: open, nowMs: nowMs))
        }
    }

    // MARK: - Pages

    /// The signed-in user for the page header (nil for anonymous read access or a token).
    static func account(_ context: ServerRequestContext) -> PageLayout.Account? {
        guard case .user(let name, let role) = context.principal else { return nil }
        return PageLayout.Account(name: name, role: role.rawValue, formToken: context.csrfToken)
    }

    func dashboard(_ context: ServerRequestContext) async throws -> Response {
        let now = clock()
        let incidents = try await incidents(limit: 50)
        let snapshots = detection?.seriesSnapshots ?? []
        let services = matrices(snapshots: snapshots, open: incidents.filter(\.isOpen), nowMs: now).map {
            DashboardPage.Service(id: $0.0.id, name: $0.0.name, matrix: $0.1)
        }
        var page = DashboardPage(services: services, incidents: incidents, nowMs: now, warmedUp: detection?.warmedUp.isOpen ?? true)
        page.account = Self.account(context)
        if config.advisories.isEnabled {
            // The incidents are decoded for the page already: their links, without reading them again.
            var links: [String: [String]] = [:]
            for incident in incidents { for advisory in incident.advisories { links[advisory, default: []].append(incident.id) } }
            let summaries = (try? await AdvisoryController(store: store, advisories: nil, logger: logger, clock: clock).summaries(links: links)) ?? []
            page.advisories = summaries.prefix(20).map { view in
                DashboardPage.AdvisoryRow(id: view.id, title: view.title, status: view.status, isResolved: view.isResolved,
                                          firstPostMs: view.firstPostAt.flatMap(UTCTimestamp.parse), incidents: view.incidents,
                                          possiblyRelated: view.possiblyRelated)
            }
        }
        return Self.html(page.render())
    }

    func loadIncident(_ id: String) async throws -> IncidentView {
        guard let record = try await store.incident(id: id) else {
            throw PageError(status: .notFound, title: "No such incident", detail: "There is no incident '\(id)'.")
        }
        var incident: IncidentView
        do {
            incident = try IncidentView.decode(record.body, operatorStatus: record.operatorStatus)
        } catch {
            throw PageError(status: .internalServerError, title: "Incident unreadable", detail: "The stored incident '\(id)' cannot be read: \(error)")
        }
        incident.notes = try await store.notes(incidentID: id).map { IncidentView.Note(atMs: $0.atMs, author: $0.author, status: $0.status, text: $0.text) }
        return incident
    }

    func incidentPage(_ id: String, _ context: ServerRequestContext) async throws -> Response {
        let incident = try await loadIncident(id)
        let now = clock()
        let snapshots = detection?.seriesSnapshots ?? []
        // The failure-ratio chart of every series in the incident's scope, from three hours before it.
        let from = Int(incident.firstAnomalyMs / 60_000) - 180
        let cells = Set(incident.cells)
        let charts = snapshots.filter { snapshot in
            snapshot.id.service == incident.service && snapshot.id.source != .reports
                && snapshot.id.path.map { cells.contains(IncidentView.Cell(path: $0.rawValue, region: snapshot.id.region)) } == true
        }.sorted { ($0.id.path?.rawValue ?? "", $0.id.region, $0.id.source.rawValue) < ($1.id.path?.rawValue ?? "", $1.id.region, $1.id.source.rawValue) }
         .flatMap { SeriesPage.charts(for: $0, incidents: [incident], nowMs: now, measures: [.failureRatio], fromMinute: from) }
        var page = IncidentPage(incident: incident, charts: charts, nowMs: now)
        page.notifications = ((try? await store.deliveries(incidentID: incident.id, limit: 50)) ?? []).map { entry in
            IncidentPage.NotificationRow(channel: entry.channel, event: entry.kind, status: entry.status.rawValue, attempts: entry.attempts,
                                         atMs: entry.deliveredMs ?? entry.createdMs, result: entry.lastResult)
        }
        page.account = Self.account(context)
        if case .user(_, .admin) = context.principal { page.actionToken = context.csrfToken }
        return Self.html(page.render())
    }

    func report(_ id: String, markdown: Bool) async throws -> Response {
        let incident = try await loadIncident(id)
        let service = config.service(incident.service)
        let report = IncidentReport(incident: incident, serviceName: service?.name ?? incident.service, tenant: service?.tenant, nowMs: clock())
        if markdown {
            return Response(status: .ok, headers: [.contentType: "text/markdown; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"incident-\(Self.fileSafe(id)).md\""],
                            body: .init(byteBuffer: ByteBuffer(string: report.markdown())))
        }
        return Self.html(report.html())
    }

    func series(_ request: Request, _ context: ServerRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        guard let service = query.get("service"), let pathText = query.get("path"), let region = query.get("region"),
              !service.isEmpty, !pathText.isEmpty, !region.isEmpty else {
            throw PageError(status: .badRequest, title: "Which series?", detail: "Give service, path and region, for example /series?service=contoso&path=mapi-http&region=apac.")
        }
        let path: AccessPath? = pathText == "reports" ? nil : AccessPath(rawValue: pathText)
        let snapshots = detection?.seriesSnapshots ?? []
        guard config.service(service) != nil || snapshots.contains(where: { $0.id.service == service }) else {
            throw PageError(status: .notFound, title: "No such service", detail: "No service '\(service)' is configured or seen.")
        }
        let incidents = try await incidents(limit: 200)
        var page = SeriesPage(service: service, path: path, region: region, snapshots: snapshots, incidents: incidents, nowMs: clock())
        page.account = Self.account(context)
        return Self.html(page.render())
    }

    /// An administrator's action from the incident page: acknowledge, set status, note, resolve.
    /// Only a signed-in session with its form token (tokens use the API); recorded as a note.
    func action(_ request: Request, _ context: ServerRequestContext, id: String) async throws -> Response {
        guard case .user(let name, .admin) = context.principal, let expected = context.csrfToken else {
            throw PageError(status: .forbidden, title: "Not allowed", detail: "Incident actions are for administrators signed in to the dashboard; tokens use POST /api/v1/incidents/ID/notes.")
        }
        guard let body = try? await request.body.collect(upTo: 64 << 10) else {
            throw PageError(status: .contentTooLarge, title: "Too large", detail: "A note is at most 4000 characters.")
        }
        let form = FormBody.parse(Array(buffer: body))
        guard let given = form["csrf"], SessionPolicy.tokensMatch(expected, given) else {
            throw PageError(status: .forbidden, title: "Form expired", detail: "The form's token does not match your session; reload the incident page and try again.")
        }
        let text = (form["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= 4_000 else { throw PageError(status: .badRequest, title: "Too long", detail: "A note is at most 4000 characters.") }
        let note: IncidentNote
        switch form["action"] {
        case "acknowledge":
            note = IncidentNote(incidentID: id, atMs: clock(), author: name, status: nil, text: "Acknowledged" + (text.isEmpty ? "" : ": " + text))
        case "status":
            guard let status = form["status"], IncidentPage.settableStatuses.contains(status) else {
                throw PageError(status: .badRequest, title: "Unknown status", detail: "Choose one of the statuses offered.")
            }
            note = IncidentNote(incidentID: id, atMs: clock(), author: name, status: status, text: text.isEmpty ? "Status changed" : text)
        case "note":
            guard !text.isEmpty else { throw PageError(status: .badRequest, title: "Empty note", detail: "Write the note before adding it.") }
            note = IncidentNote(incidentID: id, atMs: clock(), author: name, status: nil, text: text)
        case "resolve":
            note = IncidentNote(incidentID: id, atMs: clock(), author: name, status: "serviceRestored", text: text.isEmpty ? "Resolved" : "Resolved: " + text)
        default:
            throw PageError(status: .badRequest, title: "Unknown action", detail: "The action is one of acknowledge, status, note and resolve.")
        }
        guard try await store.addNote(note) else { throw PageError(status: .notFound, title: "No such incident", detail: "There is no incident '\(id)'.") }
        logger.info("incident action", metadata: ["incident": "\(id)", "user": "\(name)", "action": "\(form["action"] ?? "")"])
        return Response(status: .seeOther, headers: [.location: "/incidents/\(HTML.query(id))"])
    }

    /// The last 30 days' incidents for the public pages, read now (nil time); or, while the store
    /// does not answer, the last list it gave and when it was read (none at all: the error).
    func publicIncidents(nowMs: Int64) async throws -> (incidents: [IncidentView], asOfMs: Int64?) {
        do {
            if storeWatch?.downSinceMs != nil { throw StoreWatch.Unreachable() }
            let recent = try await incidents(limit: 1_000, sinceMs: nowMs - 30 * 86_400_000)
            lastPublicIncidents.withLockedValue { $0 = (nowMs, recent) }
            return (recent, nil)
        } catch {
            guard let last = lastPublicIncidents.withLockedValue({ $0 }) else { throw error }
            // The watch has said so already; a read that failed on its own is worth a line.
            if !(error is StoreWatch.Unreachable) {
                logger.warning("the status page shows the last incidents read", metadata: ["error": "\(StoreErrorText.describe(error))"])
            }
            return (last.incidents, last.atMs)
        }
    }

    func status(only: String?) async throws -> Response {
        let now = clock()
        let (recent, asOf) = try await publicIncidents(nowMs: now)
        var services = matrices(snapshots: detection?.seriesSnapshots ?? [], open: recent.filter(\.isOpen), nowMs: now)
        if let only {
            services = services.filter { $0.0.id == only }
            guard !services.isEmpty else { throw PageError(status: .notFound, title: "No such service", detail: "There is no status page '\(only)'.") }
        }
        var page = StatusPage(services: services.map { StatusPage.Service(id: $0.0.id, name: $0.0.name, matrix: $0.1) },
                              incidents: recent, reportRegions: SignalController.knownRegions(config), nowMs: now)
        page.incidentsAsOfMs = asOf
        return Self.html(page.render())
    }

    func feed() async throws -> Response {
        let now = clock()
        let recent = try await publicIncidents(nowMs: now).incidents
        let names = Dictionary(config.services.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let known = Set(names.keys)
        let feed = AtomFeed(incidents: recent.filter { known.contains($0.service) }, serviceNames: names, nowMs: now)
        return Response(status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: feed.render())))
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func fileSafe(_ id: String) -> String {
        String(id.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) || $0 == "-" }.prefix(80).map(Character.init))
    }
}
