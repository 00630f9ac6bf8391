import Foundation

/// Checks a JSON value against a schema of an OpenAPI 3.1 document: `$ref`, `allOf`, `oneOf`,
/// `type` (one or a list, `null` included), `enum`, `required`, `properties`,
/// `additionalProperties` and `items`: what the document uses. Returns the problems found, each
/// with the JSON path.
struct SchemaValidator {
    let document: [String: Any]

    func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String, reference.hasPrefix("#/") else { return schema }
        var node: Any = document
        for part in reference.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
        return resolve(node as? [String: Any] ?? [:])
    }

    func validate(_ value: Any, _ raw: [String: Any], at path: String = "$") -> [String] {
        let schema = resolve(raw)
        var problems: [String] = []
        if let all = schema["allOf"] as? [[String: Any]] {
            for part in all { problems += validate(value, part, at: path) }
        }
        if let one = schema["oneOf"] as? [[String: Any]], !one.contains(where: { validate(value, $0, at: path).isEmpty }) {
            problems.append("\(path): matches none of oneOf")
        }
        if let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map({ [$0] }) {
            guard types.contains(where: { Self.matches(value, $0) }) else {
                return problems + ["\(path): \(Self.describe(value)) is not \(types.joined(separator: " or "))"]
            }
        }
        if let options = schema["enum"] as? [Any], let text = value as? String, !options.contains(where: { ($0 as? String) == text }) {
            problems.append("\(path): '\(text)' is not one of \(options)")
        }
        if let object = value as? [String: Any] {
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { problems.append("\(path).\(name) is missing") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (name, member) in object {
                if let property = properties[name] as? [String: Any] {
                    problems += validate(member, property, at: "\(path).\(name)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    problems += validate(member, additional, at: "\(path).\(name)")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { problems += validate(item, items, at: "\(path)[\(index)]") }
        }
        return problems
    }

    static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c" || type(of: value) == Bool.self
    }

    static func matches(_ value: Any, _ type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "string": return value is String
        case "boolean": return isBoolean(value)
        case "integer":
            guard let number = value as? NSNumber, !isBoolean(value) else { return false }
            return number.doubleValue == number.doubleValue.rounded()
        case "number": return value is NSNumber && !isBoolean(value)
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        default: return false
        }
    }

    static func describe(_ value: Any) -> String {
        let text = String(describing: value)
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
