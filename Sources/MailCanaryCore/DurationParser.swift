import Foundation

/// Parses durations written as `250ms`, `5s`, `2m`, `1h`, `7d` (the CLI's `--timeout`, the configuration).
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            guard let value = Double(number), value.isFinite, value > 0 else { return nil }
            return .milliseconds(Int64((value * scale * 1_000).rounded()))
        }
        return nil
    }
}
