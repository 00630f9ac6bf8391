import MailCanaryCore

/// Reads the signal lines of one buffer (a chunk of a scenario, an upload): the compact lines
/// that nearly every sender writes through ``CompactLineReader``, anything else through
/// ``SignalLineReader``, which reads all of JSON and names the field or byte at fault. Either way
/// the record is built by the same ``LineFields/record()``, so the two paths differ only in speed.
struct SignalLineParser {
    private var compact = CompactLineReader()

    /// `buffer` is `bytes` in place (the caller holds it open for the whole buffer).
    mutating func read(_ buffer: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], _ range: Range<Int>) throws(JSONReadError) -> IngestRecord {
        var fields = LineFields()
        if compact.read(buffer, range, into: &fields) { return try fields.record() }
        return try SignalLineReader.read(bytes, range)
    }
}
