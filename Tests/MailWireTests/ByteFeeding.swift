import NIOCore

/// Feeds `text` to a parser three ways: all at once, one byte at a time, and in two halves at
/// every split point, so that framing never depends on how TCP cut the stream.
func feedings(_ text: String) -> [[ByteBuffer]] {
    let bytes = Array(text.utf8)
    var ways: [[ByteBuffer]] = [[ByteBuffer(bytes: bytes)], bytes.map { ByteBuffer(bytes: [$0]) }]
    for split in stride(from: 1, to: bytes.count, by: max(1, bytes.count / 7)) {
        ways.append([ByteBuffer(bytes: bytes[..<split]), ByteBuffer(bytes: bytes[split...])])
    }
    return ways
}

/// Runs `parse` over chunks as a connection would: accumulate, parse until nil, repeat.
func collect<T>(_ chunks: [ByteBuffer], _ parse: (inout ByteBuffer) throws -> T?) rethrows -> [T] {
    var pending = ByteBuffer()
    var out: [T] = []
    for var chunk in chunks {
        pending.writeBuffer(&chunk)
        while let value = try parse(&pending) { out.append(value) }
    }
    return out
}
