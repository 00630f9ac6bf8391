import MailCanaryCore

/// The time at the start of a log line: classic syslog (`Nov 22 20:22:12`, no year: the year is
/// the one that puts the time closest before `referenceMs`), or RFC 3339 as rsyslog and
/// journald write it (`2026-11-22T20:22:12.123456+00:00`). Returns the rest of the line after
/// the timestamp and one space.
enum LogTimestamp {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parse(_ line: Substring, referenceMs: Int64) -> (timeMs: Int64, rest: Substring)? {
        guard let first = line.first else { return nil }
        if first.isNumber {
            guard let space = line.firstIndex(of: " "), let time = UTCTimestamp.parse(String(line[..<space])) else { return nil }
            return (time, line[line.index(after: space)...])
        }
        // "Nov 22 20:22:12 " (the day may be padded: "Nov  2").
        let bytes = Array(line.utf8.prefix(16))
        guard bytes.count == 16, bytes[3] == 32, bytes[6] == 32, bytes[9] == 58, bytes[12] == 58, bytes[15] == 32,
              let month = months.firstIndex(of: String(decoding: bytes[0..<3], as: UTF8.self)) else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            var digits = 0
            for byte in bytes[range] where byte != 32 {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 48)
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        guard let day = number(4..<6), let hour = number(7..<9), let minute = number(10..<12), let second = number(13..<15),
              (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let referenceYear = UTCTimestamp.year(of: referenceMs)
        var year = referenceYear
        var time = UTCTimestamp.milliseconds(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        // A December line read in January belongs to last year.
        if time > referenceMs + 86_400_000 {
            year -= 1
            time = UTCTimestamp.milliseconds(year: year, month: month + 1, day: day, hour: hour, minute: minute, second: second)
        }
        return (time, line.dropFirst(16))
    }
}
