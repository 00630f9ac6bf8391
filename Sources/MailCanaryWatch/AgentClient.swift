import AsyncHTTPClient
import Foundation
import MailCanaryCore
import NIOCore
import NIOHTTP1
import NIOFoundationCompat
import MailCanaryStorage

/// The agent's side of the agent API: fetch the plan, upload batches.
public struct AgentClient: Sendable {
    public let server: String
    let token: Secret
    let http: HTTPClient

    public init(server: String, token: Secret, http: HTTPClient = .shared) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        self.http = http
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// The server could not be reached or did not answer in time.
        case unreachable(String)
        /// The server refused the token or the agent (no retry helps until the operator acts).
        case refused(status: Int, message: String)
        /// The server is busy or failing; try again after the delay (Retry-After) or a backoff.
        case retryLater(status: Int, after: Duration?)
        case badAnswer(String)

        public var description: String {
            switch self {
            case .unreachable(let why): return "server unreachable: \(why)"
            case .refused(let status, let message): return "server refused (\(status)): \(message)"
            case .retryLater(let status, let after): return "server busy (\(status))\(after.map { ", retry after \($0)" } ?? "")"
            case .badAnswer(let why): return "unexpected answer: \(why)"
            }
        }
    }

    public func plan(region: String) async throws(Failure) -> AgentPlan {
        let body = try await exchange(method: .GET, path: "/api/v1/agent/plan?region=\(region)", body: nil, idempotencyKey: nil)
        do {
            return try JSONDecoder().decode(AgentPlan.self, from: body)
        } catch {
            throw .badAnswer("the plan is not JSON the agent understands")
        }
    }

    public func upload(_ batch: ResultBatch) async throws(Failure) -> BatchReceipt {
        let first = batch.results.first?.sequence ?? 0
        let last = batch.results.last?.sequence ?? 0
        let data: Data
        do { data = try JSONEncoder().encode(batch) } catch { throw .badAnswer("cannot encode the batch") }
        return try await upload(encoded: data, idempotencyKey: "\(batch.agent):\(first)-\(last)")
    }

    /// Uploads a batch already encoded as JSON (the benchmark's load generator encodes ahead).
    public func upload(encoded data: Data, idempotencyKey: String) async throws(Failure) -> BatchReceipt {
        let body = try await exchange(method: .POST, path: "/api/v1/agent/results", body: data, idempotencyKey: idempotencyKey)
        do {
            return try JSONDecoder().decode(BatchReceipt.self, from: body)
        } catch {
            throw .badAnswer("the receipt is not JSON")
        }
    }

    /// Posts NDJSON signal lines (a log reader's counts, a collector's events) to the telemetry API.
    public func postTelemetry(_ ndjson: Data, idempotencyKey: String) async throws(Failure) -> TelemetryReceipt {
        let body = try await exchange(method: .POST, path: "/api/v1/telemetry", body: ndjson, idempotencyKey: idempotencyKey,
                                      contentType: "application/x-ndjson")
        do {
            return try JSONDecoder().decode(TelemetryReceipt.self, from: body)
        } catch {
            throw .badAnswer("the telemetry receipt is not JSON")
        }
    }

    private func exchange(method: HTTPMethod, path: String, body: Data?, idempotencyKey: String?,
                          contentType: String = "application/json") async throws(Failure) -> Data {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token.exposedForWire)")
        request.headers.add(name: "Accept", value: "application/json")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(data: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .seconds(30))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw .unreachable(Self.describe(error))
        }
        let data = Data(buffer: bytes)
        switch response.status.code {
        case 200..<300:
            return data
        case 429, 500...599:
            let after = response.headers.first(name: "Retry-After").flatMap(Int.init).map { Duration.seconds($0) }
            throw .retryLater(status: Int(response.status.code), after: after)
        default:
            let message = (try? JSONDecoder().decode([String: String].self, from: data))?["error"] ?? "HTTP \(response.status.code)"
            throw .refused(status: Int(response.status.code), message: message)
        }
    }

    static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) : text
    }
}
