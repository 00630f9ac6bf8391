#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The lab started by `scripts/lab.sh up`: real Dovecot, Postfix and nginx on loopback.
///
/// Read from `.lab/lab.env` (or `$MAILCANARY_LAB_ENV`). When the lab is not up the suite is
/// skipped locally, but fails under `MAILCANARY_LAB_REQUIRED=1`, which `.ci/run` sets, so that CI
/// can never pass without having talked to the real servers.
struct Lab: Sendable {
    let values: [String: String]

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let current: Lab? = {
        let path = ProcessInfo.processInfo.environment["MAILCANARY_LAB_ENV"] ?? repositoryRoot.appendingPathComponent(".lab/lab.env").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { values[String(parts[0])] = String(parts[1]) }
        }
        return Lab(values: values)
    }()

    static var required: Bool { ProcessInfo.processInfo.environment["MAILCANARY_LAB_REQUIRED"] == "1" }

    /// Whether lab tests run here; records a failure when the lab is required but absent.
    static var available: Bool {
        if current == nil, required { Issue.record("MAILCANARY_LAB_REQUIRED=1 but no lab: run scripts/lab.sh up") }
        return current != nil
    }

    subscript(_ key: String) -> String { values["MAILCANARY_LAB_\(key)"] ?? "" }
    var host: String { self["HOST"] }
    var caFile: String { self["CA_FILE"] }
    var user: String { self["USER"] }
    var password: String {
        (try? String(contentsOfFile: self["PASSWORD_FILE"], encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
    func url(_ scheme: String, _ portKey: String) -> String { "\(scheme)://\(host):\(self[portKey])" }

    /// Runs `scripts/lab.sh ARG` (for stopping and starting Dovecot).
    func script(_ argument: String) throws {
        let result = try Shell.run("/bin/bash", [self["SCRIPT"], argument])
        if result.status != 0 { Issue.record("lab.sh \(argument) failed: \(result.stderr)") }
    }
}

/// Runs the built `mailcanary` binary and returns its exit status and output.
func runCLI(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
    try Shell.run(Lab.repositoryRoot.appendingPathComponent(".build/debug/mailcanary").path, arguments, environment: environment)
}

/// Spawns a program with `posix_spawn` and waits with `waitpid`, output in temporary files.
///
/// Not `Foundation.Process`: its `waitUntilExit` was seen to hang forever on Linux when called
/// from a test's concurrency context.
enum Shell {
    struct Failure: Error { var message: String }

    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let directory = FileManager.default.temporaryDirectory
        let outPath = directory.appendingPathComponent("mc-\(UUID().uuidString).out").path
        let errPath = directory.appendingPathComponent("mc-\(UUID().uuidString).err").path
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure(message: "cannot start \(path): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (exitStatus, out, err)
    }
}

/// Every lab suite runs inside this one, one test at a time: they share one Dovecot, which some
/// tests stop or make depend on a token endpoint that only they serve.
@Suite(.serialized, .enabled(if: Lab.available))
struct LabSuite {}
