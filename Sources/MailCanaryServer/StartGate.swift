import NIOConcurrencyHelpers
import ServiceLifecycle

/// Opens once something is ready (the store migrated, detection warmed up); the services
/// behind it start only then.
public final class StartGate: Sendable {
    private let opened = NIOLockedValueBox(false)

    func open() { opened.withLockedValue { $0 = true } }
    var isOpen: Bool { opened.withLockedValue { $0 } }

    /// Waits until open; false when shutdown came first.
    func wait() async -> Bool {
        while !isOpen {
            if Task.isCancelled || Task.isShuttingDownGracefully { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }
}

/// A service that starts when the gate opens.
struct GatedService: Service {
    let gate: StartGate
    let inner: any Service

    func run() async throws {
        guard await gate.wait() else { return }
        try await inner.run()
    }
}
