import Foundation

/// Vietnam's civil time, UTC+7 all year (no daylight saving since 1975): "today" for counts and the
/// times printed on receipts and live views.
public enum LocalTime {
    public static let offsetSeconds: Int64 = 7 * 3600

    /// Unix seconds of the local midnight that starts the day containing `seconds`.
    public static func startOfDay(containing seconds: Int64) -> Int64 {
        let local = seconds + offsetSeconds
        return local - ((local % 86_400) + 86_400) % 86_400 - offsetSeconds
    }

    /// `HH:mm dd/MM/yyyy`, as Vietnamese forms write it.
    public static func format(_ seconds: Int64, withDate: Bool = true) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: Int(offsetSeconds))!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let time = String(format: "%02d:%02d", c.hour!, c.minute!)
        return withDate ? time + String(format: " %02d/%02d/%04d", c.day!, c.month!, c.year!) : time
    }
}
