/// A message for the SMTP client to deliver: envelope and RFC 5322 text (dot-stuffed on the wire).
public struct OutgoingMail: Sendable, Equatable {
    public var sender: String
    public var recipients: [String]
    public var messageID: String
    public var text: String

    public init(sender: String, recipients: [String], messageID: String, text: String) {
        self.sender = sender
        self.recipients = recipients
        self.messageID = messageID
        self.text = text
    }
}
