import Foundation

/// Symptoms a health declaration asks about (H4); the raw values are the API's codes.
public enum Symptom: String, Sendable, Codable, CaseIterable, Hashable {
    case fever, cough, breath, tasteSmell = "taste_smell", soreThroat = "sore_throat"
}

/// Marks an officer sets on a person: a confirmed case or a contact of one (A4).
public enum CaseMark: String, Sendable, Codable, CaseIterable, Hashable {
    case f0 = "F0", f1 = "F1", f2 = "F2"
}

/// What the rules know about one person at one moment; loaded by the store, judged here.
public struct HealthFacts: Sendable, Equatable {
    public struct Declaration: Sendable, Equatable {
        public var at: Int64
        public var symptoms: [Symptom]
        public var contact: Bool
        public var visitedWards: [String]
        public init(at: Int64, symptoms: [Symptom], contact: Bool, visitedWards: [String]) {
            self.at = at; self.symptoms = symptoms; self.contact = contact; self.visitedWards = visitedWards
        }
    }
    public struct Dose: Sendable, Equatable {
        public var vaccine: String
        public var date: String  // YYYY-MM-DD
        public var verified: Bool
        public init(vaccine: String, date: String, verified: Bool) { self.vaccine = vaccine; self.date = date; self.verified = verified }
    }
    public struct Test: Sendable, Equatable {
        public var kind: String      // "pcr" | "rapid"
        public var result: String    // "negative" | "positive"
        public var date: String      // YYYY-MM-DD
        public var verified: Bool
        public init(kind: String, result: String, date: String, verified: Bool) {
            self.kind = kind; self.result = result; self.date = date; self.verified = verified
        }
    }
    public struct Mark: Sendable, Equatable {
        public var mark: CaseMark
        public var at: Int64
        public init(mark: CaseMark, at: Int64) { self.mark = mark; self.at = at }
    }
    /// A declared epidemic zone: a unit (ward, district or province) and the time it was a zone.
    public struct Zone: Sendable, Equatable {
        public var unitCode: String
        public var level: String
        public var from: Int64
        public var to: Int64?
        public init(unitCode: String, level: String, from: Int64, to: Int64?) { self.unitCode = unitCode; self.level = level; self.from = from; self.to = to }
    }

    /// Declarations, newest first.
    public var declarations: [Declaration]
    public var doses: [Dose]
    public var tests: [Test]
    /// Marks still in force (cleared ones are not loaded).
    public var marks: [Mark]
    /// Tracing runs that listed this person and are not yet dismissed (H8).
    public var exposures: Int
    /// The person's home ward.
    public var homeWard: String?
    /// Every zone that could matter, and the ancestors of each ward code the person is linked to
    /// (ward → [ward, district?, province]), so a province-wide zone covers its wards.
    public var zones: [Zone]
    public var unitAncestors: [String: [String]]

    public init(declarations: [Declaration] = [], doses: [Dose] = [], tests: [Test] = [], marks: [Mark] = [], exposures: Int = 0,
                homeWard: String? = nil, zones: [Zone] = [], unitAncestors: [String: [String]] = [:]) {
        self.declarations = declarations; self.doses = doses; self.tests = tests; self.marks = marks; self.exposures = exposures
        self.homeWard = homeWard; self.zones = zones; self.unitAncestors = unitAncestors
    }
}

/// Thresholds and windows a deployment may change (H6): "rules are data".
public struct HealthRules: Sendable, Equatable, Codable {
    /// How long a declaration is current.
    public var declarationHours: Int = 24
    /// How far back travel through an epidemic zone counts.
    public var zoneLookbackDays: Int = 14
    /// A positive test this recent makes the status abnormal.
    public var positiveTestDays: Int = 14
    /// How long marks (F0/F1/F2) stay in force unless cleared.
    public var markDays: Int = 28
    /// Doses that make someone "fully vaccinated" for the summary.
    public var fullDoses: Int = 2
    /// Whether the home ward counts as "came from an epidemic zone".
    public var homeWardCounts: Bool = true

    public init() {}

    public static let standard = HealthRules()

