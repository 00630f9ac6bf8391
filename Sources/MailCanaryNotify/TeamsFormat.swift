import Foundation

/// A Microsoft Teams incoming-webhook message: one Adaptive Card (schema 1.4) as an attachment,
/// which both the Workflows webhooks and the older Office 365 connectors accept. Every text that
/// carries data is a `TextRun` inside a `RichTextBlock`: TextRuns do not interpret Markdown
/// (Adaptive Cards schema, TextRun), so a hostile error string is shown as written.
public enum TeamsFormat {
    public static func body(_ message: NotificationMessage) -> [UInt8] {
        var body: [[String: Any]] = [
            rich([run(message.headline, weight: "Bolder", size: "Medium")]),
            rich([run(message.transition.summary)]),
        ]
        for fact in message.facts {
            body.append(rich([run(fact.label + ": ", weight: "Bolder"), run(fact.value)]))
        }
        if !message.samples.isEmpty {
            body.append(rich([run("Errors seen", weight: "Bolder")]))
            for sample in message.samples { body.append(rich([run(sample, fontType: "Monospace")])) }
        }
        var card: [String: Any] = [
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4", "body": body,
        ]
        if let link = message.link {
            card["actions"] = [["type": "Action.OpenUrl", "title": "Open the incident", "url": link]]
        }
        let object: [String: Any] = [
            "type": "message",
            "summary": message.headline,
            "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "content": card]],
        ]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }

    static func rich(_ inlines: [[String: Any]]) -> [String: Any] {
        ["type": "RichTextBlock", "inlines": inlines]
    }

    static func run(_ text: String, weight: String? = nil, size: String? = nil, fontType: String? = nil) -> [String: Any] {
        var run: [String: Any] = ["type": "TextRun", "text": text]
        if let weight { run["weight"] = weight }
        if let size { run["size"] = size }
        if let fontType { run["fontType"] = fontType }
        return run
    }
}
