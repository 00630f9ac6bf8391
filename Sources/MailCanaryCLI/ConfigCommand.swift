import ArgumentParser
import MailCanaryConfig

/// `mailcanary config check FILE` and `mailcanary config sample`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or print the sample one.",
        subcommands: [Check.self, Sample.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report every problem of a configuration file with its line, key path and fix.",
            discussion: "Exit status: 0 the file is valid, 2 it has problems (each on its own line on stderr)."
        )

        @Argument(help: "The YAML configuration file.")
        var file: String

        func run() async throws {
            do {
                let config = try ConfigLoader.load(file: file)
                let probes = config.probes
                let runs = probes.reduce(0) { $0 + $1.regions.count }
                print("\(file): valid: \(config.services.count) service(s), \(probes.count) probe(s), \(runs) probe run(s) per round over \(config.regions.count) region(s), \(config.agents.count) agent(s)")
            } catch {
                FileHandleOutput.standardError(error.description + "\n")
                FileHandleOutput.standardError("\(file): \(error.problems.count) problem(s)\n")
                throw ExitCode(2)
            }
        }
    }

    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the sample configuration (save it as mailcanary.yml).")

        func run() async throws {
            print(SampleConfiguration.yaml, terminator: "")
        }
    }
}
