import Foundation
import MailCanaryConfig
import MailCanaryCore

/// Reads a secret where the configuration says it lives, at the moment a probe needs it.
/// The error names the source, never the value.
public enum SecretReader {
    public static func read(_ reference: SecretReference, environment: [String: String] = ProcessInfo.processInfo.environment) -> Result<Secret, SecretError> {
        switch reference {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                return .failure(SecretError(message: "environment variable \(name) is not set"))
            }
            return .success(Secret(value))
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                return .failure(SecretError(message: "cannot read the secret file \(path)"))
            }
            let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            guard !line.isEmpty else { return .failure(SecretError(message: "the secret file \(path) is empty")) }
            return .success(Secret(line))
        }
    }

    public struct SecretError: Error, Sendable, Equatable {
        public var message: String
    }
}