    public init(from decoder: any Decoder) throws {
        // Every field optional in a deployment's file: what it leaves out keeps its default.
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HealthRules.standard
        declarationHours = try c.decodeIfPresent(Int.self, forKey: .declarationHours) ?? d.declarationHours
        zoneLookbackDays = try c.decodeIfPresent(Int.self, forKey: .zoneLookbackDays) ?? d.zoneLookbackDays
        positiveTestDays = try c.decodeIfPresent(Int.self, forKey: .positiveTestDays) ?? d.positiveTestDays
        markDays = try c.decodeIfPresent(Int.self, forKey: .markDays) ?? d.markDays
        fullDoses = try c.decodeIfPresent(Int.self, forKey: .fullDoses) ?? d.fullDoses
        homeWardCounts = try c.decodeIfPresent(Bool.self, forKey: .homeWardCounts) ?? d.homeWardCounts
        for (name, value) in [("declarationHours", declarationHours), ("zoneLookbackDays", zoneLookbackDays),
                              ("positiveTestDays", positiveTestDays), ("markDays", markDays), ("fullDoses", fullDoses)] where value < 0 {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(name) must not be negative"))
        }
    }

    /// The status of a person with these facts at `now` (Unix seconds).
    ///
    /// Facts have an origin and a rank: what a health officer recorded (verified tests and doses,
    /// marks, exposures from tracing or place alerts, zones) outranks what the citizen declares, so
    /// nothing the citizen adds can clear or hide it while it is in force. Symptoms a citizen
    /// declared stay for the declaration's validity even if a newer declaration leaves them out:
    /// a guard's red screen cannot be turned green by declaring again a minute later.
    public func evaluate(_ facts: HealthFacts, now: Int64) -> HealthStatus {
        var reasons: [String] = []
        var alerts: [String] = []
        var origins: [String: HealthStatus.Origin] = [:]

        let window = facts.declarations.filter { $0.at <= now && now - $0.at < Int64(declarationHours) * 3600 }
        let current = window.first
        for symptom in Symptom.allCases where window.contains(where: { $0.symptoms.contains(symptom) }) {
            reasons.append(symptom.rawValue)
            origins[symptom.rawValue] = .selfDeclared
        }
        if window.contains(where: \.contact) {
            reasons.append("contact")
            origins["contact"] = .selfDeclared
        }

        let today = Self.day(now)
        let positive = positiveTest(facts.tests, today: today)
        if let positive {
            reasons.append("positive_test")
            origins["positive_test"] = positive.verified ? .officer : .selfDeclared
        }
        // The test a guard is shown: the positive one in force, else the latest (verified first on a tie).
        let shownTest = positive ?? facts.tests.max { ($0.date, $0.verified ? 1 : 0) < ($1.date, $1.verified ? 1 : 0) }

        // Marks: the strongest in force.
        let liveMarks = Set(facts.marks.filter { now - $0.at <= Int64(markDays) * 86_400 }.map(\.mark))
        if let strongest = CaseMark.allCases.first(where: liveMarks.contains) {
            alerts.append(strongest.rawValue.lowercased())
            origins[strongest.rawValue.lowercased()] = .officer
        }

        if zoneHit(facts, now: now) {
            alerts.append("epidemic_zone")
            origins["epidemic_zone"] = .officer
        }
        if facts.exposures > 0 {
            alerts.append("exposure")
            origins["exposure"] = .officer
        }

        let level: HealthStatus.Level
        if !reasons.isEmpty { level = .abnormal } else if current != nil { level = .normal } else { level = .unknown }

        let doses = facts.doses.sorted { $0.date < $1.date }
        let vaccination = doses.isEmpty ? nil : HealthStatus.Vaccination(doses: doses.count, lastDate: doses.last!.date,
                                                                          full: doses.count >= fullDoses, verified: doses.allSatisfy(\.verified))
        let test = shownTest.map { HealthStatus.TestSummary(kind: $0.kind, result: $0.result, date: $0.date, verified: $0.verified) }
        return HealthStatus(level: level, reasons: reasons, vaccination: vaccination, test: test, alerts: alerts,
                            declaredAt: current?.at, origins: origins)
    }

