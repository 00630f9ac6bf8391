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

/// A program running in the background (a server or an agent), with its output in a log file.
final class BackgroundProcess: @unchecked Sendable {
    let pid: pid_t
    let logPath: String
    private var exited = false

    init(_ path: String, _ arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Shell.Failure(message: "cannot start \(path): errno \(spawned)") }
        self.pid = pid
    }

    /// Sends a signal and waits for the exit; returns the exit status (128+signal when killed).
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) -> Int32 {
        guard !exited else { return 0 }
        kill(pid, signal)
        var status: Int32 = 0
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exited = true
                return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        exited = true
        Issue.record("process \(pid) did not stop within \(timeout) after signal \(signal); killed")
        return -1
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit { if !exited { kill(pid, SIGKILL); var status: Int32 = 0; waitpid(pid, &status, 0) } }
}

/// A plain HTTP GET on loopback (for /healthz and the API), nil when nothing answers.
func httpGet(port: Int, path: String) -> (status: Int, body: String)? {
    httpExchange(port: port, path: path).map { ($0.status, $0.body) }
}

/// A GET answered with a JSON object; empty when there is no answer or it is not one.
func httpJSON(port: Int, path: String) -> [String: Any] {
    guard let answer = httpGet(port: port, path: path) else { return [:] }
    return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]) ?? [:]
}

/// A plain HTTP GET on loopback with the response's header block (lines as sent).
func httpExchange(port: Int, path: String) -> (status: Int, head: String, body: String)? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 5, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        data.append(contentsOf: buffer[0..<count])
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n").first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
    let parts = text.components(separatedBy: "\r\n\r\n")
    let body = parts.dropFirst().joined(separator: "\r\n\r\n")
    return (status, parts.first ?? "", body)
}

/// 127.0.0.1:port as a socket address.
func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}
