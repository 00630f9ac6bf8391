import AsyncHTTPClient
import NIOCore
import Foundation
import NIOSSL

/// Small shared pieces of the Graph client: transport errors in words without URLs, Retry-After.
enum GraphHTTP {
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            if [.deadlineExceeded, .readTimeout].contains(error) { return "no answer in time" }
            if error == .connectTimeout { return "connection timed out" }
            if error == .remoteConnectionClosed { return "the server closed the connection" }
        }
        if error is NIOSSLError { return "TLS failed: \(error)" }
        let text = String(describing: error)
        return text.contains("://") ? "connection failed (\(type(of: error)))" : text
    }

    /// Retry-After as delay-seconds (Graph sends seconds); nil when absent or unreadable.
    static func retryAfterMs(_ value: String?) -> Int64? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), let seconds = Int64(value), seconds >= 0 else { return nil }
        return min(seconds, 86_400) * 1_000
    }
}

/// The HTTP client a tenant's poller uses: the system's trust store, or the tenant's `ca_file`
/// alone; no redirects (a bearer token goes only where it was sent).
public enum GraphHTTPClient {
    public static func make(caFile: String?) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile)) }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
