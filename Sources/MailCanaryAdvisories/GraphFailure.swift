/// Why a Graph or token request did not give an answer, in words without secrets, and whether
/// the provider asked us to wait.
public struct GraphFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public var status: Int?
    public var retryAfterMs: Int64?

    public init(_ description: String, status: Int? = nil, retryAfterMs: Int64? = nil) {
        self.description = description
        self.status = status
        self.retryAfterMs = retryAfterMs
    }
}
