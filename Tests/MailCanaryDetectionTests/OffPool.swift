import Foundation

/// CPU-heavy test work on a thread of its own, so the two threads of Swift's cooperative pool on
/// this machine stay free for the tests that wait on sockets and deadlines.
enum OffPool {
    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }
}
