import Foundation
import MailCanaryCore
import MailCanaryIngest

/// Reads Graph's collection pages (`{"value": [...], "@odata.nextLink": "..."}`, §1.9) into
/// values: issues through ``ServiceHealthIssueReader`` (enum values case-insensitively, unknown
/// values kept as unknownFutureValue), health overviews and message-center posts. A malformed
/// page or element is a named error, never a crash; one bad element does not lose the others.
public enum GraphPageReader {
    public struct Page<Element: Sendable>: Sendable {
        public var elements: [Element]
        public var nextLink: String?
        /// Elements that could not be read, with the reason.
        public var skipped: [String]
    }

    public struct Malformed: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    static func collection(_ bytes: [UInt8]) throws(Malformed) -> (values: [[String: Any]], nextLink: String?) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw Malformed(description: "the answer is not a JSON object")
        }
        guard let values = object["value"] as? [Any] else { throw Malformed(description: "the answer has no value array") }
        return (values.compactMap { $0 as? [String: Any] }, object["@odata.nextLink"] as? String)
    }

    static func canonical(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
    }

    public static func issues(_ bytes: [UInt8]) throws(Malformed) -> Page<PolledIssue> {
        let (values, next) = try collection(bytes)
        var issues: [PolledIssue] = []
        var skipped: [String] = []
        for (index, object) in values.enumerated() {
            switch issue(object) {
            case .success(let polled): issues.append(polled)
            case .failure(let error): skipped.append("value[\(index)]: \(error.description)")
            }
        }
        return Page(elements: issues, nextLink: next, skipped: skipped)
    }

    public static func issue(_ object: [String: Any]) -> Result<PolledIssue, Malformed> {
        let bytes = canonical(object)
        var scanner = JSONScanner(bytes, range: 0..<bytes.count)
        do throws(JSONReadError) {
            let issue = try ServiceHealthIssueReader.read(from: &scanner, path: "issue")
            return .success(PolledIssue(issue: issue, json: String(decoding: bytes, as: UTF8.self),
                                        rawStatus: object["status"] as? String ?? "", rawClassification: object["classification"] as? String ?? ""))
        } catch {
            return .failure(Malformed(description: "\(error)"))
        }
    }

    public static func health(_ bytes: [UInt8]) throws(Malformed) -> Page<ServiceHealthOverview> {
        let (values, next) = try collection(bytes)
        var out: [ServiceHealthOverview] = []
        var skipped: [String] = []
        for (index, object) in values.enumerated() {
            guard let service = object["service"] as? String else { skipped.append("value[\(index)]: no service"); continue }
            let raw = object["status"] as? String ?? ""
            out.append(ServiceHealthOverview(id: object["id"] as? String ?? service, service: service, status: ServiceHealthStatus(parsing: raw), rawStatus: raw))
        }
        return Page(elements: out, nextLink: next, skipped: skipped)
    }

    public static func messages(_ bytes: [UInt8]) throws(Malformed) -> Page<PlannedChange> {
        let (values, next) = try collection(bytes)
        var out: [PlannedChange] = []
        var skipped: [String] = []
        for (index, object) in values.enumerated() {
            guard let id = object["id"] as? String else { skipped.append("value[\(index)]: no id"); continue }
            func time(_ key: String) -> Int64? { (object[key] as? String).flatMap(UTCTimestamp.parse) }
            out.append(PlannedChange(id: id, title: object["title"] as? String ?? "", category: object["category"] as? String ?? "",
                                     services: object["services"] as? [String] ?? [], startMs: time("startDateTime"), endMs: time("endDateTime"),
                                     lastModifiedMs: time("lastModifiedDateTime")))
        }
        return Page(elements: out, nextLink: next, skipped: skipped)
    }
}