    /// The positive test in force today, if any: one taken within `positiveTestDays` that no later
    /// *verified* negative test clears. A self-declared negative never clears a positive (verified or
    /// not); a verified positive wins over a self-declared one of the same period.
    func positiveTest(_ tests: [HealthFacts.Test], today: String) -> HealthFacts.Test? {
        let inForce = tests.filter { test in
            guard test.result == "positive", let days = Self.daysBetween(test.date, today), days >= 0, days <= positiveTestDays else { return false }
            return !tests.contains { $0.verified && $0.result == "negative" && $0.date > test.date }
        }
        return inForce.max { ($0.verified ? 1 : 0, $0.date) < ($1.verified ? 1 : 0, $1.date) }
    }

    /// True when a ward the person declared visiting in the lookback (or their home ward) lies in a
    /// unit that was a zone at some point of the lookback.
    func zoneHit(_ facts: HealthFacts, now: Int64) -> Bool {
        let since = now - Int64(zoneLookbackDays) * 86_400
        var wards = Set<String>()
        for declaration in facts.declarations where declaration.at >= since && declaration.at <= now {
            wards.formUnion(declaration.visitedWards)
        }
        if homeWardCounts, let home = facts.homeWard { wards.insert(home) }
        guard !wards.isEmpty else { return false }
        var units = Set<String>()
        for ward in wards { units.insert(ward); units.formUnion(facts.unitAncestors[ward] ?? []) }
        return facts.zones.contains { zone in
            units.contains(zone.unitCode) && zone.from <= now && (zone.to ?? Int64.max) >= since
        }
    }

    static func day(_ seconds: Int64) -> String {
        let local = LocalTime.startOfDay(containing: seconds) + LocalTime.offsetSeconds
        let days = local / 86_400
        return civilDate(days: days)
    }

    /// Days since 1970-01-01 → YYYY-MM-DD.
    public static func civilDateString(days: Int64) -> String { civilDate(days: days) }

    /// Days since 1970-01-01 → YYYY-MM-DD.
    static func civilDate(days: Int64) -> String { LocalDate.isoString(days: days) }

    /// YYYY-MM-DD → days since 1970-01-01, nil when not a real date. Birth dates reach back before
    /// 1970, which `LocalDate` (a day of check-ins) does not accept.
    public static func days(_ text: String) -> Int64? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int64(parts[0]), let m = Int64(parts[1]), let d = Int64(parts[2]), (1...12).contains(m), d >= 1,
              d <= LocalDate.daysIn(month: m, year: y) else { return nil }
        return LocalDate.days(fromCivil: y, m, d)
    }

    static func daysBetween(_ from: String, _ to: String) -> Int64? {
        guard let a = days(from), let b = days(to) else { return nil }
        return b - a
    }
}

/// What a guard sees about a person at the door (H6), and what `status` holds in a scan answer.
public struct HealthStatus: Sendable, Equatable, Codable {
    public enum Level: String, Sendable, Codable { case normal, abnormal, unknown }
    public struct Vaccination: Sendable, Equatable, Codable {
        public var doses: Int
        public var lastDate: String
        public var full: Bool
        public var verified: Bool
    }
    public struct TestSummary: Sendable, Equatable, Codable {
        public var kind: String
        public var result: String
        public var date: String
        public var verified: Bool
    }
    public var level: Level
    public var reasons: [String]
    public var vaccination: Vaccination?
    public var test: TestSummary?
    public var alerts: [String]
    /// When the current declaration was made (nil: none current).
    public var declaredAt: Int64?
    /// Where each reason and alert came from: a health officer's record, or the citizen's own word.
    public var origins: [String: Origin] = [:]

    public enum Origin: String, Sendable, Codable, Equatable {
        case officer
        case selfDeclared = "self"
    }

    public init(level: Level, reasons: [String], vaccination: Vaccination?, test: TestSummary?, alerts: [String], declaredAt: Int64?,
                origins: [String: Origin] = [:]) {
        self.level = level; self.reasons = reasons; self.vaccination = vaccination; self.test = test; self.alerts = alerts
        self.declaredAt = declaredAt; self.origins = origins
    }

