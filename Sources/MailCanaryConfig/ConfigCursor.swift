import Foundation
import MailCanaryCore
import Yams

/// Collects the problems found while reading one file.
final class ProblemLog {
    private(set) var problems: [ConfigProblem] = []

    func add(_ keyPath: String, _ node: Node?, _ message: String, fix: String) {
        problems.append(ConfigProblem(keyPath: keyPath, line: node?.mark?.line, message: message, fix: fix))
    }
}

/// A position in the YAML tree with its key path; every read reports its own problem and
/// returns nil, so the reader goes on and finds the next problem too.
struct ConfigCursor {
    let node: Node
    let keyPath: String
    let log: ProblemLog

    func child(_ key: String, _ node: Node) -> ConfigCursor {
        ConfigCursor(node: node, keyPath: keyPath.isEmpty ? key : "\(keyPath).\(key)", log: log)
    }

    func problem(_ message: String, fix: String) {
        log.add(keyPath, node, message, fix: fix)
    }

    /// The mapping's entries, after reporting every key that is not in `allowed`.
    func mapping(allowed: [String], required: [String] = []) -> [String: ConfigCursor]? {
        guard case .mapping(let mapping) = node else {
            problem("expected a mapping of keys (\(allowed.joined(separator: ", "))), found \(node.kindName)",
                    fix: "write the keys indented under this one")
            return nil
        }
        var entries: [String: ConfigCursor] = [:]
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { continue }
            let cursor = child(key, value)
            if allowed.contains(key) {
                entries[key] = cursor
            } else {
                let hint = Self.closest(to: key, in: allowed).map { "did you mean '\($0)'? " } ?? ""
                log.add(cursor.keyPath, keyNode, "unknown key",
                        fix: "\(hint)allowed here: \(allowed.joined(separator: ", "))")
            }
        }
        for key in required where entries[key] == nil {
            problem("'\(key)' is missing", fix: "add \(key): under \(keyPath.isEmpty ? "the top level" : keyPath)")
        }
        return entries
    }

    func sequence() -> [ConfigCursor]? {
        guard case .sequence(let sequence) = node else {
            problem("expected a list, found \(node.kindName)", fix: "write one '- ' item per line")
            return nil
        }
        return sequence.enumerated().map { index, item in
            ConfigCursor(node: item, keyPath: "\(keyPath)[\(index)]", log: log)
        }
    }

    func string(fix: String = "write a text value") -> String? {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            problem("expected a text value, found \(node.kindName)", fix: fix)
            return nil
        }
        return scalar.string
    }

    /// A name: lowercase letters, digits, dots, dashes and underscores.
    func name(what: String) -> String? {
        guard let text = string() else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_.")
        guard text.count <= 64, text.allSatisfy({ allowed.contains($0) }), text.first != "-" else {
            problem("'\(text)' is not a valid \(what)",
                    fix: "use up to 64 lowercase letters, digits, '-', '_' or '.', such as eu-west or lab")
            return nil
        }
        return text
    }

    func int(in range: ClosedRange<Int>) -> Int? { number(in: range, kind: "a whole number") }

    func double(in range: ClosedRange<Double>) -> Double? { number(in: range, kind: "a number") }

    private func number<Number: LosslessStringConvertible & Comparable>(in range: ClosedRange<Number>, kind: String) -> Number? {
        let fix = "write a number from \(range.lowerBound) to \(range.upperBound)"
        guard case .scalar(let scalar) = node, let value = Number(scalar.string) else {
            problem("'\(node.string ?? node.kindName)' is not \(kind)", fix: fix)
            return nil
        }
        guard range.contains(value) else {
            problem("\(value) is out of range", fix: fix)
            return nil
        }
        return value
    }

    func bool() -> Bool? {
        guard case .scalar(let scalar) = node else {
            problem("expected true or false, found \(node.kindName)", fix: "write true or false")
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem("'\(scalar.string)' is not true or false", fix: "write true or false")
            return nil
        }
    }

    func duration(in range: ClosedRange<Duration>) -> Duration? {
        guard case .scalar(let scalar) = node, let value = DurationParser.parse(scalar.string) else {
            problem("'\(node.string ?? node.kindName)' is not a duration", fix: "write a duration such as 750ms, 30s, 5m, 2h or 7d")
            return nil
        }
        guard range.contains(value) else {
            problem("\(scalar.string) is out of range",
                    fix: "write a duration from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))")
            return nil
        }
        return value
    }

    /// `{env: NAME}` or `{file: PATH}`; an inline secret is refused without echoing it.
    func secret() -> SecretReference? {
        if case .scalar = node {
            problem("a secret is never written inline (the value is not shown here)",
                    fix: "write {env: VARIABLE} or {file: PATH} and keep the secret there")
            return nil
        }
        guard let entries = mapping(allowed: ["env", "file"]) else { return nil }
        switch (entries["env"], entries["file"]) {
        case (let env?, nil):
            guard let name = env.string() else { return nil }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !(name.first?.isNumber ?? true) else {
                env.problem("'\(name)' is not an environment variable name", fix: "use letters, digits and '_', such as MAILCANARY_PASSWORD")
                return nil
            }
            return .environment(name)
        case (nil, let file?):
            return file.string().map(SecretReference.file)
        case (nil, nil):
            problem("names no secret", fix: "write {env: VARIABLE} or {file: PATH}")
            return nil
        case (_?, _?):
            problem("names two sources", fix: "keep either env: or file:")
            return nil
        }
    }

    static func format(_ duration: Duration) -> String {
        let ms = Int64(duration.milliseconds)
        if ms == 0 { return "0s" }
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1_000 == 0 { return ms > 60_000 ? "\(ms / 60_000)m\(ms % 60_000 / 1_000)s" : "\(ms / 1_000)s" }
        return "\(ms)ms"
    }

    /// The allowed key nearest to a misspelt one (edit distance at most 2).
    static func closest(to key: String, in allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(Array(key), Array($0))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2 else { return nil }
        return best.0
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Node {
    var kindName: String {
        switch self {
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : "a text value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
