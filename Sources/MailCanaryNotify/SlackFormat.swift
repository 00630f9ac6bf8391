import Foundation

/// A Slack incoming-webhook message (Block Kit). Text from targets goes only into `plain_text`
/// objects, which Slack shows as typed: no formatting, links or @mentions. The `text` fallback
/// (notifications, old clients) is mrkdwn, so `&`, `<` and `>` are escaped there as Slack's
/// "Escaping text" rules ask, which also defuses `<!channel>` and `<url|label>`.
public enum SlackFormat {
    public static func body(_ message: NotificationMessage) -> [UInt8] {
        var blocks: [[String: Any]] = [
            ["type": "header", "text": plain(String(message.headline.prefix(150)))],
            ["type": "section", "text": plain(String(message.transition.summary.prefix(2_900)))],
        ]
        let fields = message.facts.prefix(10).map { plain(String("\($0.label): \($0.value)".prefix(1_900))) }
        blocks.append(["type": "section", "fields": Array(fields)])
        if !message.samples.isEmpty {
            let text = "Errors seen:\n" + message.samples.map { "• " + $0 }.joined(separator: "\n")
            blocks.append(["type": "section", "text": plain(String(text.prefix(2_900)))])
        }
        if let link = message.link {
            blocks.append(["type": "actions", "elements": [
                ["type": "button", "text": plain("Open the incident"), "url": link],
            ]])
        }
        let object: [String: Any] = ["text": escape(message.headline), "blocks": blocks]
        return Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }

    static func plain(_ text: String) -> [String: Any] {
        ["type": "plain_text", "text": text.isEmpty ? " " : text, "emoji": false]
    }

    /// Slack's three control characters in mrkdwn.
    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
