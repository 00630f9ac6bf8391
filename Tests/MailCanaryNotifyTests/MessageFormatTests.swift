import Foundation
import MailCanaryCore
import MailCanaryNotify
import Testing

/// Every channel's rendering of a message whose error sample is hostile: the structure of the
/// message (JSON, Slack blocks, the Adaptive Card, the mail's headers and HTML) stays intact and
/// the text arrives as text.
@Suite("Message formats escape what came from targets")
struct MessageFormatTests {
    typealias F = NotificationFixtures

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    /// Every string value anywhere in a JSON document, with the key it sits under.
    static func strings(_ value: Any, key: String = "") -> [(key: String, value: String)] {
        switch value {
        case let text as String: return [(key, text)]
        case let array as [Any]: return array.flatMap { strings($0, key: key) }
        case let object as [String: Any]: return object.flatMap { strings($0.value, key: $0.key) }
        default: return []
        }
    }

    @Test("webhook: JSON that round-trips the hostile text exactly, signed with HMAC-SHA256")
    func webhook() throws {
        let body = WebhookFormat.body(F.message())
        let object = try Self.json(body)
        let incident = try #require(object["incident"] as? [String: Any])
        #expect((incident["sampleErrors"] as? [String]) == [F.hostile])
        #expect(object["key"] as? String == "contoso-20251125-0914/opened")
        #expect(object["event"] as? String == "opened")
        #expect(incident["workaround"] as? String == "Use Outlook on the web while Outlook for Windows cannot connect.")
        // A known vector (computed independently with Python's hmac module).
        #expect(WebhookFormat.signature(body: Array(#"{"a":1}"#.utf8), secret: Secret("whsec-test-0123456789"), timestampSeconds: 1_764_062_040)
                == "v1=c76c8b0fb142c91161e5c920d912b8223cc3284293d17b99c36ec6fdd1c46209")
    }

    @Test("Slack: target text only in plain_text objects; the mrkdwn fallback has <, > and & escaped")
    func slack() throws {
        let object = try Self.json(SlackFormat.body(F.message()))
        let fallback = try #require(object["text"] as? String)
        #expect(!fallback.contains("<") && !fallback.contains(">"))
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        #expect(!String(decoding: SlackFormat.body(F.message()), as: UTF8.self).contains("mrkdwn"))
        let texts = Self.strings(blocks).filter { $0.key == "text" }.map(\.value)
        #expect(texts.contains { $0.contains(F.hostile) })
        func textObjects(_ value: Any) -> [[String: Any]] {
            switch value {
            case let array as [Any]: return array.flatMap(textObjects)
            case let object as [String: Any]:
                let own = object["text"] is String ? [object] : []
                return own + object.values.flatMap(textObjects)
            default: return []
            }
        }
        for text in textObjects(blocks) { #expect(text["type"] as? String == "plain_text") }
        #expect(SlackFormat.escape("<!channel> & <http://x|y>") == "&lt;!channel&gt; &amp; &lt;http://x|y&gt;")
    }

    @Test("Teams: an Adaptive Card whose data is all in TextRuns (no Markdown)")
    func teams() throws {
        let object = try Self.json(TeamsFormat.body(F.message()))
        let attachment = try #require((object["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard")
        let body = try #require(card["body"] as? [[String: Any]])
        #expect(body.allSatisfy { $0["type"] as? String == "RichTextBlock" })
        let runs = body.flatMap { ($0["inlines"] as? [[String: Any]]) ?? [] }
        #expect(runs.allSatisfy { $0["type"] as? String == "TextRun" })
        #expect(runs.contains { $0["text"] as? String == F.hostile })
    }

    @Test("e-mail: headers cannot be injected, the subject is an encoded word, parts decode, HTML is escaped, messages thread")
    func email() throws {
        var incident = F.incident(regions: ["apac", "région-✓"])
        incident.service = "contoso\r\nBcc: victim@example.com"
        let opened = EmailFormat.message(F.message(incident: incident), from: "mailcanary@example.com", to: ["ops@example.com"],
                                         channel: "mail", dateMs: F.base)
        let parts = opened.text.components(separatedBy: "\r\n\r\n")
        let headers = parts[0].components(separatedBy: "\r\n")
        #expect(!headers.contains { $0.lowercased().hasPrefix("bcc:") })
        #expect(headers.contains("Date: Tue, 25 Nov 2025 09:14:00 +0000"))
        #expect(headers.contains { $0.hasPrefix("Subject: =?UTF-8?B?") })
        #expect(opened.text.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
        #expect(!opened.text.components(separatedBy: "\r\n").contains { $0.hasPrefix(".") })
        // The subject decodes back to the headline (line breaks turned to spaces).
        let subject = headers.drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        let decoded = subject.map { line in
            line.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces)
        }.map { word -> String in
            let payload = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            return String(decoding: Data(base64Encoded: String(payload)) ?? Data(), as: UTF8.self)
        }.joined()
        #expect(decoded.contains("région-✓") && decoded.contains("contoso  Bcc"))
        // Two base64 parts: text and HTML.
        let bodies = opened.text.components(separatedBy: "Content-Transfer-Encoding: base64\r\n\r\n").dropFirst().map { chunk in
            String(decoding: Data(base64Encoded: chunk.components(separatedBy: "\r\n--")[0].replacingOccurrences(of: "\r\n", with: "")) ?? Data(), as: UTF8.self)
        }
        #expect(bodies.count == 2)
        #expect(bodies[0].contains(F.hostile))
        #expect(bodies[1].contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !bodies[1].contains("<script>"))
        #expect(bodies[1].contains("EX1189820: Users can&#39;t connect &lt;b&gt;"))
        // The resolution threads under the opening and keeps its own stable id.
        let resolved = EmailFormat.message(F.message(.resolved, incident: incident), from: "mailcanary@example.com", to: ["ops@example.com"],
                                           channel: "mail", dateMs: F.base + 1)
        #expect(resolved.text.contains("In-Reply-To: \(opened.messageID)"))
        #expect(resolved.messageID != opened.messageID)
        #expect(EmailFormat.message(F.message(.resolved, incident: incident), from: "a@b.c", to: ["d@e.f"], channel: "mail", dateMs: 9).messageID == resolved.messageID)
    }
}
