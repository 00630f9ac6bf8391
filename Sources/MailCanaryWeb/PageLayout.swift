/// The frame every page shares: the head (stylesheet, viewport), the top bar and the footer.
/// Pages hand in HTML they built from escaped parts.
public enum PageLayout {
    public enum Audience: Sendable {
        /// Administrators: dashboard navigation.
        case operators
        /// The public status page: no link into the dashboard.
        case publicPages
    }

    /// Who is signed in, and the session's form token for the sign-out button.
    public struct Account: Sendable, Equatable {
        public var name: String
        public var role: String
        public var formToken: String?
        public init(name: String, role: String, formToken: String?) {
            self.name = name
            self.role = role
            self.formToken = formToken
        }
    }

    public static func render(title: String, audience: Audience, body: String, refreshSeconds: Int? = nil,
                              extraHead: String = "", account: Account? = nil) -> String {
        var html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        if let refreshSeconds { html += "<meta http-equiv=\"refresh\" content=\"\(refreshSeconds)\">" }
        html += "<title>\(HTML.escape(title))</title><link rel=\"stylesheet\" href=\"/assets/app.css\">\(extraHead)</head><body>"
        switch audience {
        case .operators:
            html += "<header class=\"top\"><a class=\"brand\" href=\"/\">MailCanary</a><a href=\"/\">Dashboard</a>"
            html += "<a href=\"/status\">Status page</a><a href=\"/report\">Report a problem</a>"
            if let account {
                html += "<span class=\"account\">\(HTML.escape(account.name)) (\(HTML.escape(account.role)))"
                if let token = account.formToken {
                    html += "<form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(token))\"><button type=\"submit\">Sign out</button></form>"
                }
                html += "</span>"
            } else {
                html += "<a href=\"/login\">Sign in</a>"
            }
            html += "</header>"
        case .publicPages:
            html += "<header class=\"top\"><a class=\"brand\" href=\"/status\">Mail service status</a>"
            html += "<a href=\"/report\">Report a problem</a></header>"
        }
        html += "<main>" + body + "</main><footer>MailCanary · times in UTC</footer></body></html>"
        return html
    }
}
