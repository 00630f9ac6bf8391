import Foundation

extension Date {
    /// Milliseconds since 1970, rounded: how the store, the API and the schedule count time.
    public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1_000).rounded()) }

    public init(millisecondsSince1970 ms: Int64) {
        self.init(timeIntervalSince1970: Double(ms) / 1_000)
    }
}
