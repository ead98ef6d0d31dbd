import Foundation

/// A calendar date read from a card, possibly partial: cards print only a year, and the national
/// QR masks day and month. Every present part is validated, so 31/02 never gets through.
public struct ScannedDate: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int?
    public let day: Int?

    /// Plausible years for people and cards; wider than needed so odd-but-real data passes.
    public static let plausibleYears = 1850...2150

    /// Returns nil unless the parts form a real (possibly partial) Gregorian date.
    public init?(year: Int, month: Int? = nil, day: Int? = nil) {
        guard Self.plausibleYears.contains(year) else { return nil }
        if let month, !(1...12).contains(month) { return nil }
        if let day {
            let last = month.map { Self.daysIn(month: $0, year: year) } ?? 31
            guard (1...last).contains(day) else { return nil }
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// True when day, month and year are all known.
    public var isComplete: Bool { month != nil && day != nil }

    /// `dd/MM/yyyy`, with `**` for unknown parts, or just `yyyy` when only the year is known.
    public var description: String {
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        if month == nil && day == nil { return pad(year, 4) }
        let d = day.map { pad($0, 2) } ?? "**"
        let m = month.map { pad($0, 2) } ?? "**"
        return "\(d)/\(m)/\(pad(year, 4))"
    }

    /// Calendar components for the known parts.
    public var dateComponents: DateComponents {
        DateComponents(year: year, month: month, day: day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private enum CodingKeys: String, CodingKey { case year, month, day }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let y = try c.decode(Int.self, forKey: .year)
        let m = try c.decodeIfPresent(Int.self, forKey: .month)
        let d = try c.decodeIfPresent(Int.self, forKey: .day)
        // Decoding goes through the validating init so stored data cannot smuggle in 31/02.
        guard let date = ScannedDate(year: y, month: m, day: d) else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: "not a real date"))
        }
        self = date
    }
}

/// Outcome of reading one date field: absent (empty or `-`) is not an error, nonsense is.
enum DateFieldParse: Equatable {
    case absent
    case date(ScannedDate)
    case invalid

    var date: ScannedDate? {
        if case .date(let d) = self { return d }
        return nil
    }

    /// `dd/MM/yyyy` (1–2 digit day and month tolerated) or `yyyy` alone, as on BHYT cards.
    static func slashed(_ s: Substring) -> DateFieldParse {
        if s.isEmpty || s == "-" { return .absent }
        if s.utf8.count == 4, let y = number(s) { return ScannedDate(year: y).map(DateFieldParse.date) ?? .invalid }
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count <= 2, parts[1].utf8.count <= 2, parts[2].utf8.count == 4,
              let d = number(parts[0]), let m = number(parts[1]), let y = number(parts[2])
        else { return .invalid }
        return ScannedDate(year: y, month: m, day: d).map(DateFieldParse.date) ?? .invalid
    }

    /// `ddMMyyyy`, as on CCCD cards.
    static func compact(_ s: Substring) -> DateFieldParse {
        if s.isEmpty { return .absent }
        guard s.utf8.count == 8, PayloadText.isAllASCIIDigits(s) else { return .invalid }
        let u = Array(s.utf8)
        func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(u[$1] - 0x30) } }
        return ScannedDate(year: n(4..<8), month: n(2..<4), day: n(0..<2)).map(DateFieldParse.date) ?? .invalid
    }

    /// `YYYY-MM-DD` where day and month may be masked with `*` or `x` (national QR); a
    /// `DD/MM/YYYY` variant is read too because masking apps are not consistent.
    static func masked(_ s: Substring) -> DateFieldParse {
        if s.isEmpty || s == "-" { return .absent }
        let sep: Character = s.contains("-") ? "-" : "/"
        var parts = s.split(separator: sep, omittingEmptySubsequences: false)
        if parts.count == 1 && parts[0].utf8.count == 4 {
            guard let y = number(parts[0]) else { return isMask(parts[0]) ? .absent : .invalid }
            return ScannedDate(year: y).map(DateFieldParse.date) ?? .invalid
        }
        guard parts.count == 3 else { return .invalid }
        if parts[0].utf8.count != 4 && parts[2].utf8.count == 4 { parts.reverse() }
        guard parts[0].utf8.count == 4, parts[1].utf8.count <= 2, parts[2].utf8.count <= 2,
              !parts[1].isEmpty, !parts[2].isEmpty else { return .invalid }
        func part(_ p: Substring) -> Int?? {
            if isMask(p) { return .some(nil) }
            guard let v = number(p) else { return nil }
            return .some(v)
        }
        guard let y = part(parts[0]), let m = part(parts[1]), let d = part(parts[2]) else { return .invalid }
        guard let year = y else { return .absent } // a masked year leaves nothing worth keeping
        return ScannedDate(year: year, month: m, day: d).map(DateFieldParse.date) ?? .invalid
    }

    private static func isMask(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0 == "*" || $0 == "x" || $0 == "X" || $0 == "#" }
    }

    private static func number(_ s: Substring) -> Int? {
        guard PayloadText.isAllASCIIDigits(s), s.utf8.count <= 4 else { return nil }
        return s.utf8.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
