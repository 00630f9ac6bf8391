import AsyncHTTPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import MailCanaryWatch

/// POSTs a message to a webhook URL. One client per trust store (the system's, or a channel's
/// `ca_file`), redirects refused (a signed message goes where it was configured to, nowhere else),
/// answers read up to 4 KiB. The URL is a credential for Slack and Teams: it never appears in a
/// verdict, a log line or an error.
public final class HTTPChannelSender: Sendable {
    private let clients = NIOLockedValueBox<[String: HTTPClient]>([:])

    public init() {}

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration, caFile: String?, nowMs: Int64) async -> DeliveryVerdict {
        let client: HTTPClient
        do {
            client = try self.client(caFile: caFile)
        } catch {
            return .refused("cannot read the channel's CA file: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "User-Agent", value: "MailCanary")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds) * 1_000))
            var text: [UInt8] = []
            for try await chunk in response.body {
                text += chunk.readableBytesView.prefix(4_096 - text.count)
                if text.count >= 4_096 { break }
            }
            let retryAfter = OutboundHTTP.retryAfterMs(response.headers.first(name: "Retry-After"), nowMs: nowMs)
            return .http(status: Int(response.status.code), retryAfterMs: retryAfter, body: String(decoding: text, as: UTF8.self))
        } catch {
            return .retry("cannot deliver to the receiver: \(OutboundHTTP.describe(error))", retryAfterMs: nil)
        }
    }

    private func client(caFile: String?) throws -> HTTPClient {
        let key = caFile ?? ""
        if let existing = clients.withLockedValue({ $0[key] }) { return existing }
        let created = try OutboundHTTP.makeClient(caFile: caFile, readTimeout: .seconds(30))
        let (chosen, spare) = clients.withLockedValue { clients -> (HTTPClient, HTTPClient?) in
            if let raced = clients[key] { return (raced, created) }
            clients[key] = created
            return (created, nil)
        }
        if let spare { try? spare.syncShutdown() }
        return chosen
    }

    public func shutdown() async {
        let all = clients.withLockedValue { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }
}
