import Hummingbird
import Logging
import MailCanaryStorage
import NIOConcurrencyHelpers

/// Bounded ingest: at most `count` uploads are read at once; one more gets 429 with Retry-After.
struct UploadSlots: Sendable {
    private let free: NIOLockedValueBox<Int>

    init(_ count: Int) {
        free = NIOLockedValueBox(count)
    }

    /// Runs `body` in a slot, or refuses with 429 when none is free (or `busy` says so).
    func withSlot<T>(busy: Bool = false, _ body: () async throws -> T) async throws -> T {
        let admitted = !busy && free.withLockedValue { free -> Bool in
            guard free > 0 else { return false }
            free -= 1
            return true
        }
        guard admitted else {
            var error = APIError(.tooManyRequests, "the server is busy with other uploads; retry after the delay")
            error.headers[.retryAfter] = "1"
            throw error
        }
        defer { free.withLockedValue { $0 += 1 } }
        return try await body()
    }
}

/// The answer of a route: its response, an ``APIError``'s, or 503 when the store failed.
func respond(logger: Logger, _ body: () async throws -> Response) async -> Response {
    do {
        return try await body()
    } catch let error as APIError {
        return error.response
    } catch {
        logger.error("request failed", metadata: ["error": "\(StoreErrorText.describe(error))"])
        return StoreUnavailable.response(api: true, detail: "the store is not answering; try again shortly")
    }
}

extension Request {
    /// The whole body up to `limit` bytes; past it a 413 saying what the limit is for.
    mutating func body(upTo limit: Int, tooLarge: String) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch {
            throw APIError(.contentTooLarge, tooLarge)
        }
    }
}
