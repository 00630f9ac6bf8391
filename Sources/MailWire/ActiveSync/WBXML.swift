/// The small part of WBXML ([MS-ASWBXML], after the WAP Binary XML 1.3 format) that an
/// ActiveSync `FolderSync` needs: tags with content, inline strings, code-page switches.
///
/// Header: version 0x03 (WBXML 1.3), public id 0x01 (unknown), charset 0x6A (UTF-8), string
/// table length 0. Tokens: SWITCH_PAGE 0x00, END 0x01, STR_I 0x03; a tag with content has bit
/// 0x40 set. Code page 7 is FolderHierarchy ([MS-ASWBXML] §2.1.2.1.8).
public enum WBXML {
    public static let header: [UInt8] = [0x03, 0x01, 0x6A, 0x00]
    static let switchPage: UInt8 = 0x00
    static let end: UInt8 = 0x01
    static let inlineString: UInt8 = 0x03
    static let hasContent: UInt8 = 0x40

    /// FolderHierarchy tokens ([MS-ASWBXML] §2.1.2.1.8) ⚠️ from the code-page table; a wrong
    /// token shows up as a `protocol` failure (no Status found), never as a silent pass.
    public enum FolderHierarchy {
        public static let page: UInt8 = 7
        public static let status: UInt8 = 0x0C
        public static let syncKey: UInt8 = 0x12
        public static let folderSync: UInt8 = 0x16
        public static let count: UInt8 = 0x17
        public static let changes: UInt8 = 0x0E
    }

    /// An element: a tag token on a code page, text content or children.
    public indirect enum Node: Equatable, Sendable {
        case element(page: UInt8, tag: UInt8, children: [Node])
        case text(String)
    }

    /// Encodes one document with `root` as its only element.
    public static func encode(_ root: Node) -> [UInt8] {
        var out = header
        var currentPage: UInt8 = 0
        func write(_ node: Node) {
            switch node {
            case .text(let text):
                out.append(inlineString)
                out.append(contentsOf: Array(text.utf8))
                out.append(0)
            case .element(let page, let tag, let children):
                if page != currentPage {
                    out.append(contentsOf: [switchPage, page])
                    currentPage = page
                }
                if children.isEmpty {
                    out.append(tag)
                } else {
                    out.append(tag | hasContent)
                    children.forEach(write)
                    out.append(end)
                }
            }
        }
        write(root)
        return out
    }

    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Decodes a document produced by an ActiveSync server. Bounded: at most `maxDepth`
    /// levels, and only the tokens above (attributes, entities and string-table references
    /// are refused with an error naming the byte).
    public static func decode(_ bytes: [UInt8], maxDepth: Int = 32) throws(DecodeError) -> Node {
        guard bytes.count >= 4, bytes[0] == 0x03 else {
            throw DecodeError(description: "not WBXML 1.3 (first byte \(bytes.first.map { String($0, radix: 16) } ?? "none"))")
        }
        var index = 3
        // String table: a multi-byte length; ActiveSync servers send 0.
        guard bytes[index] == 0 else { throw DecodeError(description: "WBXML string tables are not used by ActiveSync") }
        index += 1
        var page: UInt8 = 0
        func parseNode(depth: Int) throws(DecodeError) -> Node? {
            guard depth <= maxDepth else { throw DecodeError(description: "WBXML nested deeper than \(maxDepth)") }
            while index < bytes.count, bytes[index] == switchPage {
                guard index + 1 < bytes.count else { throw DecodeError(description: "truncated SWITCH_PAGE") }
                page = bytes[index + 1]
                index += 2
            }
            guard index < bytes.count else { return nil }
            let token = bytes[index]
            index += 1
            switch token {
            case end:
                return nil
            case inlineString:
                guard let stop = bytes[index...].firstIndex(of: 0) else { throw DecodeError(description: "unterminated inline string") }
                let text = String(decoding: bytes[index..<stop], as: UTF8.self)
                index = stop + 1
                return .text(text)
            case 0xC3:  // OPAQUE: multi-byte length, then bytes (ActiveSync uses it for binary data)
                var length = 0
                while index < bytes.count {
                    let byte = bytes[index]
                    index += 1
                    length = length << 7 | Int(byte & 0x7F)
                    guard length < 1 << 24 else { throw DecodeError(description: "OPAQUE length too large") }
                    if byte & 0x80 == 0 { break }
                }
                guard index + length <= bytes.count else { throw DecodeError(description: "truncated OPAQUE data") }
                let text = String(decoding: bytes[index..<(index + length)], as: UTF8.self)
                index += length
                return .text(text)
            default:
                guard token & 0x80 == 0 else { throw DecodeError(description: "WBXML attributes (token 0x\(String(token, radix: 16))) are not used by ActiveSync") }
                let tag = token & 0x3F
                let elementPage = page
                var children: [Node] = []
                if token & hasContent != 0 {
                    while true {
                        guard index < bytes.count else { throw DecodeError(description: "WBXML ended inside an element") }
                        guard let child = try parseNode(depth: depth + 1) else { break }
                        children.append(child)
                    }
                }
                return .element(page: elementPage, tag: tag, children: children)
            }
        }
        guard let root = try parseNode(depth: 0) else { throw DecodeError(description: "empty WBXML document") }
        return root
    }
}

extension WBXML.Node {
    /// The text of the first element `tag` on `page`, searched depth-first.
    public func firstText(page: UInt8, tag: UInt8) -> String? {
        guard case .element(let myPage, let myTag, let children) = self else { return nil }
        if myPage == page, myTag == tag {
            return children.compactMap { if case .text(let text) = $0 { return text } else { return nil } }.first ?? ""
        }
        for child in children {
            if let found = child.firstText(page: page, tag: tag) { return found }
        }
        return nil
    }
}
