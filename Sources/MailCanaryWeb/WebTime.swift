import MailCanaryCore

/// Times and durations as people read them on pages and in reports (always UTC, said so).
public enum WebTime {
    /// "2025-11-25 09:12 UTC".
    public static func minute(_ ms: Int64) -> String {
        let text = UTCTimestamp.format(ms)   // 2025-11-25T09:12:00Z
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }

    /// "09:12 UTC".
    public static func clock(_ ms: Int64) -> String {
        String(UTCTimestamp.format(ms).dropFirst(11).prefix(5)) + " UTC"
    }

    /// "2025-11-25".
    public static func day(_ ms: Int64) -> String {
        String(UTCTimestamp.format(ms).prefix(10))
    }

    /// "5 h 18 min", "43 min", "under a minute".
    public static func duration(minutes: Double) -> String {
        let total = Int(minutes.rounded())
        if total < 1 { return "under a minute" }
        if total < 60 { return "\(total) min" }
        if total < 2_880 { return total % 60 == 0 ? "\(total / 60) h" : "\(total / 60) h \(total % 60) min" }
        return "\(total / 1_440) days \((total % 1_440) / 60) h"
    }
}
