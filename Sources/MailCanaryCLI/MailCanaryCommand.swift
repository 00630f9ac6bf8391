import ArgumentParser

/// `mailcanary`: the root command. Subcommands grow with the pipeline (serve, agent, replay, …).
struct MailCanaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailcanary",
        abstract: "Early warning for mail access paths: probe, detect, explain.",
        subcommands: [CheckCommand.self, ServeCommand.self, AgentCommand.self, TokenCommand.self, LogsCommand.self, ReplayCommand.self, ConfigCommand.self, DemoCommand.self, ReportCommand.self, UserCommand.self, NotifyCommand.self, AdvisoriesCommand.self]
    )
}
