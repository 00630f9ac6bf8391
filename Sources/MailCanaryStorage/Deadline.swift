import Foundation

/// An exchange that gives up after a while without waiting for the work it gives up on (a query
/// on a session the server has ended may never be answered, nor cancelled).
enum Deadline {
    struct Passed: Error, CustomStringConvertible {
        var description: String { "PostgreSQL did not answer in time" }
    }

    static func within<T: Sendable>(_ duration: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let once = Once(continuation)
            let work = Task {
                do { once.resume(with: .success(try await body())) } catch { once.resume(with: .failure(error)) }
            }
            Task {
                try? await Task.sleep(for: duration)
                if once.resume(with: .failure(Passed())) { work.cancel() }
            }
        }
    }

    /// A continuation resumed by whichever finishes first; later results are dropped.
    private final class Once<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?

        init(_ continuation: CheckedContinuation<T, any Error>) {
            self.continuation = continuation
        }

        /// True when this call resumed it.
        @discardableResult
        func resume(with result: Result<T, any Error>) -> Bool {
            lock.lock()
            let continuation = self.continuation
            self.continuation = nil
            lock.unlock()
            continuation?.resume(with: result)
            return continuation != nil
        }
    }
}
