import Foundation
import Hummingbird
import Logging
import MailCanaryCore
import MailCanaryStorage

/// The record of notifications over HTTP: what was sent (or muted, refused, abandoned) to which
/// channel about which incident, with the last attempt's outcome. No URL or secret is stored.
struct NotificationController: Sendable {
    let store: any MailCanaryStore
    let logger: Logger

    func register(on router: Router<ServerRequestContext>) {
        router.get("/api/v1/notifications") { request, _ in await respond(logger: logger) { try await list(request) } }
    }

    struct DeliveryView: Encodable {
        var key: String
        var channel: String
        var incident: String
        var event: String
        var status: String
        var attempts: Int
        var createdAt: String
        var nextAttemptAt: String?
        var deliveredAt: String?
        var lastResult: String?

        init(_ entry: OutboxEntry) {
            key = entry.key
            channel = entry.channel
            incident = entry.incidentID
            event = entry.kind
            status = entry.status.rawValue
            attempts = entry.attempts
            createdAt = UTCTimestamp.format(entry.createdMs)
            nextAttemptAt = entry.status == .pending ? UTCTimestamp.format(entry.nextAttemptMs) : nil
            deliveredAt = entry.deliveredMs.map(UTCTimestamp.format)
            lastResult = entry.lastResult
        }
    }

    func list(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try APIError.limit(query.get("limit"))
        let incident = query.get("incident")
        if let incident, try await store.incident(id: incident) == nil {
            throw APIError(.notFound, "query parameter 'incident': no incident '\(incident)'")
        }
        let entries = try await store.deliveries(incidentID: incident, limit: limit)
        return JSONResponse.make(["notifications": entries.map(DeliveryView.init)])
    }
}
