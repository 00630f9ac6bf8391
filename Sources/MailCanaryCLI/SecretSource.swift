import Foundation
import MailCanaryConfig
import MailCanaryCore
import MailCanaryWatch

/// Reads credentials from the environment or a file, never from the command line itself: the
/// watch loop's ``SecretReader``, with its error turned into a usage error naming the option.
enum SecretSource {
    static func environment(_ name: String, option: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageError) -> Secret {
        try read(.environment(name), option: option, environment: environment)
    }

    /// The first line of a file (a trailing newline is not part of the secret).
    static func file(_ path: String, option: String) throws(UsageError) -> Secret {
        try read(.file(path), option: option)
    }

    private static func read(_ reference: SecretReference, option: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws(UsageError) -> Secret {
        switch SecretReader.read(reference, environment: environment) {
        case .success(let secret): return secret
        case .failure(let error): throw UsageError("\(option): \(error.message)")
        }
    }
}
