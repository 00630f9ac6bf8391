import Foundation
import Hummingbird
import MailCanaryConfig
import MailCanaryCore
import MailCanaryWeb

/// The public "report a problem" page: a plain form (no script, no account) that posts to
/// `/api/v1/reports`. A random reporter id in a cookie lets each person count once per incident.
enum ReportPage {
    static func response(config: WatchConfig, reporterCookie: String?) -> Response {
        let body = "<h1>Report a mail problem</h1><p>Tell us what is not working. No account is needed; your report helps us see problems sooner.</p>"
            + ReportForm.render(services: config.services.map { ($0.id, $0.name) }, regions: SignalController.knownRegions(config))
        let html = PageLayout.render(title: "Report a mail problem", audience: .publicPages, body: body)
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        if reporterCookie == nil { headers[.setCookie] = cookie(newReporterID()) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The page after a report from the form.
    static func thanks(reporterCookie: String?) -> Response {
        let body = "<h1>Thank you</h1><p>Your report was received. If many people see the same problem we are already on it.</p>"
            + "<p><a href=\"/status\">See the service status</a> · <a href=\"/report\">Report something else</a></p>"
        let html = PageLayout.render(title: "Thank you", audience: .publicPages, body: body)
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
}
