import MailCanaryCore

/// SASL initial responses for the mechanisms the probes use.
///
/// - PLAIN: RFC 4616 §2, `[authzid] NUL authcid NUL passwd`, base64 (RFC 4648).
/// - LOGIN: draft-murchison-sasl-login: user name then password, each base64 in its own reply.
/// - XOAUTH2: Google/Microsoft, `user=` user `^Aauth=Bearer ` token `^A^A`, base64.
public enum SASL {
    public static func plain(user: String, password: Secret) -> String {
        base64(Array("\u{0}\(user)\u{0}\(password.exposedForWire)".utf8))
    }

    public static func xoauth2(user: String, token: Secret) -> String {
        base64(Array("user=\(user)\u{1}auth=Bearer \(token.exposedForWire)\u{1}\u{1}".utf8))
    }

    public static func base64(_ text: String) -> String { base64(Array(text.utf8)) }

    /// RFC 4648 §4 base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            index += 3
        }
        let rest = bytes.count - index
        if rest == 1 {
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64 leniently (for server challenges such as XOAUTH2's error JSON); nil if not base64.
    public static func decodeBase64(_ text: String) -> [UInt8]? {
        var values = [UInt8]()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "A"..."Z": values.append(UInt8(scalar.value - 65))
            case "a"..."z": values.append(UInt8(scalar.value - 97 + 26))
            case "0"..."9": values.append(UInt8(scalar.value - 48 + 52))
            case "+": values.append(62)
            case "/": values.append(63)
            case "=", " ", "\r", "\n": continue
            default: return nil
            }
        }
        var out = [UInt8]()
        var index = 0
        while index + 1 < values.count {
            let chunk = values[index..<min(index + 4, values.count)]
            let a = UInt32(chunk[chunk.startIndex]), b = UInt32(chunk[chunk.startIndex + 1])
            out.append(UInt8((a << 2 | b >> 4) & 0xFF))
            if chunk.count > 2 {
                let c = UInt32(chunk[chunk.startIndex + 2])
                out.append(UInt8((b << 4 | c >> 2) & 0xFF))
                if chunk.count > 3 {
                    let d = UInt32(chunk[chunk.startIndex + 3])
                    out.append(UInt8((c << 6 | d) & 0xFF))
                }
            }
            index += 4
        }
        return out
    }
}
