/// Where a secret lives. The configuration only ever names it; the value is read when a probe
/// needs it, and never appears in the configuration, logs or errors.
public enum SecretReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// An environment variable of the process that runs the probe.
    case environment(String)
    /// A file whose first line is the secret (relative paths are taken from the configuration's folder).
    case file(String)

    public var description: String {
        switch self {
        case .environment(let name): return "environment variable \(name)"
        case .file(let path): return "file \(path)"
        }
    }
}
