import Foundation
import Testing
@testable import RavaoCore

/// The status rules (H6) as a table: facts in, level, reasons and alerts out.
@Suite struct HealthStatusTests {
    // 2021-10-25 08:00 in Vietnam.
    static let now: Int64 = 1_635_123_600
    static let hour: Int64 = 3600
    static let day: Int64 = 86_400

    typealias D = HealthFacts.Declaration
    static func declared(_ hoursAgo: Int64, _ symptoms: [Symptom] = [], contact: Bool = false, wards: [String] = []) -> D {
        D(at: now - hoursAgo * hour, symptoms: symptoms, contact: contact, visitedWards: wards)
    }
    static let zoneWard = HealthFacts.Zone(unitCode: "26734", level: "high", from: now - 1 * day, to: nil)
    static let zoneProvince = HealthFacts.Zone(unitCode: "79", level: "medium", from: now - 20 * day, to: now - 10 * day)
    static let zoneEndedLongAgo = HealthFacts.Zone(unitCode: "79", level: "medium", from: now - 40 * day, to: now - 15 * day)
    static let ancestry = ["26734": ["79"], "00004": ["01"]]

    struct Row: CustomTestStringConvertible, Sendable {
        let name: String
        let facts: HealthFacts
        let level: HealthStatus.Level
        let reasons: [String]
        let alerts: [String]
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(name: "nothing known", facts: HealthFacts(), level: .unknown, reasons: [], alerts: []),
        Row(name: "fresh declaration, no symptoms", facts: HealthFacts(declarations: [declared(2)]), level: .normal, reasons: [], alerts: []),
        Row(name: "declaration expired after 24 h", facts: HealthFacts(declarations: [declared(25, [.cough])]), level: .unknown, reasons: [], alerts: []),
        Row(name: "declaration 23 h old still counts", facts: HealthFacts(declarations: [declared(23, [.cough])]), level: .abnormal, reasons: ["cough"], alerts: []),
        // Trust rule 1: declaring again a minute later cannot turn a red screen green.
        Row(name: "symptoms declared earlier within 24 h stay after a newer declaration without them",
            facts: HealthFacts(declarations: [declared(1), declared(5, [.fever])]), level: .abnormal, reasons: ["fever"], alerts: []),
        Row(name: "all symptoms in catalogue order plus contact",
            facts: HealthFacts(declarations: [declared(1, [.soreThroat, .fever, .tasteSmell, .breath, .cough], contact: true)]),
            level: .abnormal, reasons: ["fever", "cough", "breath", "taste_smell", "sore_throat", "contact"], alerts: []),
        Row(name: "contact only", facts: HealthFacts(declarations: [declared(1, contact: true)]), level: .abnormal, reasons: ["contact"], alerts: []),
        Row(name: "positive test 3 days ago without declaration",
            facts: HealthFacts(tests: [.init(kind: "pcr", result: "positive", date: "2021-10-22", verified: true)]),
            level: .abnormal, reasons: ["positive_test"], alerts: []),
        // Trust rule 1: a self-declared negative never clears a positive; only a verified negative does.
        Row(name: "verified positive followed by a self-declared negative still counts",
            facts: HealthFacts(declarations: [declared(1)], tests: [.init(kind: "pcr", result: "positive", date: "2021-10-20", verified: true),
                                                                     .init(kind: "rapid", result: "negative", date: "2021-10-24", verified: false)]),
            level: .abnormal, reasons: ["positive_test"], alerts: []),
        Row(name: "self-declared positive followed by a self-declared negative still counts",
            facts: HealthFacts(declarations: [declared(1)], tests: [.init(kind: "rapid", result: "positive", date: "2021-10-20", verified: false),
                                                                     .init(kind: "rapid", result: "negative", date: "2021-10-24", verified: false)]),
            level: .abnormal, reasons: ["positive_test"], alerts: []),
        Row(name: "verified positive followed by a verified negative is cleared",
            facts: HealthFacts(declarations: [declared(1)], tests: [.init(kind: "pcr", result: "positive", date: "2021-10-20", verified: true),
                                                                     .init(kind: "pcr", result: "negative", date: "2021-10-24", verified: true)]),
            level: .normal, reasons: [], alerts: []),
        Row(name: "positive test 15 days ago no longer counts",
            facts: HealthFacts(declarations: [declared(1)], tests: [.init(kind: "pcr", result: "positive", date: "2021-10-10", verified: true)]),
            level: .normal, reasons: [], alerts: []),
        Row(name: "visited a ward declared a zone yesterday",
            facts: HealthFacts(declarations: [declared(3, wards: ["26734"])], zones: [zoneWard], unitAncestors: ancestry),
            level: .normal, reasons: [], alerts: ["epidemic_zone"]),
        Row(name: "visited a ward of a province that was a zone 10–20 days ago, declared 12 days ago",
            facts: HealthFacts(declarations: [declared(2), declared(12 * 24, wards: ["26734"])], zones: [zoneProvince], unitAncestors: ancestry),
            level: .normal, reasons: [], alerts: ["epidemic_zone"]),
        Row(name: "zone ended before the 14-day window",
            facts: HealthFacts(declarations: [declared(2, wards: ["26734"])], zones: [zoneEndedLongAgo], unitAncestors: ancestry),
            level: .normal, reasons: [], alerts: []),
        Row(name: "travel declared 15 days ago is outside the window",
            facts: HealthFacts(declarations: [declared(15 * 24, wards: ["26734"])], zones: [zoneWard], unitAncestors: ancestry),
            level: .unknown, reasons: [], alerts: []),
        Row(name: "home ward inside a zone", facts: HealthFacts(homeWard: "26734", zones: [zoneWard], unitAncestors: ancestry),
            level: .unknown, reasons: [], alerts: ["epidemic_zone"]),
        Row(name: "other ward, no alert", facts: HealthFacts(declarations: [declared(1, wards: ["00004"])], homeWard: "00004", zones: [zoneWard], unitAncestors: ancestry),
            level: .normal, reasons: [], alerts: []),
        Row(name: "marked F1 and F0: the strongest shows",
            facts: HealthFacts(declarations: [declared(1)], marks: [.init(mark: .f1, at: now - day), .init(mark: .f0, at: now - hour)]),
            level: .normal, reasons: [], alerts: ["f0"]),
        Row(name: "F2 mark older than 28 days expired", facts: HealthFacts(marks: [.init(mark: .f2, at: now - 29 * day)]), level: .unknown, reasons: [], alerts: []),
        Row(name: "listed by tracing", facts: HealthFacts(exposures: 1), level: .unknown, reasons: [], alerts: ["exposure"]),
        Row(name: "everything at once",
            facts: HealthFacts(declarations: [declared(1, [.fever], wards: ["26734"])], marks: [.init(mark: .f1, at: now - day)], exposures: 2,
                               zones: [zoneWard], unitAncestors: ancestry),
            level: .abnormal, reasons: ["fever"], alerts: ["f1", "epidemic_zone", "exposure"]),
    ]

