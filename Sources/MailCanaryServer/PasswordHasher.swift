import Crypto
import CryptoExtras
import Foundation

/// Passwords as scrypt hashes (RFC 7914; memory-hard): `scrypt$N$r$p$SALT$HASH`, salt and hash in
/// base64. N = 2^15, r = 8, p = 1 costs 32 MiB and about a tenth of a second per check, as RFC
/// 7914 §2 suggests for interactive logins. Verification compares in constant time, and a
/// hash with other parameters (an older or a stronger setting) still verifies with its own.
public enum PasswordHasher {
    public struct Parameters: Sendable, Equatable {
        public var rounds = 1 << 15
        public var blockSize = 8
        public var parallelism = 1
        public init() {}
    }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case tooShort(minimum: Int)
        case tooLong(maximum: Int)
        public var description: String {
            switch self {
            case .tooShort(let minimum): "the password is shorter than \(minimum) characters"
            case .tooLong(let maximum): "the password is longer than \(maximum) bytes"
            }
        }
    }

    public static let minimumLength = 12
    public static let maximumBytes = 1_024

    /// Checks a new password's length (the only rule: long passphrases beat composition rules).
    public static func check(_ password: String) -> Problem? {
        if password.count < minimumLength { return .tooShort(minimum: minimumLength) }
        if password.utf8.count > maximumBytes { return .tooLong(maximum: maximumBytes) }
        return nil
    }

    public static func hash(_ password: String, parameters: Parameters = Parameters()) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let key = try derive(password, salt: salt, rounds: parameters.rounds, blockSize: parameters.blockSize, parallelism: parameters.parallelism)
        return "scrypt$\(parameters.rounds)$\(parameters.blockSize)$\(parameters.parallelism)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether the password matches; false for any malformed or unknown hash (never a crash).
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
              let rounds = Int(parts[1]), let blockSize = Int(parts[2]), let parallelism = Int(parts[3]),
              rounds >= 2, rounds <= 1 << 20, rounds & (rounds - 1) == 0, (1...32).contains(blockSize), (1...16).contains(parallelism),
              let salt = Data(base64Encoded: String(parts[4])), let expected = Data(base64Encoded: String(parts[5])), expected.count == 32,
              password.utf8.count <= maximumBytes,
              let key = try? derive(password, salt: Array(salt), rounds: rounds, blockSize: blockSize, parallelism: parallelism)
        else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(key, expected) { difference |= a ^ b }
        return difference == 0
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int, blockSize: Int, parallelism: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: rounds,
                                           blockSize: blockSize, parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }
}
