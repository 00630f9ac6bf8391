import ArgumentParser
import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryNotify

/// `mailcanary notify test CHANNEL`: sends one test message through a configured channel now,
/// with the same code the server uses, and prints what the receiver said. For setting up a
/// webhook, a Slack or Teams channel or an SMTP relay before an incident needs it.
struct NotifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify",
        abstract: "Send a test message through a configured notification channel and show the receiver's answer.",
        discussion: """
        The message describes a made-up incident and says it is a test (event "test"; webhooks get \
        X-MailCanary-Event: test). Secrets (webhook URLs, signing keys, relay passwords) are read as the \
        server reads them. Exit status: 0 delivered, 1 refused or not reachable (the cause is printed), \
        2 bad arguments or configuration.
        """
    )

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case test
    }

    @Argument(help: "test")
    var action: Action

    @Argument(help: "The channel's id (notifications.channels[].id).")
    var channel: String

    @Option(help: ArgumentHelp("The YAML configuration (default ./mailcanary.yml, else the bundled sample).", valueName: "FILE"))
    var config: String?

    func run() async throws {
        let (watch, _) = try ServeCommand.loadConfig(config)
        let notifications = watch.notifications
        guard notifications.channel(channel) != nil else {
            let known = notifications.channels.map(\.id)
            throw UsageError("no channel '\(channel)' in the configuration" + (known.isEmpty ? " (it has no notifications.channels)" : "; it has \(known.joined(separator: ", "))"))
        }
        let now = Date().millisecondsSince1970
        let probe = watch.services.first?.probes.first
        let incident = IncidentDigest(id: "test-\(UTCTimestamp.format(now).prefix(16).filter { $0.isNumber })", service: watch.services.first?.id ?? "test",
                                      status: .investigating, openedMs: now, paths: [probe?.path.rawValue ?? "mapi-http"], regions: [watch.server.region],
                                      cause: "server-side", layer: "operation",
                                      workaround: "This is a test message from mailcanary notify test; no incident is open.",
                                      sampleErrors: ["test: <b>markup</b> & \"quotes\" stay text"])
        let transition = NotificationTransition(kind: .test, key: "\(incident.id)/test", atMs: now, summary: "test message: the channel works")
        let message = NotificationMessage(transition: transition, incident: incident,
                                          link: notifications.dashboardURL.map { $0 + "/" })
        let dispatcher = ChannelDispatcher(config: notifications)
        let verdict = await dispatcher.send(message, channelID: channel, nowMs: now)
        await dispatcher.shutdown()
        switch verdict {
        case .delivered(let detail):
            print("delivered to \(channel): \(detail)")
        case .retry(let detail, let retryAfter):
            FileHandleOutput.standardError("not delivered to \(channel) (the server would retry\(retryAfter.map { " after \($0 / 1_000) s" } ?? "")): \(detail)\n")
            throw ExitCode(1)
        case .refused(let detail):
            FileHandleOutput.standardError("refused by \(channel) (the server would not retry): \(detail)\n")
            throw ExitCode(1)
        }
    }
}