    @Test(arguments: rows) func rule(_ row: Row) {
        let status = HealthRules.standard.evaluate(row.facts, now: Self.now)
        #expect(status.level == row.level)
        #expect(status.reasons == row.reasons)
        #expect(status.alerts == row.alerts)
    }

    @Test func everyReasonAndAlertSaysWhereItCameFrom() {
        let facts = HealthFacts(declarations: [Self.declared(1, [.cough])],
                                tests: [.init(kind: "pcr", result: "positive", date: "2021-10-20", verified: true),
                                        .init(kind: "rapid", result: "negative", date: "2021-10-24", verified: false)],
                                marks: [.init(mark: .f0, at: Self.now - Self.hour)], exposures: 1)
        let status = HealthRules.standard.evaluate(facts, now: Self.now)
        #expect(status.origins == ["cough": .selfDeclared, "positive_test": .officer, "f0": .officer, "exposure": .officer])
        // The guard is shown the positive test in force, not the newer self-declared negative.
        #expect(status.test == .init(kind: "pcr", result: "positive", date: "2021-10-20", verified: true))
        let selfOnly = HealthRules.standard.evaluate(HealthFacts(tests: [.init(kind: "rapid", result: "positive", date: "2021-10-24", verified: false)]), now: Self.now)
        #expect(selfOnly.origins == ["positive_test": .selfDeclared])
    }

    @Test func theSummaryNeverSaysNormalBesideAnAlert() {
        let f0 = HealthRules.standard.evaluate(HealthFacts(declarations: [Self.declared(1)], marks: [.init(mark: .f0, at: Self.now - Self.hour)]), now: Self.now)
        #expect(f0.summary(vietnamese: true).hasPrefix("Ca bệnh (F0)"))
        #expect(!f0.summary(vietnamese: true).contains("Bình thường"))
        #expect(!f0.summary(vietnamese: false).contains("Normal"))
        let plain = HealthRules.standard.evaluate(HealthFacts(declarations: [Self.declared(1)]), now: Self.now)
        #expect(plain.summary(vietnamese: true).hasPrefix("Bình thường"))
    }

