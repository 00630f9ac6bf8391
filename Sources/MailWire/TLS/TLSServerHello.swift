import Foundation
import NIOCore

/// Reads the cipher suite from the server's first TLS handshake record, which travels in clear
/// in every TLS version (RFC 8446 §4.1.3, RFC 5246 §7.4.1.3):
///
/// ```
/// record:    type(22) version(2) length(2)
/// handshake: type(2 = ServerHello) length(3) legacy_version(2) random(32)
///            session_id_length(1) session_id(…) cipher_suite(2) …
/// ```
public enum TLSServerHello {
    public enum Result: Equatable, Sendable {
        case cipherSuite(UInt16)
        case needMoreData
        /// Not a TLS handshake (an alert, plaintext, garbage): nothing to report.
        case notServerHello
    }

    /// Looks at the bytes received so far, without consuming them.
    public static func parse(_ bytes: ByteBuffer) -> Result {
        let view = bytes.readableBytesView
        guard view.count >= 5 else { return .needMoreData }
        let start = view.startIndex
        guard view[start] == 22, view[start + 1] == 3 else { return .notServerHello }
        // Handshake header right after the 5-byte record header; ServerHello fits in the first record.
        let handshake = start + 5
        guard view.count >= 5 + 4 + 2 + 32 + 1 else { return .needMoreData }
        guard view[handshake] == 2 else { return .notServerHello }
        let sessionIDLength = Int(view[handshake + 4 + 2 + 32])
        let cipherAt = handshake + 4 + 2 + 32 + 1 + sessionIDLength
        guard sessionIDLength <= 32 else { return .notServerHello }
        guard view.endIndex >= cipherAt + 2 else { return .needMoreData }
        return .cipherSuite(UInt16(view[cipherAt]) << 8 | UInt16(view[cipherAt + 1]))
    }

    /// The IANA name of common suites; others as hex.
    public static func name(of suite: UInt16) -> String {
        let names: [UInt16: String] = [
            0x1301: "TLS_AES_128_GCM_SHA256",
            0x1302: "TLS_AES_256_GCM_SHA384",
            0x1303: "TLS_CHACHA20_POLY1305_SHA256",
            0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            0xCCA8: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            0xCCA9: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
            0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
            0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
            0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
            0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        ]
        return names[suite] ?? String(format: "0x%04X", suite)
    }
}
