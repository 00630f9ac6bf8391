import Hummingbird
import MailCanaryWeb

/// The one answer for "the store did not answer": 503 with Retry-After (one check of the
/// ``StoreWatch``, when the store may be back), JSON for the API and a page for the site. The
/// watch's middleware, the access check, API handlers and pages all answer with it.
enum StoreUnavailable {
    static func response(api: Bool, detail: String) -> Response {
        var response: Response
        if api {
            response = APIError(.serviceUnavailable, detail).response
        } else {
            let sentence = detail.prefix(1).uppercased() + detail.dropFirst()
            response = WebController.html(PageLayout.render(title: "Unavailable", audience: .publicPages,
                                                            body: "<h1>Unavailable</h1><p>\(HTML.escape(sentence)).</p>"),
                                          status: .serviceUnavailable)
        }
        response.headers[.retryAfter] = String(StoreWatch.checkEvery.components.seconds)
        return response
    }
}
