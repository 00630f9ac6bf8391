/// The sign-in form. Its form token is also in a cookie (double submit), so another site cannot
/// sign a browser in to an account of its choosing.
public enum LoginPage {
    public static func render(next: String, formToken: String, problem: String?, signedInAs: String?) -> String {
        var body = "<h1>Sign in to MailCanary</h1>"
        if let signedInAs { body += "<p>You are signed in as <strong>\(HTML.escape(signedInAs))</strong>. <a href=\"/\">Go to the dashboard</a>.</p>" }
        if let problem { body += "<p class=\"banner banner-bad\">\(HTML.escape(problem))</p>" }
        body += "<form class=\"stack\" method=\"post\" action=\"/login\">"
        body += "<input type=\"hidden\" name=\"csrf\" value=\"\(HTML.escape(formToken))\"><input type=\"hidden\" name=\"next\" value=\"\(HTML.escape(next))\">"
        body += "<label for=\"username\">Name</label><input id=\"username\" name=\"username\" autocomplete=\"username\" required>"
        body += "<label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>"
        body += "<button type=\"submit\">Sign in</button></form>"
        body += "<p class=\"muted small\">No account? An administrator creates one with <code>mailcanary user add NAME</code>. "
        body += "The public status page is at <a href=\"/status\">/status</a>.</p>"
        return PageLayout.render(title: "Sign in", audience: .publicPages, body: body)
    }
}
