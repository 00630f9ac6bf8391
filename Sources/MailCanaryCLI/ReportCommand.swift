import ArgumentParser
import Foundation
import Logging
import MailCanaryConfig
import MailCanaryDetection
import MailCanaryServer
import MailCanaryStorage
import MailCanaryWeb
import ServiceLifecycle

/// `mailcanary report INCIDENT`: the post-incident report of a stored incident, as Markdown (or
/// HTML) on standard output; the same document as the download on the incident page.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the post-incident report of an incident (Markdown, or HTML).",
        discussion: """
        INCIDENT is an incident id, or 'latest' for the most recently opened one. The store is the one \
        serve uses (--config and --data-dir as for serve); for the demo: --data-dir mailcanary-demo-data. \
        Exit status: 0 printed, 1 no such incident or the store cannot be read.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, html
    }

    @Argument(help: "The incident id, or 'latest'.")
    var incident: String

    @Option(help: ArgumentHelp("The YAML configuration (default ./mailcanary.yml, else the bundled sample).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("Folder of the SQLite store (default: the configuration's data_dir).", valueName: "DIR"))
    var dataDir: String?

    @Option(help: "markdown or html.")
    var format: Format = .markdown

    func run() async throws {
        let (watch, _) = try ServeCommand.loadConfig(config)
        let directory = dataDir ?? watch.server.dataDirectory
        if case .sqlite = watch.storage.backend, !FileManager.default.fileExists(atPath: directory + "/mailcanary.sqlite") {
            throw UsageError("no store in \(directory) (run serve or demo first, or give --data-dir)")
        }
        let logger = Logger(label: "mailcanary")
        let (store, service): (any MailCanaryStore, (any Service)?)
        do {
            (store, service) = try ServerRuntime.openStore(watch, dataDirectory: directory, logger: logger)
        } catch {
            throw UsageError(error.description)
        }
        if service != nil { throw UsageError("report reads the SQLite store; for PostgreSQL use GET /incidents/ID/report.md on the server") }
        let record: IncidentRecord?
        do {
            record = incident == "latest" ? try await store.incidents(openOnly: false, limit: 1).first : try await store.incident(id: incident)
        } catch {
            throw UsageError("the store in \(directory) cannot be read: \(StoreErrorText.describe(error))")
        }
        guard let record else {
            let known = (try? await store.incidents(openOnly: false, limit: 10).map(\.id)) ?? []
            throw UsageError("no incident '\(incident)' in \(directory)" + (known.isEmpty ? " (it has none)" : "; the latest: \(known.joined(separator: ", "))"))
        }
        var view: IncidentView
        do {
            view = try IncidentView.decode(record.body, operatorStatus: record.operatorStatus)
        } catch {
            throw UsageError("the stored incident \(record.id) cannot be read: \(error)")
        }
        view.notes = ((try? await store.notes(incidentID: record.id)) ?? []).map {
            IncidentView.Note(atMs: $0.atMs, author: $0.author, status: $0.status, text: $0.text)
        }
        let serviceConfig = watch.service(view.service)
        let report = IncidentReport(incident: view, serviceName: serviceConfig?.name ?? view.service, tenant: serviceConfig?.tenant,
                                    nowMs: Int64(Date().timeIntervalSince1970 * 1_000))
        print(format == .markdown ? report.markdown() : report.html())
    }
}
