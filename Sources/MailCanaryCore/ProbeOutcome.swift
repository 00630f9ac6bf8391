/// The verdict of a probe or of one of its steps.
public enum ProbeOutcome: String, Codable, Sendable {
    case ok
    case failed
    /// A step that was not reached, or not needed (for example `starttls` on implicit TLS).
    case skipped
}
