import MailCanaryCore

/// `tcp://host:port` (resolve, connect) and `tls://host:port` (resolve, connect, tls): the
/// transport layers alone, for any service, with the certificate report of ``TrustEvaluator``.
public struct TransportProber: Prober {
    public init() {}

    public func probe(_ target: ProbeTarget, context: ProbeContext, recorder: ProbeRecorder) async throws(ProbeFailure) {
        let connection = try await ProbeConnection.open(host: target.host, port: target.port, context: context, recorder: recorder)
        defer { connection.close() }
        if target.security == .implicitTLS {
            try await connection.startTLS()
        }
    }
}
