import MailCanaryStorage

/// Where a finished probe's result goes: the server's store writer, or an agent's spool.
public protocol ResultSink: Sendable {
    func accept(_ result: StoredResult) async
}