    /// One line for the guard's screen, e.g. "Bất thường — ho · 2 liều vắc xin, mũi cuối 12/09/2021 · Xét nghiệm âm tính 20/10/2021".
    /// The most serious fact comes first: alerts (F0, epidemic zone, F1/F2, tracing), then the declaration.
    /// A normal declaration is not mentioned when there is an alert, so the line never reads
    /// "Bình thường" (normal) for a known case (issue 17).
    public func summary(vietnamese: Bool) -> String {
        var parts: [String] = []
        for alert in Self.alertsBySeverity(alerts) { parts.append(Self.alertName(alert, vietnamese: vietnamese)) }
        switch level {
        case .abnormal:
            let names = reasons.map { Self.reasonName($0, vietnamese: vietnamese) }.joined(separator: ", ")
            parts.append((vietnamese ? "Bất thường — " : "Abnormal — ") + names)
        case .normal: if alerts.isEmpty { parts.append(vietnamese ? "Bình thường" : "Normal") }
        case .unknown: parts.append(vietnamese ? "Chưa khai báo y tế" : "No current health declaration")
        }
        if let v = vaccination {
            parts.append(vietnamese ? "\(v.doses) liều vắc xin, mũi cuối \(Self.displayDate(v.lastDate))"
                                    : "\(v.doses) vaccine dose\(v.doses == 1 ? "" : "s"), last \(Self.displayDate(v.lastDate))")
        } else {
            parts.append(vietnamese ? "Chưa có thông tin tiêm chủng" : "No vaccination recorded")
        }
        if let t = test {
            let result = vietnamese ? (t.result == "positive" ? "dương tính" : "âm tính") : t.result
            parts.append(vietnamese ? "Xét nghiệm \(result) \(Self.displayDate(t.date))" : "Test \(result) \(Self.displayDate(t.date))")
        }
        return parts.joined(separator: " · ")
    }

    public static func reasonName(_ code: String, vietnamese: Bool) -> String {
        switch code {
        case "fever": vietnamese ? "sốt" : "fever"
        case "cough": vietnamese ? "ho" : "cough"
        case "breath": vietnamese ? "khó thở" : "shortness of breath"
        case "taste_smell": vietnamese ? "mất vị giác/khứu giác" : "loss of taste or smell"
        case "sore_throat": vietnamese ? "đau họng" : "sore throat"
        case "contact": vietnamese ? "tiếp xúc ca bệnh/nghi ngờ" : "contact with a case"
        case "positive_test": vietnamese ? "xét nghiệm dương tính" : "positive test"
        default: code
        }
    }

    /// Alerts in the order a guard must read them: a known case or an epidemic zone before a contact.
    public static func alertsBySeverity(_ alerts: [String]) -> [String] {
        let order = ["f0", "epidemic_zone", "f1", "exposure", "f2"]
        return alerts.enumerated().sorted { a, b in
            let ra = order.firstIndex(of: a.element) ?? order.count, rb = order.firstIndex(of: b.element) ?? order.count
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }

    public static func alertName(_ code: String, vietnamese: Bool) -> String {
        switch code {
        case "epidemic_zone": vietnamese ? "Đến từ vùng dịch" : "Came from an epidemic zone"
        case "f0": vietnamese ? "Ca bệnh (F0)" : "Known case (F0)"
        case "f1": vietnamese ? "Tiếp xúc gần (F1)" : "Close contact (F1)"
        case "f2": vietnamese ? "Tiếp xúc của F1 (F2)" : "Contact of a contact (F2)"
        case "exposure": vietnamese ? "Có trong danh sách truy vết" : "Listed by contact tracing"
        default: code
        }
    }

    /// YYYY-MM-DD → DD/MM/YYYY.
    public static func displayDate(_ date: String) -> String {
        let p = date.split(separator: "-")
        return p.count == 3 ? "\(p[2])/\(p[1])/\(p[0])" : date
    }
}
