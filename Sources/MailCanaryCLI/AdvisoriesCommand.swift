import ArgumentParser
import AsyncHTTPClient
import Foundation
import MailCanaryAdvisories
import MailCanaryConfig
import MailCanaryWatch
import MailCanaryCore

/// `mailcanary advisories poll`: one poll of a tenant's Microsoft 365 service health through
/// Graph, with the same code as the server's poller, to test an app registration by hand.
struct AdvisoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advisories",
        abstract: "Poll a tenant's Microsoft 365 service health (Graph service communications API) once and print what it says.",
        discussion: """
        The app registration needs the application permissions ServiceHealth.Read.All and ServiceMessage.Read.All, \
        granted by an administrator. The client secret is read from the environment variable --client-secret-env names \
        (never from the command line). Exit status: 0 everything read, 1 something could not be read (each problem is \
        printed to standard error; what was read is printed), 2 bad arguments.
        """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable { case poll }

    @Argument(help: "poll")
    var action: Action

    @Option(name: .customLong("graph-url"), help: "Graph's address (national clouds have their own).")
    var graphURL = "https://graph.microsoft.com"

    @Option(name: .customLong("token-url"), help: "The identity platform's address.")
    var tokenURL = "https://login.microsoftonline.com"

    @Option(help: "The tenant's GUID or a verified domain (contoso.onmicrosoft.com).")
    var tenant: String

    @Option(name: .customLong("client-id"), help: "The app registration's application (client) id.")
    var clientID: String

    @Option(name: .customLong("client-secret-env"), help: ArgumentHelp("The environment variable that holds the client secret.", valueName: "NAME"))
    var clientSecretEnv: String

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("PEM file of CA certificates to trust instead of the system's.", valueName: "PATH"))
    var caFile: String?

    @Option(help: ArgumentHelp("Seconds to wait for each answer.", valueName: "SECONDS"))
    var timeout: Int = 30

    @Flag(help: "Print JSON: {\"advisories\": [...], \"health\": [...], \"plannedChanges\": [...], \"problems\": [...]}.")
    var json = false

    func run() async throws {
        for (name, url) in [("--graph-url", graphURL), ("--token-url", tokenURL)] {
            guard let parsed = URL(string: url), parsed.scheme?.lowercased() == "https", parsed.host?.isEmpty == false else {
                throw UsageError("\(name) \(url): give an https URL")
            }
        }
        guard let secret = ProcessInfo.processInfo.environment[clientSecretEnv], !secret.isEmpty else {
            throw UsageError("--client-secret-env \(clientSecretEnv): the environment variable is not set")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw UsageError("--ca-file \(caFile): cannot read the file") }
        guard (1...300).contains(timeout) else { throw UsageError("--timeout \(timeout): give 1 to 300 seconds") }
        var config = GraphTenantConfig(id: tenant, tenant: tenant, clientID: clientID, credential: .secret(.environment(clientSecretEnv)))
        config.graphURL = String(graphURL.reversed().drop { $0 == "/" }.reversed())
        config.tokenURL = String(tokenURL.reversed().drop { $0 == "/" }.reversed())
        config.caFile = caFile
        config.timeout = .seconds(timeout)
        let http = try OutboundHTTP.makeClient(caFile: caFile)
        let result = await GraphPoller(tenant: config, credential: .secret(Secret(secret)), http: http).poll()
        try? await http.shutdown()
        if json {
            print(Self.json(result))
        } else {
            print("\(result.issues.count) issue(s) for \(tenant):")
            for polled in result.issues {
                let issue = polled.issue
                print("  \(issue.id)  \(polled.rawStatus)  \(issue.isResolved ? "resolved" : "open")  \(issue.service) / \(issue.feature)")
                print("      \(issue.title)")
            }
            if !result.health.isEmpty {
                print("service health: " + result.health.map { "\($0.service) \($0.rawStatus)" }.joined(separator: "; "))
            }
            for change in result.plannedChanges {
                print("planned: \(change.id) \(change.startMs.map(UTCTimestamp.format) ?? "?") – \(change.endMs.map(UTCTimestamp.format) ?? "?")  \(change.title)")
            }
        }
        for problem in result.problems { FileHandleOutput.standardError("problem: \(problem)\n") }
        if !result.complete { throw ExitCode(1) }
    }

    static func json(_ result: GraphPollResult) -> String {
        let advisories: [[String: Any]] = result.issues.map { polled in
            let raw = (try? JSONSerialization.jsonObject(with: Data(polled.json.utf8))) as? [String: Any] ?? [:]
            var out: [String: Any] = [:]
            for key in ["id", "title", "status", "classification", "service", "feature", "isResolved", "startDateTime", "posts"] {
                out[key] = raw[key] ?? NSNull()
            }
            return out
        }
        let object: [String: Any] = [
            "advisories": advisories,
            "health": result.health.map { ["id": $0.id, "service": $0.service, "status": $0.rawStatus] },
            "plannedChanges": result.plannedChanges.map { change -> [String: Any] in
                ["id": change.id, "title": change.title, "services": change.services,
                 "startDateTime": change.startMs.map(UTCTimestamp.format) ?? NSNull(), "endDateTime": change.endMs.map(UTCTimestamp.format) ?? NSNull()]
            },
            "problems": result.problems,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
