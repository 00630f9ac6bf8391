import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MailCanaryCore
import MailCanaryDetection
import MailCanaryIngest

/// `mailcanary-watch-bench replay SCENARIO.ndjson`: records per second through `mailcanary
/// replay`'s code (chunked reading, the line readers, the detection engine) against the issue's
/// goal of 1,000,000, end to end with the default parser threads and on one thread, and the
/// reading alone. The peer line is the obvious alternative reader measured in the same run:
/// Foundation's `JSONSerialization` on every line (reading only, one thread, no record built).
struct ReplaySpeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a scenario file through reading and detection and count records per second.")

    @Argument(help: "A scenario (NDJSON), e.g. .scenarios/healthy-week.ndjson from scripts/score-scenarios.sh.")
    var scenario: String

    @Option(help: "Rounds (the median is the figure).") var rounds = 5
    @Flag(help: "Skip the peer (JSONSerialization), which takes several seconds.") var noPeer = false
    @Flag(help: "Run only the reading rounds (for a profiler).") var readingOnly = false

    static let goal = 1_000_000.0

    func run() throws {
        var status = stat()
        let bytes = stat(scenario, &status) == 0 ? Int(status.st_size) : 0
        var records = 0
        func median(_ body: () throws -> Int) rethrows -> Double {
            var rates: [Double] = []
            for _ in 0..<rounds {
                let started = ContinuousClock.now
                records = try body()
                let seconds = (ContinuousClock.now - started).milliseconds / 1_000
                rates.append(Double(records) / max(seconds, 1e-9))
            }
            return rates.sorted()[rates.count / 2]
        }
        let reading = try median { try ScenarioReplayer.read(path: scenario, parsers: 0).records }
        guard !readingOnly else {
            print(row("reading only, one thread", reading, Self.goal, "rec/s", lowerIsBetter: false))
            return
        }
        var incidents = 0
        let endToEnd = try median {
            let replayer = try ScenarioReplayer.replay(path: scenario)
            incidents = replayer.engine.incidents.count
            return replayer.summary.records
        }
        let memory = peakMemoryMiB()
        let oneThread = try median { try ScenarioReplayer.replay(path: scenario, parsers: 0).summary.records }
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ScenarioReplayer.defaultParsers) parser threads by default")
        print("scenario: \(scenario), \(records) records, \(bytes / 1_000_000) MB, \(incidents) incident(s); median of \(rounds) rounds")
        print(row("replay end to end (default threads)", endToEnd, Self.goal, "rec/s", lowerIsBetter: false))
        print(row("replay on one thread", oneThread, Self.goal, "rec/s", lowerIsBetter: false))
        print(row("reading only, one thread", reading, Self.goal, "rec/s", lowerIsBetter: false))
        print(String(format: "peak memory after the end-to-end rounds: %.0f MiB (the file is read in 1 MiB chunks)", memory))
        guard !noPeer else { return }
        let peer = try median { try Self.peerRead(scenario) }
        print("peer: JSONSerialization per line, reading only, one thread".padding(toLength: 48, withPad: " ", startingAt: 0)
              + String(format: "%12.1f rec/s   ours (reading only) %.2fx", peer, reading / peer))
    }

    /// The peer: every line through Foundation's JSON parser, its kind looked up (nothing else built).
    static func peerRead(_ path: String) throws -> Int {
        var records = 0
        try NDJSONFileReader(path: path).forEachLine { buffer, range, _, tooLong in
            guard !tooLong else { return }
            let object = try JSONSerialization.jsonObject(with: Data(buffer[range]))
            if let line = object as? [String: Any], line["kind"] as? String != "scenario" { records += 1 }
        }
        return records
    }
}
