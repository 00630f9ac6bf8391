import Foundation
import MailCanaryCore
import MailProbing
import NIOCore
import NIOPosix

/// Runs one probe the way the CLI does, with a short deadline, on an event loop of its own: the
/// hostile-server tests run at once and some keep their probe's loop busy on purpose (an endless
/// banner, a flood), which must not hold up another test's probe that happened to share it.
func probe(_ url: String, timeout: Duration = .seconds(10), caFile: String? = nil, configure: (inout ProbeSettings) -> Void = { _ in }) async throws -> ProbeResult {
    var settings = ProbeSettings()
    settings.timeout = timeout
    settings.tls = TLSOptions(caFile: caFile)
    configure(&settings)
    let target = try ProbeTarget(parsing: url)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let runner = ProbeRunner(eventLoopGroup: group, trust: try TrustEvaluator(options: settings.tls))
    let result = await runner.run(target, settings: settings, now: Date())
    try? await group.shutdownGracefully()
    return result
}
