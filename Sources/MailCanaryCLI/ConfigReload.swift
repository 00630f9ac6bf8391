import MailCanaryConfig

/// What `serve` does with a configuration read again on SIGHUP: a decision with no I/O.
enum ConfigReload: Equatable {
    /// The file has problems (each with its key path): keep running the current configuration.
    case keep(String)
    case unchanged
    /// Restart the services with the new configuration; `summary` says what changed.
    case apply(WatchConfig, summary: String)

    static func decide(running: WatchConfig, loaded: Result<WatchConfig, any Error>) -> ConfigReload {
        let new: WatchConfig
        switch loaded {
        case .failure(let error): return .keep("\(error)")
        case .success(let config): new = config
        }
        guard new != running else { return .unchanged }
        let before = Set(running.services.map(\.id))
        let after = Set(new.services.map(\.id))
        let oldProbes = Set(running.services.flatMap(\.probes).map(\.id))
        let newProbes = Set(new.services.flatMap(\.probes).map(\.id))
        var parts: [String] = []
        if !after.subtracting(before).isEmpty { parts.append("services added: \(after.subtracting(before).sorted().joined(separator: ", "))") }
        if !before.subtracting(after).isEmpty { parts.append("services removed: \(before.subtracting(after).sorted().joined(separator: ", "))") }
        if !newProbes.subtracting(oldProbes).isEmpty { parts.append("probes added: \(newProbes.subtracting(oldProbes).sorted().joined(separator: ", "))") }
        if !oldProbes.subtracting(newProbes).isEmpty { parts.append("probes removed: \(oldProbes.subtracting(newProbes).sorted().joined(separator: ", "))") }
        return .apply(new, summary: parts.isEmpty ? "settings changed" : parts.joined(separator: "; "))
    }
}
