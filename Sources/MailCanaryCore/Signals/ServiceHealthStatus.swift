/// The provider's status vocabulary (Graph `serviceHealthStatus`, exchange-protocols.md 1.5), which
/// MailCanary's own incidents use too so that the two read alike.
///
/// The live API sends PascalCase (`ServiceRestored`) while the documentation lists camelCase:
/// ``init(parsing:)`` accepts either, case-insensitively, and maps values it does not know to
/// ``unknownFutureValue`` instead of failing.
public enum ServiceHealthStatus: String, Codable, Sendable, CaseIterable {
    case serviceOperational, investigating, restoringService, verifyingService, serviceRestored
    case postIncidentReviewPublished, serviceDegradation, serviceInterruption, extendedRecovery
    case falsePositive, investigationSuspended, resolved, mitigatedExternal, mitigated
    case resolvedExternal, confirmed, reported, unknownFutureValue

    public init(parsing text: String) {
        let folded = text.lowercased()
        self = Self.allCases.first { $0.rawValue.lowercased() == folded } ?? .unknownFutureValue
    }

    /// Whether the status means the problem is over.
    public var isRestored: Bool {
        switch self {
        case .serviceRestored, .postIncidentReviewPublished, .falsePositive, .resolved, .resolvedExternal, .serviceOperational:
            true
        default:
            false
        }
    }
}
