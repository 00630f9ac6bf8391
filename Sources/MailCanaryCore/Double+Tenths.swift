extension Double {
    /// The value with one decimal (`12.3`), for step details and facts. Cheaper than
    /// `String(format:)`, which goes through `NSString` on Linux and showed in probe profiles.
    public var tenthsText: String {
        guard isFinite else { return "\(self)" }
        let tenths = (self * 10).rounded()
        let whole = Int(tenths / 10)
        let fraction = abs(Int(tenths) % 10)
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
