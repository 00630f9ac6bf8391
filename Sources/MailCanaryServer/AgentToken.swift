import Crypto
import Foundation
import MailCanaryCore

/// Agent tokens: 256 random bits, shown once; the store keeps only their SHA-256. A slow hash
/// adds nothing for a random 256-bit secret, and ingest checks it on every batch.
public enum AgentToken {
    public static func generate() -> Secret {
        Secret("mcat_" + SessionPolicy.newSecret())
    }

    /// A token holder's name (`reader:NAME`, …): 1 to 64 letters, digits, '.', '_' or '-'.
    public static func isValidHolderName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    public static func hash(_ token: Secret) -> String {
        SHA256.hash(data: Data(token.exposedForWire.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
