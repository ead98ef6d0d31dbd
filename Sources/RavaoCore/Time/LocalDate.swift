import Foundation

/// A calendar day in Vietnam (UTC+7): the unit of the daily check-in rule.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (local).
    public let dayNumber: Int64

    public init(dayNumber: Int64) { self.dayNumber = dayNumber }

    /// The local day containing a Unix time.
    public init(containing seconds: Int64) {
        let local = seconds + LocalTime.offsetSeconds
        dayNumber = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    }

    /// `YYYY-MM-DD`; nil for anything else or an impossible date.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]),
              (1970...9999).contains(y), (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y) else { return nil }
        dayNumber = Self.days(fromCivil: y, m, d)
    }

    /// Unix seconds of local midnight.
    public var start: Int64 { dayNumber * 86_400 - LocalTime.offsetSeconds }
    /// Unix seconds of the next local midnight (exclusive end).
    public var end: Int64 { start + 86_400 }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + Int64(days)) }

    public var description: String { Self.isoString(days: dayNumber) }

    /// `YYYY-MM-DD` of a day number, written digit by digit: `String(format:)` went through
    /// Foundation's printf on every scan's status (issue 16).
    static func isoString(days: Int64) -> String {
        let (y, m, d) = civil(fromDays: days)
        guard (0...9999).contains(y) else { return String(format: "%04d-%02d-%02d", Int(y), Int(m), Int(d)) }
        var bytes: [UInt8] = [0, 0, 0, 0, 45, 0, 0, 45, 0, 0]
        func put(_ value: Int64, at end: Int, width: Int) {
            var v = value
            for i in stride(from: end, to: end - width, by: -1) { bytes[i] = UInt8(48 + v % 10); v /= 10 }
        }
        put(y, at: 3, width: 4); put(m, at: 6, width: 2); put(d, at: 9, width: 2)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `dd/MM`, as chart labels and Vietnamese forms write it.
    public var shortLabel: String {
        let (_, m, d) = Self.civil(fromDays: dayNumber)
        return String(format: "%02d/%02d", Int(d), Int(m))
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.dayNumber < b.dayNumber }

    public static func daysIn(month m: Int64, year y: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-date algorithms: exact for the proleptic Gregorian calendar.
    public static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
