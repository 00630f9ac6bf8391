import Foundation
import MailCanaryCore
import Testing

@Suite("JSON scanner")
struct JSONScannerTests {
    /// Reads any JSON value into Foundation's shapes, to compare with JSONSerialization.
    func value(_ scanner: inout JSONScanner) throws -> Any {
        switch try scanner.peek() {
        case .object:
            var object: [String: Any] = [:]
            try scanner.beginObject()
            while let key = try scanner.nextKey() { object[key] = try value(&scanner) }
            return object
        case .array:
            var array: [Any] = []
            try scanner.beginArray()
            while try scanner.nextElement() { array.append(try value(&scanner)) }
            return array
        case .string: return try scanner.string()
        case .number: return try scanner.double()
        case .bool: return try scanner.bool()
        case .null: _ = try scanner.null(); return NSNull()
        }
    }

    func parse(_ text: String) throws -> Any {
        var scanner = JSONScanner(text)
        let result = try value(&scanner)
        try scanner.end()
        return result
    }

    @Test("reads what JSONSerialization reads, escapes and non-ASCII text included")
    func agreesWithFoundation() throws {
        let samples = [
            #"{"a":1,"b":[true,false,null],"c":{"d":"e"},"f":-0.5e2,"g":""}"#,
            #"  [ 1 , 2.25 , "x\"y\\z\/w\b\f\n\r\t" , "\u00e9\u20ac\ud83d\ude00" ]  "#,
            #"{"text":"Grüße, 東京 😀","n":12345678901234}"#,
            #"[[[[[]]]],{},"",0]"#,
        ]
        for sample in samples {
            let ours = try parse(sample)
            let theirs = try JSONSerialization.jsonObject(with: Data(sample.utf8), options: [.fragmentsAllowed])
            #expect(NSDictionary(dictionary: ["v": ours]).isEqual(to: ["v": theirs]), "\(sample)")
        }
    }

    @Test("rejects what is not JSON, with the cause and the byte offset, and never traps")
    func rejectsBadText() {
        let cases: [(String, JSONScanError.Problem)] = [
            ("", .truncated),
            ("{", .truncated),
            (#"{"a" 1}"#, .expectedColon),
            (#"{"a":1 "b":2}"#, .expectedCommaOrEnd),
            (#"{"a":1,}"#, .expectedString),
            ("[1,]", .unexpectedByte),
            ("[01]", .expectedNumber),
            ("[1.]", .expectedNumber),
            ("[nul]", .invalidLiteral),
            (#"["a\qb"]"#, .invalidEscape),
            (#"["\ud800"]"#, .invalidEscape),
            ("[\"a\nb\"]", .controlCharacter),
            ("[1] 2", .trailingBytes),
            (String(repeating: "[", count: 100) + String(repeating: "]", count: 100), .tooDeep),
        ]
        for (text, problem) in cases {
            var scanner = JSONScanner(text)
            do {
                try scanner.skipValue()
                try scanner.end()
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.problem == problem, "\(text): \(error)")
            }
        }
        var invalid = JSONScanner([0x22, 0xC3, 0x28, 0x22])
        #expect(throws: JSONScanError(problem: .invalidUTF8, offset: 1)) { try invalid.string() }
        var overflow = JSONScanner("99999999999999999999")
        #expect(throws: JSONScanError(problem: .numberOutOfRange, offset: 0)) { try overflow.int64() }
    }

    @Test("every prefix of a document fails cleanly")
    func everyPrefixFails() throws {
        let text = Array(#"{"a":[1,-2.5e3,"x\u00e9y",true,null,{"b":"c"}],"d":"\ud83d\ude00"}"#.utf8)
        for length in 0..<text.count {
            var scanner = JSONScanner(Array(text[..<length]))
            #expect(throws: JSONScanError.self) { try scanner.skipValue(); try scanner.end() }
        }
        var whole = JSONScanner(text)
        try whole.skipValue()
        try whole.end()
    }
}
