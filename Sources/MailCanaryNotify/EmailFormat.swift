import Crypto
import Foundation
import MailCanaryCore

/// A notification as an Internet message (RFC 5322, MIME RFC 2045/2046, encoded words RFC 2047):
/// multipart/alternative with a text and an HTML part, both base64 (no line can be too long or
/// start with a dot). Header values never carry a line break; the subject is an encoded word
/// when it is not plain ASCII. The Message-ID is derived from the transition's key, so a retry
/// sends the same message, and every message of an incident refers to its opening's, so mail
/// clients thread them.
public enum EmailFormat {
    public static func message(_ message: NotificationMessage, from: String, to: [String], channel: String, dateMs: Int64) -> OutgoingMailText {
        let messageID = Self.messageID(message.transition.key, channel: channel)
        let opening = Self.messageID("\(message.incident.id)/opened", channel: channel)
        let boundary = "mc-" + String(Self.hex(message.transition.key + channel).prefix(24))
        var headers: [String] = [
            "From: MailCanary <\(headerSafe(from))>",
            "To: " + to.map { "<\(headerSafe($0))>" }.joined(separator: ", "),
            "Subject: " + encodedSubject(message.headline),
            "Date: " + rfc5322Date(dateMs),
            "Message-ID: \(messageID)",
        ]
        if messageID != opening { headers += ["In-Reply-To: \(opening)", "References: \(opening)"] }
        headers += [
            "Auto-Submitted: auto-generated",
            "X-MailCanary-Delivery: " + headerSafe(message.transition.key),
            "MIME-Version: 1.0",
            "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]
        var lines = headers
        lines += ["", "This is a MIME message: the notification is in the parts below."]
        lines += ["--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += base64Lines(plainText(message))
        lines += ["--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", ""]
        lines += base64Lines(html(message))
        lines += ["--\(boundary)--", ""]
        return OutgoingMailText(messageID: messageID, text: lines.joined(separator: "\r\n"))
    }

    public struct OutgoingMailText: Sendable, Equatable {
        public var messageID: String
        public var text: String
    }

    public static func plainText(_ message: NotificationMessage) -> String {
        var out = message.headline + "\n\n" + message.transition.summary + "\n\n"
        for fact in message.facts { out += "\(fact.label): \(fact.value)\n" }
        if !message.samples.isEmpty {
            out += "\nErrors seen:\n"
            for sample in message.samples { out += "  \(sample)\n" }
        }
        if let link = message.link { out += "\n\(link)\n" }
        return out
    }

    public static func html(_ message: NotificationMessage) -> String {
        var out = "<!doctype html><html><body style=\"font-family:sans-serif\">"
        out += "<h2>\(HTMLText.escape(message.headline))</h2><p>\(HTMLText.escape(message.transition.summary))</p><table>"
        for fact in message.facts { out += "<tr><th align=\"left\">\(HTMLText.escape(fact.label))</th><td>\(HTMLText.escape(fact.value))</td></tr>" }
        out += "</table>"
        if !message.samples.isEmpty {
            out += "<h3>Errors seen</h3><ul>" + message.samples.map { "<li><code>\(HTMLText.escape($0))</code></li>" }.joined() + "</ul>"
        }
        if let link = message.link { out += "<p><a href=\"\(HTMLText.escape(link))\">Open the incident</a></p>" }
        return out + "</body></html>"
    }

    /// A header value with no line break or other control character (no header injection).
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }

    /// Plain when printable ASCII and short; otherwise RFC 2047 B encoded words of at most 75
    /// characters each, split on character boundaries and folded.
    static func encodedSubject(_ subject: String) -> String {
        let safe = headerSafe(subject)
        if safe.utf8.count <= 70 && safe.unicodeScalars.allSatisfy({ $0.isASCII }) { return safe }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in safe {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    static func base64Lines(_ text: String) -> [String] {
        let encoded = Data(text.utf8).base64EncodedString()
        var lines: [String] = []
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    static func messageID(_ key: String, channel: String) -> String {
        "<" + String(hex(key + "|" + channel).prefix(32)) + "@mailcanary.invalid>"
    }

    static func hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func rfc5322Date(_ ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }
}
