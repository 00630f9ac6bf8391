import MailCanaryCore

/// Text into HTML and XML: everything that came from a target, a user or a provider goes through
/// `escape` before it reaches a page, a feed or a report rendered as HTML.
public enum HTML {
    public static func escape<S: StringProtocol>(_ text: S) -> String {
        HTMLText.escape(text)
    }

    /// A query-string component (`service=…&path=…`).
    public static func query(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
