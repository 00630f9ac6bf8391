/// RFC 3339 timestamps (`2025-11-25T09:12:00Z`, optional fraction, `Z` or `±hh:mm`) to and from
/// milliseconds since 1970, without Foundation: replay reads one per record, a million a second.
/// Days from civil dates after H. Hinnant's public-domain `days_from_civil` algorithm.
public enum UTCTimestamp {
    /// Milliseconds since 1970, or nil when `bytes[range]` is not an RFC 3339 date-time.
    public static func parse(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        bytes.withUnsafeBufferPointer { parse($0, range) }
    }

    /// The same, over bytes in place (a line of a chunk being read).
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int64? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        var index = range.lowerBound
        let end = range.upperBound
        func number(_ digits: Int) -> Int? {
            guard index + digits <= end else { return nil }
            var value = 0
            for _ in 0..<digits {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
                index += 1
            }
            return value
        }
        func literal(_ byte: UInt8) -> Bool {
            guard index < end, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), literal(UInt8(ascii: "-")), let month = number(2), literal(UInt8(ascii: "-")),
              let day = number(2), index < end, bytes[index] | 0x20 == UInt8(ascii: "t") else { return nil }
        index += 1
        guard let hour = number(2), literal(UInt8(ascii: ":")), let minute = number(2), literal(UInt8(ascii: ":")),
              let second = number(2) else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var millis = 0
        if literal(UInt8(ascii: ".")) {
            var scale = 100
            var digits = 0
            while index < end, bytes[index] >= 48, bytes[index] <= 57 {
                millis += Int(bytes[index] - 48) * scale
                scale /= 10
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
        }
        var offsetMinutes = 0
        guard index < end else { return nil }
        if bytes[index] | 0x20 == UInt8(ascii: "z") {
            index += 1
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), literal(UInt8(ascii: ":")), let offsetMins = number(2),
                  offsetHours < 24, offsetMins < 60 else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMins)
        } else {
            return nil
        }
        guard index == end else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3_600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1_000 + Int64(millis)
    }

    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        return parse(bytes, 0..<bytes.count)
    }

    /// `2025-11-25T09:12:00Z`, or with `.123` when the milliseconds are not zero.
    public static func format(_ ms: Int64) -> String {
        let floorSeconds = ms.floorDivided(by: 1_000)
        let millis = Int(ms - floorSeconds * 1_000)
        let days = floorSeconds.floorDivided(by: 86_400)
        let secondOfDay = Int(floorSeconds - days * 86_400)
        let (year, month, day) = civilFromDays(Int(days))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
        if millis != 0 {
            text += "." + String(String(millis + 1_000).dropFirst())
        }
        return text + "Z"
    }

    /// The UTC year of a time.
    public static func year(of ms: Int64) -> Int {
        civilFromDays(Int(ms.floorDivided(by: 86_400_000))).0
    }

    /// A UTC calendar time in milliseconds since 1970.
    public static func milliseconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
        Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400_000 + Int64(hour * 3_600 + minute * 60 + second) * 1_000
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
