import Foundation
import Hummingbird
import MailCanaryConfig
import MailCanaryCore

/// The public "report a problem" page: a plain form (no script, no account) that posts to
/// `/api/v1/reports`. A random reporter id in a cookie lets each person count once per incident.
enum ReportPage {
    static func response(config: WatchConfig, reporterCookie: String?) -> Response {
        let services = config.services.map { (id: $0.id, name: $0.name) }
        let regions = SignalController.knownRegions(config)
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Report a mail problem</title>
        <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}label{display:block;margin-top:1rem;font-weight:600}
        select,textarea,button{font:inherit;width:100%;margin-top:.25rem}button{margin-top:1.5rem;padding:.5rem}</style></head>
        <body><h1>Report a mail problem</h1>
        <p>Tell us what is not working. No account is needed; your report helps us see problems sooner.</p>
        <form method="post" action="/api/v1/reports">
        <label for="service">Service</label><select id="service" name="service">
        """
        for service in services { html += "<option value=\"\(escape(service.id))\">\(escape(service.name))</option>" }
        html += "</select><label for=\"client\">Which app do you use?</label><select id=\"client\" name=\"client\"><option value=\"unknown\">I don't know</option>"
        for client in ClientKind.reportable { html += "<option value=\"\(client.rawValue)\">\(escape(client.displayName.prefix(1).uppercased() + client.displayName.dropFirst()))</option>" }
        html += "</select><label for=\"symptom\">What happens?</label><select id=\"symptom\" name=\"symptom\">"
        let symptomNames = ["cannot-connect": "It cannot connect", "cannot-send": "I cannot send mail", "cannot-receive": "New mail does not arrive",
                            "slow": "It is very slow", "password-prompts": "It keeps asking for my password", "other": "Something else"]
        for symptom in SignalController.symptoms { html += "<option value=\"\(symptom)\">\(symptomNames[symptom] ?? symptom)</option>" }
        html += "</select><label for=\"region\">Where are you?</label><select id=\"region\" name=\"region\"><option value=\"unknown\">I don't know</option>"
        for region in regions { html += "<option value=\"\(escape(region))\">\(escape(region))</option>" }
        html += """
        </select><label for="text">Anything else? (optional)</label><textarea id="text" name="text" rows="4" maxlength="2000"></textarea>
        <button type="submit">Send report</button></form></body></html>
        """
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        if reporterCookie == nil { headers[.setCookie] = cookie(newReporterID()) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page after a report from the form.
    static func thanks(reporterCookie: String?) -> Response {
        let html = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Thank you</title></head>
        <body style="font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto"><h1>Thank you</h1>
        <p>Your report was received. If many people see the same problem we are already on it.</p>
        <p><a href="/report">Report something else</a></p></body></html>
        """
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        if let reporterCookie { headers[.setCookie] = cookie(reporterCookie) }
        return Response(status: .accepted, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func newReporterID() -> String {
        UUID().uuidString.lowercased()
    }

    static func cookie(_ id: String) -> String {
        "mc_reporter=\(id); Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax"
    }

    static func escape<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
