/// Text into HTML and XML: the five characters that can change a document's structure are
/// escaped (in text and in quoted attribute values alike). Pages, feeds, reports and e-mail
/// notifications all go through it.
public enum HTMLText {
    public static func escape<S: StringProtocol>(_ text: S) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
