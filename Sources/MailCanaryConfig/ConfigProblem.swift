/// One thing wrong with a configuration file: where (key path and line), what, and how to fix it.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The key path, e.g. `services[0].probes[2].interval`; empty for the whole file.
    public var keyPath: String
    /// The 1-based line in the file, when known.
    public var line: Int?
    public var message: String
    public var fix: String

    public init(keyPath: String, line: Int?, message: String, fix: String) {
        self.keyPath = keyPath
        self.line = line
        self.message = message
        self.fix = fix
    }

    /// `line 12: services[0].probes[2].interval: '5x' is not a duration. Fix: write …`
    public var description: String {
        var text = ""
        if let line { text += "line \(line): " }
        if !keyPath.isEmpty { text += "\(keyPath): " }
        text += message
        if !fix.isEmpty { text += ". Fix: \(fix)" }
        return text
    }
}

/// Every problem of one file; thrown by ``ConfigLoader`` so that all are reported at once.
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ConfigProblem]

    public var description: String {
        problems.map { "\(file): \($0)" }.joined(separator: "\n")
    }
}
