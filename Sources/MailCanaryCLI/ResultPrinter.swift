import Foundation
import MailCanaryCore

/// Renders a ``ProbeResult`` as a step tree for people or as one JSON object for tools.
enum ResultPrinter {
    static func json(_ result: ProbeResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(result), as: UTF8.self)
    }

    static func tree(_ result: ProbeResult, showTranscript: Bool) -> String {
        var lines = ["\(result.target)  [\(result.path)]"]
        let width = max(10, result.steps.map(\.name.rawValue.count).max() ?? 0)
        for step in result.steps {
            let mark = step.outcome == .ok ? "✔" : step.outcome == .failed ? "✘" : "–"
            let name = step.name.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            let time = step.outcome == .skipped ? "skipped" : String(format: "%8.1f ms", step.durationMs)
            lines.append("  \(mark) \(name) \(time.padding(toLength: 11, withPad: " ", startingAt: 0))  \(step.detail)")
        }
        if let tls = result.tls {
            lines.append("")
            lines.append("  TLS  \(tls.version ?? "?")  chain \(tls.chainTrusted ? "trusted" : "NOT trusted"), name \(tls.nameMatches ? "matches" : "does NOT match")")
            if let subject = tls.subject { lines.append("       subject  \(subject)") }
            if let issuer = tls.issuer { lines.append("       issuer   \(issuer)") }
            if !tls.subjectAlternativeNames.isEmpty { lines.append("       names    \(tls.subjectAlternativeNames.joined(separator: ", "))") }
            if let notAfter = tls.notAfter { lines.append("       expires  \(notAfter)\(tls.daysLeft.map { " (\($0) days left)" } ?? "")") }
            if let problem = tls.verificationError { lines.append("       problem  \(problem)") }
        }
        if !result.facts.isEmpty {
            lines.append("")
            for (key, value) in result.facts.sorted(by: { $0.key < $1.key }) where key != "capabilities" {
                lines.append("  \(key): \(value)")
            }
        }
        if showTranscript || result.outcome == .failed, !result.transcript.isEmpty {
            lines.append("")
            lines.append("  Transcript:")
            lines += result.transcript.map { "    \($0)" }
            if result.transcriptTruncated { lines.append("    … (truncated)") }
        }
        lines.append("")
        let duration = String(format: "%.1f ms", result.durationMs)
        if result.outcome == .ok {
            lines.append("Result: OK in \(duration)")
        } else {
            let klass = result.failureClass?.rawValue ?? "?"
            let cause = result.cause?.rawValue ?? "?"
            lines.append("Result: FAILED at \(result.failedStep?.rawValue ?? "?") in \(duration): class \(klass), likely cause \(cause)")
            if let error = result.error { lines.append("  \(error)") }
            if let reply = result.serverReply { lines.append("  server said: \(reply)") }
        }
        return lines.joined(separator: "\n")
    }
}
