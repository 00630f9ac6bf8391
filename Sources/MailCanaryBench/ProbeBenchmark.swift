#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import MailCanaryCore
import MailProbing
import MailWire
import NIOCore
import NIOPosix

/// `mailcanary-bench`: probes per second and CPU-seconds per 1,000 probes for MailCanary's engine
/// and for Prometheus's blackbox_exporter, on the same targets in the same run, and their ratio.
///
/// MailCanary's CPU is its own process's (getrusage). blackbox_exporter's is read from
/// /proc/PID/stat of the exporter process, which does the probing; the load generator that sends
/// it `/probe` requests is this process and is not counted against it.
@main
struct ProbeBenchmark: AsyncParsableCommand {
    @Option(help: "HTTPS target URL.") var https: String
    @Option(help: "IMAPS target URL.") var imaps: String
    @Option(name: .customLong("ca-file"), help: "CA file trusted by both.") var caFile: String
    @Option(help: "blackbox_exporter base URL, e.g. http://127.0.0.1:19115") var blackbox: String
    @Option(name: .customLong("blackbox-pid"), help: "PID of the blackbox_exporter process.") var blackboxPID: Int32
    @Option(help: "Probes per target and per tool.") var probes = 2000
    @Option(help: "Probes in flight at once.") var concurrency = 16

    struct Figure {
        var tool: String
        var target: String
        var probes: Int
        var failures: Int
        var seconds: Double
        var cpuSeconds: Double
        var perSecond: Double { Double(probes) / seconds }
        var cpuPerThousand: Double { cpuSeconds / Double(probes) * 1000 }
        var perCPUSecond: Double { Double(probes) / cpuSeconds }
    }

    func run() async throws {
        let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                                 trust: try TrustEvaluator(options: TLSOptions(caFile: caFile)))
        // The same engine with every chain's signatures verified again on every probe.
        let uncached = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                                   trust: try TrustEvaluator(options: TLSOptions(caFile: caFile), cacheVerifiedChains: false))
        var settings = ProbeSettings()
        settings.timeout = .seconds(10)
        settings.tls = TLSOptions(caFile: caFile)

        var figures: [Figure] = []
        for (name, url, module) in [("https", https, "http_2xx"), ("imaps", imaps, "imaps_banner")] {
            let target = try ProbeTarget(parsing: url)
            // Warm-up: trust store parsing, connection paths, JIT-free but cache-warm.
            _ = await runner.run(target, settings: settings, now: Date())
            figures.append(try await measureOwn(name: name, tool: "MailCanary", target: target, runner: runner, settings: settings))
            figures.append(try await measureOwn(name: name, tool: "MailCanary no-cache", target: target, runner: uncached, settings: settings))
            let probeURL = "\(blackbox)/probe?module=\(module)&target=\(Self.blackboxTarget(url))"
            figures.append(try await measureBlackbox(name: name, probeURL: probeURL))
        }
        print(Self.report(figures, concurrency: concurrency))
        if figures.contains(where: { $0.failures > 0 }) {
            print("warning: some probes failed; figures are not comparable")
            throw ExitCode(1)
        }
    }

    static func blackboxTarget(_ url: String) -> String {
        // http_2xx takes the URL; the tcp module takes host:port.
        if url.hasPrefix("https://") { return url.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? url }
        let target = try! ProbeTarget(parsing: url)
        return "\(target.host):\(target.port)"
    }

    func measureOwn(name: String, tool: String, target: ProbeTarget, runner: ProbeRunner, settings: ProbeSettings) async throws -> Figure {
        let cpuBefore = Self.ownCPUSeconds()
        let start = ContinuousClock.now
        let failures = await Self.fanOut(count: probes, concurrency: concurrency) {
            await runner.run(target, settings: settings, now: Date()).outcome == .ok
        }
        let seconds = (ContinuousClock.now - start).milliseconds / 1000
        return Figure(tool: tool, target: name, probes: probes, failures: failures, seconds: seconds,
                      cpuSeconds: Self.ownCPUSeconds() - cpuBefore)
    }

    func measureBlackbox(name: String, probeURL: String) async throws -> Figure {
        guard let url = try? ProbeTarget(parsing: probeURL) else { throw ValidationError("bad blackbox URL \(probeURL)") }
        let trust = try TrustEvaluator(options: TLSOptions(insecure: true))
        let cpuBefore = try Self.processCPUSeconds(blackboxPID)
        let start = ContinuousClock.now
        let failures = await Self.fanOut(count: probes, concurrency: concurrency) {
            var settings = ProbeSettings()
            settings.timeout = .seconds(15)
            let context = ProbeContext(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, settings: settings,
                                       deadline: .now() + .seconds(15), trust: trust, startedAt: Date())
            let request = HTTPRequest(method: "GET", target: url.resource, host: "\(url.host):\(url.port)")
            guard let response = try? await HTTPExchange.perform(request, secure: false, host: url.host, port: url.port,
                                                                 step: .operation, context: context, recorder: ProbeRecorder()) else { return false }
            // The exporter answers 200 either way; the probe's verdict is the probe_success metric.
            return String(decoding: response.body, as: UTF8.self).contains("\nprobe_success 1")
        }
        let seconds = (ContinuousClock.now - start).milliseconds / 1000
        return Figure(tool: "blackbox_exporter", target: name, probes: probes, failures: failures, seconds: seconds,
                      cpuSeconds: try Self.processCPUSeconds(blackboxPID) - cpuBefore)
    }

    /// Runs `count` operations with at most `concurrency` in flight; returns how many failed.
    static func fanOut(count: Int, concurrency: Int, _ operation: @escaping @Sendable () async -> Bool) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            var started = 0
            var failures = 0
            while started < min(concurrency, count) {
                group.addTask { await operation() }
                started += 1
            }
            while let ok = await group.next() {
                if !ok { failures += 1 }
                if started < count {
                    group.addTask { await operation() }
                    started += 1
                }
            }
            return failures
        }
    }

    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    /// utime + stime of another process, from /proc/PID/stat (fields 14 and 15, in clock ticks).
    static func processCPUSeconds(_ pid: Int32) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        guard let close = text.lastIndex(of: ")") else { throw ValidationError("cannot read /proc/\(pid)/stat") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: field 3 is index 0, so utime (14) is index 11, stime (15) index 12.
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else {
            throw ValidationError("unexpected /proc/\(pid)/stat")
        }
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func report(_ figures: [Figure], concurrency: Int) -> String {
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        var lines = [pad("target", 7) + pad("tool", 21) + "probes  failed  wall s  probes/s   CPU s  CPU s/1000  probes/CPU s"]
        for figure in figures {
            lines.append(pad(figure.target, 7) + pad(figure.tool, 21) + String(format: "%6d  %6d  %6.2f  %8.1f  %6.2f  %10.3f  %12.1f",
                figure.probes, figure.failures, figure.seconds, figure.perSecond, figure.cpuSeconds, figure.cpuPerThousand, figure.perCPUSecond))
        }
        for target in ["https", "imaps"] {
            guard let theirs = figures.first(where: { $0.target == target && $0.tool == "blackbox_exporter" }) else { continue }
            for ours in figures where ours.target == target && ours.tool != theirs.tool {
                lines.append("\(target): \(ours.tool) / blackbox_exporter = " + String(format: "%.2fx probes per CPU-second, %.2fx probes per second (concurrency %d)",
                    ours.perCPUSecond / theirs.perCPUSecond, ours.perSecond / theirs.perSecond, concurrency))
            }
        }
        return lines.joined(separator: "\n")
    }
}
