import Foundation
import MailCanaryCore

/// Reads credentials from the environment or a file, never from the command line itself.
enum SecretSource {
    /// The value of an environment variable; a usage error naming the option when unset or empty.
    static func environment(_ name: String, option: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageError) -> Secret {
        guard let value = environment[name], !value.isEmpty else {
            throw UsageError("\(option) \(name): the environment variable \(name) is not set or empty")
        }
        return Secret(value)
    }

    /// The first line of a file (a trailing newline is not part of the secret).
    static func file(_ path: String, option: String) throws(UsageError) -> Secret {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("\(option) \(path): cannot read the file (missing, or no permission)")
        }
        var text = String(decoding: data, as: UTF8.self)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else { throw UsageError("\(option) \(path): the file is empty") }
        return Secret(text)
    }
}
