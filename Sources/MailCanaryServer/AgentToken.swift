import Crypto
import Foundation
import MailCanaryCore

/// Agent tokens: 256 random bits, shown once; the store keeps only their SHA-256. A slow hash
/// adds nothing for a random 256-bit secret, and ingest checks it on every batch.
public enum AgentToken {
    public static func generate() -> Secret {
        Secret("mcat_" + SessionPolicy.newSecret())
    }

    public static func hash(_ token: Secret) -> String {
        SHA256.hash(data: Data(token.exposedForWire.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
