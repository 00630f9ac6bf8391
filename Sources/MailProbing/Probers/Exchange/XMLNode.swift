import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small read-only tree of an XML response (SOAP, POX Autodiscover), built with Foundation's
/// XMLParser (libxml2). Names are local names: the namespace prefix is dropped, which is how
/// Exchange's documents are matched (prefixes vary between servers). Bounded: a document with
/// more than `maxElements` elements or deeper than `maxDepth` is refused.
public final class XMLNode: @unchecked Sendable {
    public let name: String
    public let attributes: [String: String]
    public fileprivate(set) var text = ""
    public fileprivate(set) var children: [XMLNode] = []

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// The first descendant (or self) named `name`, depth-first.
    public func first(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children {
            if let found = child.first(name) { return found }
        }
        return nil
    }

    /// Every descendant named `name`.
    public func all(_ name: String) -> [XMLNode] {
        var found: [XMLNode] = self.name == name ? [self] : []
        for child in children { found += child.all(name) }
        return found
    }

    /// The trimmed text of the first descendant named `name`.
    public func value(_ name: String) -> String? {
        first(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ bytes: [UInt8], maxElements: Int = 5_000, maxDepth: Int = 64) throws(ParseError) -> XMLNode {
        let builder = Builder(maxElements: maxElements, maxDepth: maxDepth)
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if let limit = builder.limitError { throw ParseError(description: limit) }
        guard ok, let root = builder.root else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "no root element"
            throw ParseError(description: "not well-formed XML (\(reason), line \(parser.lineNumber))")
        }
        return root
    }

    final class Builder: NSObject, XMLParserDelegate {
        var root: XMLNode?
        var stack: [XMLNode] = []
        var count = 0
        let maxElements: Int
        let maxDepth: Int
        var limitError: String?

        init(maxElements: Int, maxDepth: Int) {
            self.maxElements = maxElements
            self.maxDepth = maxDepth
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            count += 1
            guard count <= maxElements, stack.count < maxDepth else {
                limitError = "the XML document exceeds \(maxElements) elements or \(maxDepth) levels"
                parser.abortParsing()
                return
            }
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            let node = XMLNode(name: local, attributes: attributes)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard let node = stack.last, node.text.utf8.count < 65_536 else { return }
            node.text += string
        }
    }
}
