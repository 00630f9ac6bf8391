/// Whether text can go into one protocol line: no CR, LF or NUL.
///
/// Checks Unicode scalars, not `Character`s: in Swift `"\r\n"` is a single `Character`, so
/// `contains { $0 == "\r" }` misses it, which would let a credential or address inject commands.
public enum LineSafety {
    public static func isSingleLine(_ text: String) -> Bool {
        !text.unicodeScalars.contains { $0 == "\r" || $0 == "\n" || $0 == "\u{0}" }
    }
}
