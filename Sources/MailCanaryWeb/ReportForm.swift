import MailCanaryCore

/// The "report a problem" form (no script, no account), posting to `/api/v1/reports`: on its own
/// page (`/report`) and at the foot of the public status page.
public enum ReportForm {
    public static let symptoms: [(id: String, words: String)] = [
        ("cannot-connect", "It cannot connect"), ("cannot-send", "I cannot send mail"),
        ("cannot-receive", "New mail does not arrive"), ("slow", "It is very slow"),
        ("password-prompts", "It keeps asking for my password"), ("other", "Something else"),
    ]

    public static func render(services: [(id: String, name: String)], regions: [String]) -> String {
        var html = "<form class=\"stack\" method=\"post\" action=\"/api/v1/reports\">"
        html += "<label for=\"service\">Service</label><select id=\"service\" name=\"service\">"
        for service in services { html += "<option value=\"\(HTML.escape(service.id))\">\(HTML.escape(service.name))</option>" }
        html += "</select><label for=\"client\">Which app do you use?</label><select id=\"client\" name=\"client\"><option value=\"unknown\">I don't know</option>"
        for client in ClientKind.reportable {
            html += "<option value=\"\(HTML.escape(client.rawValue))\">\(HTML.escape(client.displayName.prefix(1).uppercased() + client.displayName.dropFirst()))</option>"
        }
        html += "</select><label for=\"symptom\">What happens?</label><select id=\"symptom\" name=\"symptom\">"
        for symptom in symptoms { html += "<option value=\"\(symptom.id)\">\(HTML.escape(symptom.words))</option>" }
        html += "</select><label for=\"region\">Where are you?</label><select id=\"region\" name=\"region\"><option value=\"unknown\">I don't know</option>"
        for region in regions { html += "<option value=\"\(HTML.escape(region))\">\(HTML.escape(Vocabulary.region(region)))</option>" }
        html += "</select><label for=\"text\">Anything else? (optional)</label><textarea id=\"text\" name=\"text\" rows=\"4\" maxlength=\"2000\"></textarea>"
        html += "<button type=\"submit\">Send report</button></form>"
        return html
    }
}
