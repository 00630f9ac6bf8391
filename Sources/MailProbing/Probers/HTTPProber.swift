import Foundation
import MailCanaryCore
import MailWire

/// HTTP(S): `GET` the resource, follow redirects up to ``ProbeLimits/maxRedirects`` (each hop
/// recorded as a `redirect` step), and judge the final status.
///
/// Phases, as blackbox_exporter's `probe_http_duration_seconds{phase}`: `resolve`, `connect`,
/// `tls`, then `operation` whose detail carries time to first byte and transfer time.
/// Credentials (Basic for a password, Bearer for a token) go only to the target's own host:
/// a redirect elsewhere is followed without them (the Autodiscover credential-leak lesson).
public struct HTTPProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let settings = context.settings
        let authorization = try await settings.credentials.httpAuthorization(context: context, recorder: recorder)

        var hop = target
        var visited: [String] = [target.displayString]
        while true {
            var headers = [
                HTTPField("User-Agent", "MailCanary/1 (+probe)"),
                HTTPField("Accept", "*/*"),
            ]
            let sameHost = hop.host.lowercased() == target.host.lowercased() && hop.port == target.port
            if let authorization, sameHost { headers.append(authorization) }
            let request = HTTPRequest(method: "GET", target: hop.resource, host: HTTPRequest.authority(host: hop.host, port: hop.port, secure: hop.scheme == .https), headers: headers)
            let response = try await HTTPExchange.perform(request, secure: hop.scheme == .https, host: hop.host, port: hop.port,
                                                          step: .operation, context: context, recorder: recorder)
            let status = response.head.status
            recorder.facts["status"] = String(status)
            recorder.facts["timeToFirstByteMs"] = response.timeToFirstByteMs.tenthsText
            recorder.facts["bodyBytes"] = String(response.body.count)
            if response.bodyTruncated { recorder.facts["bodyTruncated"] = "true" }

            if [301, 302, 303, 307, 308].contains(status), let location = response.head.first("Location") {
                let next = try await recorder.step(.redirect) { () async throws(ProbeFailure) in
                    guard visited.count <= settings.limits.maxRedirects else {
                        throw ProbeFailure(.protocol, reason: .redirectLimit, step: .redirect,
                                           message: "more than \(settings.limits.maxRedirects) redirects: \(visited.suffix(3).joined(separator: " → ")) …")
                    }
                    guard let next = Self.resolve(location, against: hop) else {
                        throw ProbeFailure(.protocol, reason: .malformed, step: .redirect, message: "the redirect Location is not a usable http(s) URL: \(location.prefix(120))")
                    }
                    if visited.contains(next.displayString), visited.count > 1 || next.displayString == hop.displayString {
                        throw ProbeFailure(.protocol, reason: .redirectLimit, step: .redirect, message: "redirect loop: \(next.displayString) was already visited")
                    }
                    return (next, "\(status) → \(next.displayString)")
                }
                visited.append(next.displayString)
                hop = next
                continue
            }
            recorder.facts["redirects"] = String(visited.count - 1)
            if visited.count > 1 { recorder.facts["finalURL"] = hop.displayString }
            try Self.judge(response.head, sentCredentials: authorization != nil)
            return
        }
    }

    /// The verdict on the final status (``HTTPStatusRules``), thrown.
    static func judge(_ head: HTTPResponseHead, sentCredentials: Bool) throws(ProbeFailure) {
        if let failure = HTTPStatusRules.failure(head, step: .operation, sentCredentials: sentCredentials) { throw failure }
    }

    /// Resolves a `Location` value (absolute, scheme-relative or path) against the current URL.
    static func resolve(_ location: String, against base: ProbeTarget) -> ProbeTarget? {
        let trimmed = location.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix("http://") || trimmed.lowercased().hasPrefix("https://") {
            guard let target = try? ProbeTarget(parsing: trimmed), target.scheme == .http || target.scheme == .https else { return nil }
            return target
        }
        if trimmed.hasPrefix("//") {
            return try? ProbeTarget(parsing: base.scheme.rawValue + ":" + trimmed)
        }
        var next = base
        if trimmed.hasPrefix("/") {
            next.resource = trimmed
        } else {
            let directory = base.resource.split(separator: "?", maxSplits: 1).first.map { String($0) } ?? "/"
            let prefix = directory.hasSuffix("/") ? directory : String(directory[...(directory.lastIndex(of: "/") ?? directory.startIndex)])
            next.resource = (prefix.hasPrefix("/") ? prefix : "/" + prefix) + trimmed
        }
        guard LineSafety.isSingleLine(next.resource), !next.resource.contains(" ") else { return nil }
        return next
    }
}
