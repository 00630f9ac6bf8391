/// A document as blocks, rendered to Markdown or to HTML from the same content, so the two
/// downloads of a post-incident report cannot say different things. Text in blocks is plain:
/// each renderer escapes it for its format (a hostile error string stays text).
public struct ReportDocument: Sendable {
    public enum Block: Sendable {
        case heading(level: Int, String)
        case paragraph(String)
        case bullets([String])
        case table(header: [String], rows: [[String]])
    }

    public var title: String
    public var blocks: [Block] = []

    public init(title: String) {
        self.title = title
    }

    public mutating func heading(_ text: String, level: Int = 2) { blocks.append(.heading(level: level, text)) }
    public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    public mutating func bullets(_ items: [String]) { if !items.isEmpty { blocks.append(.bullets(items)) } }
    public mutating func table(_ header: [String], _ rows: [[String]]) { if !rows.isEmpty { blocks.append(.table(header: header, rows: rows)) } }

    public func markdown() -> String {
        var out = "# \(Self.markdownEscape(title))\n"
        for block in blocks {
            out += "\n"
            switch block {
            case .heading(let level, let text):
                out += String(repeating: "#", count: min(6, max(1, level))) + " " + Self.markdownEscape(text) + "\n"
            case .paragraph(let text):
                out += Self.markdownEscape(text) + "\n"
            case .bullets(let items):
                for item in items { out += "- " + Self.markdownEscape(item) + "\n" }
            case .table(let header, let rows):
                out += "| " + header.map(Self.cell).joined(separator: " | ") + " |\n"
                out += "|" + String(repeating: " --- |", count: header.count) + "\n"
                for row in rows { out += "| " + row.map(Self.cell).joined(separator: " | ") + " |\n" }
            }
        }
        return out
    }

    public func htmlBody() -> String {
        var out = "<article class=\"report\"><h1>\(HTML.escape(title))</h1>"
        for block in blocks {
            switch block {
            case .heading(let level, let text):
                let tag = "h\(min(6, max(2, level)))"
                out += "<\(tag)>\(HTML.escape(text))</\(tag)>"
            case .paragraph(let text):
                out += "<p>\(HTML.escape(text))</p>"
            case .bullets(let items):
                out += "<ul>" + items.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
            case .table(let header, let rows):
                out += "<div class=\"scroll\"><table><thead><tr>" + header.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
                for row in rows { out += "<tr>" + row.map { "<td>\(HTML.escape($0))</td>" }.joined() + "</tr>" }
                out += "</tbody></table></div>"
            }
        }
        return out + "</article>"
    }

    /// Markdown's punctuation as literal text (CommonMark: any ASCII punctuation may be escaped),
    /// and no raw HTML: `<` becomes `&lt;`.
    static func markdownEscape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "#", "|", "~": out += "\\" + String(character)
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    static func cell(_ text: String) -> String { markdownEscape(text) }
}
