extension Duration {
    /// The duration in milliseconds as a `Double`, for results and JSON.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1_000_000_000_000_000
    }
}
