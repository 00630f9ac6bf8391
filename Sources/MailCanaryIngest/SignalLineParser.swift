import MailCanaryCore

/// Reads the signal lines of one buffer (a chunk of a scenario, an upload): the compact lines
/// that nearly every sender writes through ``CompactLineReader``, anything else through
/// ``SignalLineReader``, which reads all of JSON and names the field or byte at fault. The fast
/// path takes only good lines and gives the record the full reader would, so the two differ only
/// in speed.
struct SignalLineParser {
    private var compact = CompactLineReader()

    /// `buffer` is `bytes` in place (the caller holds it open for the whole buffer).
    mutating func read(_ buffer: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], _ range: Range<Int>) throws(JSONReadError) -> IngestRecord {
        if let signal = compact.read(buffer, range) { return .signal(signal) }
        return try SignalLineReader.read(bytes, range)
    }

    /// Reads a line into `signals`, a compact one built in place; a scenario header is returned.
    mutating func read(_ buffer: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], _ range: Range<Int>,
                       into signals: SignalBuffer) throws(JSONReadError) -> ScenarioHeader? {
        if signals.append(building: { compact.read(buffer, range, into: $0) }) { return nil }
        switch try SignalLineReader.read(bytes, range) {
        case .signal(let signal):
            signals.append(signal)
            return nil
        case .scenario(let header):
            return header
        }
    }
}
