import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL

/// What MailCanary's own outbound HTTP calls share (notification webhooks, the Graph poller): a
/// client that trusts the system's store or one CA file and follows no redirect (a signed
/// message or a bearer token goes only where it was sent), transport errors in words without
/// the URL (a Slack or Teams URL is a credential), and Retry-After.
public enum OutboundHTTP {
    public static func makeClient(caFile: String?, readTimeout: TimeAmount = .seconds(60)) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: readTimeout))
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A transport error in words; never anything that could hold the URL.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if [.deadlineExceeded, .readTimeout, .writeTimeout].contains(error) { return "no answer in time" }
            if error == .connectTimeout { return "connection timed out" }
            if error == .remoteConnectionClosed { return "the receiver closed the connection" }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) { return "the URL is not usable" }
        }
        if error is NIOSSLError { return "TLS failed (\(error))" }
        let text = String(describing: error)
        return text.contains("/") ? "connection failed (\(type(of: error)))" : text
    }

    /// A Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds
    /// from now, at most a day. Nil when absent or unreadable (the caller's backoff applies).
    public static func retryAfterMs(_ value: String?, nowMs: Int64) -> Int64? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        let day: Int64 = 86_400_000
        if value.allSatisfy({ $0.isASCII && $0.isNumber }) { return value.count > 9 ? day : min(Int64(value)! * 1_000, day) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: value) else { return nil }
        return min(max(0, Int64(date.timeIntervalSince1970 * 1_000) - nowMs), day)
    }
}
