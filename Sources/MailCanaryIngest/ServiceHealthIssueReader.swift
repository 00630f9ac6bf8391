import MailCanaryCore

/// Reads a Graph `serviceHealthIssue` (exchange-protocols.md 1.4): enum values case-insensitively
/// (the live API sends PascalCase), unknown values as `unknownFutureValue`, unknown keys skipped.
public enum ServiceHealthIssueReader {
    /// An issue kept as JSON text (a stored advisory version); nil when it is not one.
    public static func read(json: String) -> ServiceHealthIssue? {
        let bytes = Array(json.utf8)
        var scanner = JSONScanner(bytes, range: 0..<bytes.count)
        return try? read(from: &scanner, path: "issue")
    }

    public static func read(from scanner: inout JSONScanner, path: String) throws(JSONReadError) -> ServiceHealthIssue {
        var id: String?, title = "", impact = "", classification = ServiceHealthIssue.Classification.unknownFutureValue
        var status = ServiceHealthStatus.unknownFutureValue, service: String?, feature = "", featureGroup = ""
        var isResolved = false, startMs: Int64?, endMs: Int64?, lastModifiedMs: Int64?
        var posts: [ServiceHealthIssue.Post] = []
        try scanner.readObjectStart(path)
        while let key = try scanner.readKey(path) {
            let field = path + "." + key
            switch key {
            case "id": id = try scanner.readString(field)
            case "title": title = try scanner.readOptionalString(field) ?? ""
            case "impactDescription": impact = try scanner.readOptionalString(field) ?? ""
            case "classification": classification = .init(parsing: try scanner.readOptionalString(field) ?? "")
            case "status": status = .init(parsing: try scanner.readOptionalString(field) ?? "")
            case "service": service = try scanner.readString(field)
            case "feature": feature = try scanner.readOptionalString(field) ?? ""
            case "featureGroup": featureGroup = try scanner.readOptionalString(field) ?? ""
            case "isResolved": isResolved = try scanner.readBool(field)
            case "startDateTime": startMs = try scanner.readOptionalTimestamp(field)
            case "endDateTime": endMs = try scanner.readOptionalTimestamp(field)
            case "lastModifiedDateTime": lastModifiedMs = try scanner.readOptionalTimestamp(field)
            case "posts":
                if try scanner.readNull(field) { break }
                try scanner.readArrayStart(field)
                while try scanner.readElement(field) {
                    posts.append(try readPost(from: &scanner, path: "\(field)[\(posts.count)]"))
                }
            default: try scanner.skip(field)
            }
        }
        guard let id else { throw JSONReadError(path: path + ".id", kind: .missing) }
        guard let service else { throw JSONReadError(path: path + ".service", kind: .missing) }
        return ServiceHealthIssue(id: id, title: title, impactDescription: impact, classification: classification, status: status,
                                  service: service, feature: feature, featureGroup: featureGroup, isResolved: isResolved,
                                  startMs: startMs, endMs: endMs, lastModifiedMs: lastModifiedMs, posts: posts)
    }

    static func readPost(from scanner: inout JSONScanner, path: String) throws(JSONReadError) -> ServiceHealthIssue.Post {
        var created: Int64?, postType = "", content = ""
        try scanner.readObjectStart(path)
        while let key = try scanner.readKey(path) {
            switch key {
            case "createdDateTime": created = try scanner.readTimestamp(path + ".createdDateTime")
            case "postType": postType = try scanner.readOptionalString(path + ".postType") ?? ""
            case "description":
                if try scanner.readNull(path + ".description") { break }
                try scanner.readObjectStart(path + ".description")
                while let inner = try scanner.readKey(path + ".description") {
                    if inner == "content" {
                        content = try scanner.readOptionalString(path + ".description.content") ?? ""
                    } else {
                        try scanner.skip(path + ".description." + inner)
                    }
                }
            default: try scanner.skip(path + "." + key)
            }
        }
        guard let created else { throw JSONReadError(path: path + ".createdDateTime", kind: .missing) }
        return .init(createdMs: created, postType: postType, content: content)
    }
}
