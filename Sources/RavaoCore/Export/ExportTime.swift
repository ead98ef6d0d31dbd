/// Times for export rows, formatted by arithmetic: a million rows would spend most of their time in
/// Calendar and date-format machinery otherwise. Same text as `LocalTime.format` and ISO 8601 (UTC, `Z`).
public enum ExportTime {
    /// `HH:mm dd/MM/yyyy` in Vietnam time (UTC+7).
    public static func local(_ seconds: Int64) -> String {
        let (y, m, d, hh, mm, _) = civil(seconds + LocalTime.offsetSeconds)
        return two(hh) + ":" + two(mm) + " " + two(d) + "/" + two(m) + "/" + four(y)
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`.
    public static func iso(_ seconds: Int64) -> String {
        let (y, m, d, hh, mm, ss) = civil(seconds)
        return four(y) + "-" + two(m) + "-" + two(d) + "T" + two(hh) + ":" + two(mm) + ":" + two(ss) + "Z"
    }

    /// Gregorian date and time of a Unix second (H. Hinnant's days-to-civil).
    static func civil(_ seconds: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let rest = seconds - days * 86_400
        let (y, m, d) = LocalDate.civil(fromDays: days)
        return (y, m, d, rest / 3600, rest % 3600 / 60, rest % 60)
    }

    static func two(_ v: Int64) -> String { v < 10 ? "0" + String(v) : String(v) }
    static func four(_ v: Int64) -> String { String(repeating: "0", count: max(0, 4 - String(v).count)) + String(v) }
}
