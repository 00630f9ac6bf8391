import Testing
@testable import MailCanaryWeb

@Suite("ReportDocument")
struct ReportDocumentTests {
    @Test("hostile text stays text in Markdown and in HTML")
    func escapes() {
        var doc = ReportDocument(title: "Report")
        let hostile = "<script>alert(1)</script> **bold** [link](javascript:x) | cell\nnext # heading"
        doc.paragraph(hostile)
        doc.table(["Message", "Count"], [[hostile, "3"]])
        let markdown = doc.markdown()
        #expect(!markdown.contains("<script>"))
        #expect(markdown.contains("&lt;script&gt;"))
        #expect(markdown.contains("\\*\\*bold\\*\\*"))
        #expect(markdown.contains("\\[link\\]"))
        #expect(markdown.contains("\\| cell next \\# heading"))
        // Header, rule and one row, each with two columns: the pipe in the text is escaped.
        let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("| ") }
        #expect(rows.count == 3)
        for row in rows {
            let unescaped = zip(row, row.dropFirst()).filter { $0.1 == "|" && $0.0 != "\\" }.count + (row.first == "|" ? 1 : 0)
            #expect(unescaped == 3, "\(row)")
        }
        let html = doc.htmlBody()
        #expect(!html.contains("<script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }
}
