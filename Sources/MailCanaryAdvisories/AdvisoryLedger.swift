import MailCanaryCore
import Crypto
import Foundation

/// Which polled versions are new: an issue's version is its id and a digest of its content as
/// Graph sent it, so a status change, a new post or a changed title is a new version and a poll
/// that finds nothing new passes nothing on. A pure value; restarts seed it from the store.
public struct AdvisoryLedger: Sendable {
    private var seen: Set<String> = []
    /// Issues whose post-incident review is stored (or known to be).
    private var reviewed: Set<String> = []

    public init() {}

    public static func versionKey(_ polled: PolledIssue) -> String {
        let digest = SHA256.hash(data: Array(polled.json.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined()
        return "\(polled.issue.id)@\(digest)"
    }

    public mutating func remember(_ key: String) { seen.insert(key) }

    public func hasReview(_ issueID: String) -> Bool { reviewed.contains(issueID) }
    public mutating func noteReview(_ issueID: String) { reviewed.insert(issueID) }

    /// Lets a version count as new again (its storing failed).
    public mutating func forget(_ key: String) { seen.remove(key) }

    /// The versions not seen before, in the order given; remembers them.
    public mutating func newVersions(_ issues: [PolledIssue]) -> [PolledIssue] {
        issues.filter { seen.insert(Self.versionKey($0)).inserted }
    }
}