    @Test func vaccinationAndTestSummaryAsTheGuardSeesIt() {
        let facts = HealthFacts(declarations: [Self.declared(1, [.cough])],
                                doses: [.init(vaccine: "AstraZeneca", date: "2021-09-12", verified: true), .init(vaccine: "AstraZeneca", date: "2021-07-01", verified: true)],
                                tests: [.init(kind: "rapid", result: "negative", date: "2021-10-20", verified: false)])
        let status = HealthRules.standard.evaluate(facts, now: Self.now)
        #expect(status.vaccination == .init(doses: 2, lastDate: "2021-09-12", full: true, verified: true))
        #expect(status.test == .init(kind: "rapid", result: "negative", date: "2021-10-20", verified: false))
        #expect(status.summary(vietnamese: true) == "Bất thường — ho · 2 liều vắc xin, mũi cuối 12/09/2021 · Xét nghiệm âm tính 20/10/2021")
        #expect(status.summary(vietnamese: false) == "Abnormal — cough · 2 vaccine doses, last 12/09/2021 · Test negative 20/10/2021")
    }

    /// Issue 17: an F0 with a normal declaration must not read "Bình thường", and the most serious
    /// alert leads the line.
    @Test func alertsLeadTheLineAndNormalIsNotSaidAboveThem() {
        let facts = HealthFacts(declarations: [Self.declared(1)], marks: [.init(mark: .f0, at: Self.now - 3600)])
        let status = HealthRules.standard.evaluate(facts, now: Self.now)
        #expect(status.level == .normal && status.alerts == ["f0"])
        #expect(status.summary(vietnamese: true) == "Ca bệnh (F0) · Chưa có thông tin tiêm chủng")
        #expect(!status.summary(vietnamese: true).contains("Bình thường"))
        #expect(status.summary(vietnamese: false).hasPrefix("Known case (F0)"))
        let mixed = HealthStatus(level: .abnormal, reasons: ["fever"], vaccination: nil, test: nil, alerts: ["exposure", "f1", "epidemic_zone"], declaredAt: nil)
        #expect(mixed.summary(vietnamese: false).hasPrefix("Came from an epidemic zone · Close contact (F1) · Listed by contact tracing · Abnormal — fever"))
        let calm = HealthStatus(level: .normal, reasons: [], vaccination: nil, test: nil, alerts: [], declaredAt: nil)
        #expect(calm.summary(vietnamese: true).hasPrefix("Bình thường"))
    }

    @Test func rulesAreData() throws {
        var rules = HealthRules.standard
        rules.declarationHours = 48
        let facts = HealthFacts(declarations: [Self.declared(30, [.fever])])
        #expect(HealthRules.standard.evaluate(facts, now: Self.now).level == .unknown)
        #expect(rules.evaluate(facts, now: Self.now).level == .abnormal)

        let decoded = try JSONDecoder().decode(HealthRules.self, from: Data(#"{"declarationHours": 12, "homeWardCounts": false}"#.utf8))
        #expect(decoded.declarationHours == 12 && decoded.homeWardCounts == false && decoded.zoneLookbackDays == 14)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(HealthRules.self, from: Data(#"{"markDays": -1}"#.utf8)) }
        let home = HealthFacts(homeWard: "26734", zones: [Self.zoneWard], unitAncestors: Self.ancestry)
        #expect(decoded.evaluate(home, now: Self.now).alerts == [])
    }

    @Test func calendarDates() {
        #expect(HealthRules.days("1970-01-01") == 0)
        #expect(HealthRules.days("2021-10-25") == 18925)
        #expect(HealthRules.civilDateString(days: 18925) == "2021-10-25")
        #expect(HealthRules.days("2021-02-29") == nil)
        #expect(HealthRules.days("2020-02-29") != nil)
        #expect(HealthRules.days("2021-13-01") == nil)
        #expect(HealthRules.days("21-10-25") == nil)
        #expect(HealthRules.day(Self.now) == "2021-10-25")
        // 23:30 on the 24th in Vietnam is still the 24th although it is 16:30 UTC.
        #expect(HealthRules.day(1_635_093_000) == "2021-10-24")
        for days in stride(from: Int64(-1000), through: 30000, by: 37) {
            #expect(HealthRules.days(HealthRules.civilDateString(days: days)) == days)
        }
    }
}
