/// A command line ready for the wire, with the text the transcript may show.
///
/// Redaction happens here, at the encoder, by construction: the only way to put a ``Secret``
/// into a command is through a builder that also writes its redacted transcript line.
public struct OutboundCommand: Sendable, Equatable {
    /// The bytes to send, including the trailing CRLF.
    public var wire: String
    /// What the transcript shows (no CRLF, credentials replaced by `<redacted>`).
    public var transcript: String

    public init(wire: String, transcript: String) {
        self.wire = wire
        self.transcript = transcript
    }

    /// A command without secrets: the transcript shows it as sent.
    public init(line: String) {
        self.wire = line + "\r\n"
        self.transcript = line
    }

    /// A command whose tail is secret: the transcript shows `head <redacted>`.
    public init(head: String, secretTail: String) {
        self.wire = head + (head.isEmpty ? "" : " ") + secretTail + "\r\n"
        self.transcript = head + (head.isEmpty ? "" : " ") + "<redacted>"
    }
}
