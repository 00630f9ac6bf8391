import Foundation
import MailCanaryCore
import MailProbing
import NIOPosix

/// Runs one probe the way the CLI does, with a short deadline.
func probe(_ url: String, timeout: Duration = .seconds(10), caFile: String? = nil, configure: (inout ProbeSettings) -> Void = { _ in }) async throws -> ProbeResult {
    var settings = ProbeSettings()
    settings.timeout = timeout
    settings.tls = TLSOptions(caFile: caFile)
    configure(&settings)
    let runner = ProbeRunner(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, trust: try TrustEvaluator(options: settings.tls))
    return await runner.run(try ProbeTarget(parsing: url), settings: settings, now: Date())
}
