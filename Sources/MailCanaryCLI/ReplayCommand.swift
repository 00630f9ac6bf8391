import ArgumentParser
import Foundation
import MailCanaryCore
import MailCanaryDetection
import MailCanaryIngest

/// `mailcanary replay SCENARIO.ndjson [--json]`: a recorded scenario through the same ingest and
/// detection code as `serve`, with the scenario's time as the clock, as fast as the machine allows.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a scenario (NDJSON, ../shared/scenarios/FORMAT.md) through detection and print the incidents.",
        discussion: "Exit status: 0 replayed (bad lines are counted on stderr), 1 the file cannot be read."
    )

    @Argument(help: "The scenario file (NDJSON).")
    var scenario: String

    @Flag(help: "Print the incidents as JSON (the shape score.py reads).")
    var json = false

    @Option(help: "Minutes a burst may last and still be a blip, not an incident.")
    var blipMinutes = 3

    @Option(help: "Threads that parse chunks while detection runs on its own (default: one per processor); 0 does it all on one thread.")
    var parsers = ScenarioReplayer.defaultParsers

    func validate() throws {
        guard (0...16).contains(parsers) else { throw ValidationError("--parsers must be between 0 and 16") }
        guard (0...60).contains(blipMinutes) else { throw ValidationError("--blip-minutes must be between 0 and 60") }
    }

    func run() throws {
        var settings = DetectionSettings()
        settings.blipMinutes = blipMinutes
        let started = ContinuousClock.now
        let replayer: ScenarioReplayer
        do {
            replayer = try ScenarioReplayer.replay(path: scenario, settings: settings, parsers: parsers)
        } catch {
            FileHandleOutput.standardError("replay: \(error)\n")
            throw ExitCode(1)
        }
        let elapsed = (ContinuousClock.now - started).milliseconds / 1_000
        let summary = replayer.summary
        let incidents = replayer.engine.incidents
        if json {
            print(IncidentJSON.render(incidents, providerOnly: replayer.engine.providerOnlyAdvisories))
        } else {
            print("\(summary.header?.name ?? scenario): \(summary.records) records in \(String(format: "%.2f", elapsed)) s, \(incidents.count) incident(s)")
            for incident in incidents {
                let workaround = incident.workaround.map { "workaround \($0.client)" } ?? "no workaround"
                print("  \(incident.id)  opened \(UTCTimestamp.format(incident.openedMs))  \(incident.status.rawValue)  "
                      + "\(incident.paths.map(\.rawValue).joined(separator: ",")) in \(incident.regions.joined(separator: ","))  "
                      + "\(incident.cause.rawValue) at \(incident.layer), \(workaround), advisories \(incident.advisories.map(\.id))")
            }
        }
        if summary.badLines > 0 {
            FileHandleOutput.standardError("replay: \(summary.badLines) line(s) could not be read:\n" + summary.problems.joined(separator: "\n") + "\n")
        }
    }
}

