import Foundation
import RavaoCore
import SQLKit

/// Declarations, vaccinations, tests, case marks, exposures and epidemic zones: everything the status
/// rules read (H4–H6, H8, A6).
public struct HealthStore: Sendable {
    let engine: any DatabaseEngine
    private let factsReader: ReadBatcher<FactsKey, HealthFacts>
    public init(engine: any DatabaseEngine) {
        self.engine = engine
        factsReader = Self.factsReader(engine)
    }

    // MARK: Declarations

    public func declare(_ person: UUID, symptoms: [Symptom], contact: Bool, visitedWards: [String], by account: UUID, now: Int64) async throws -> UUID {
        let id = TimeOrderedID.make()
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO declarations (id, person_id, symptoms, contact, visited_wards, declared_by, created_at)
                VALUES (\(bind: id.uuidString), \(bind: person.uuidString), \(bind: symptoms.map(\.rawValue).joined(separator: ",")),
                        \(bind: contact ? 1 : 0), \(bind: visitedWards.joined(separator: ",")), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
        return id
    }

    public func declarations(of person: UUID, since: Int64) async throws -> [HealthFacts.Declaration] {
        try await engine.read { db in try await Self.declarations(of: person, since: since, db: db) }
    }

    static func declarations(of person: UUID, since: Int64, db: any SQLDatabase) async throws -> [HealthFacts.Declaration] {
        try await db.raw("""
            SELECT symptoms, contact, visited_wards, created_at FROM declarations
            WHERE person_id = \(bind: person.uuidString) AND created_at >= \(bind: since) ORDER BY created_at DESC, id DESC
            """).all().map { row in
            HealthFacts.Declaration(at: try row.decode(column: "created_at", as: Int64.self),
                                    symptoms: try row.decode(column: "symptoms", as: String.self).split(separator: ",").compactMap { Symptom(rawValue: String($0)) },
                                    contact: try row.decode(column: "contact", as: Int.self) != 0,
                                    visitedWards: try row.decode(column: "visited_wards", as: String.self).split(separator: ",").map(String.init))
        }
    }

    // MARK: Vaccinations and tests

    public func addDose(_ person: UUID, vaccine: String, date: String, verified: Bool, by account: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO vaccinations (id, person_id, vaccine, dose_date, verified, recorded_by, created_at)
                VALUES (\(bind: TimeOrderedID.make().uuidString), \(bind: person.uuidString), \(bind: vaccine), \(bind: date),
                        \(bind: verified ? 1 : 0), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
    }

    public func addTest(_ person: UUID, kind: String, result: String, date: String, verified: Bool, by account: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO health_tests (id, person_id, kind, result, test_date, verified, recorded_by, created_at)
                VALUES (\(bind: TimeOrderedID.make().uuidString), \(bind: person.uuidString), \(bind: kind), \(bind: result), \(bind: date),
                        \(bind: verified ? 1 : 0), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
    }

    /// A dose or test as its page lists it: with the id its delete button names.
    public struct RecordRow: Sendable, Equatable {
        public let id: UUID
        /// The vaccine, or the test kind.
        public let what: String
        /// The test result; nil for a dose.
        public let result: String?
        public let date: String
        public let verified: Bool
    }

    public enum Record: String, Sendable { case dose, test }

    public func doseRows(of person: UUID) async throws -> [RecordRow] {
        try await engine.read { db in
            try await db.raw("SELECT id, vaccine, dose_date, verified FROM vaccinations WHERE person_id = \(bind: person.uuidString) ORDER BY dose_date, id").all().map { row in
                RecordRow(id: UUID(uuidString: try row.decode(column: "id", as: String.self)) ?? UUID(), what: try row.decode(column: "vaccine", as: String.self), result: nil,
                          date: try row.decode(column: "dose_date", as: String.self), verified: try row.decode(column: "verified", as: Int.self) != 0)
            }
        }
    }

    public func testRows(of person: UUID) async throws -> [RecordRow] {
        try await engine.read { db in
            try await db.raw("SELECT id, kind, result, test_date, verified FROM health_tests WHERE person_id = \(bind: person.uuidString) ORDER BY test_date DESC, id DESC").all().map { row in
                RecordRow(id: UUID(uuidString: try row.decode(column: "id", as: String.self)) ?? UUID(), what: try row.decode(column: "kind", as: String.self),
                          result: try row.decode(column: "result", as: String.self), date: try row.decode(column: "test_date", as: String.self),
                          verified: try row.decode(column: "verified", as: Int.self) != 0)
            }
        }
    }

    public enum DeleteOutcome: Sendable, Equatable { case deleted, notFound, verified }

    /// Deletes a person's own (unverified) dose or test. What a health officer recorded stays: its
    /// `verified` flag is checked in the same statement that deletes, so no race can remove it.
    public func deleteSelfDeclared(_ record: Record, id: UUID, of person: UUID) async throws -> DeleteOutcome {
        let table = record == .dose ? "vaccinations" : "health_tests"
        return try await engine.write { db in
            let found = try await db.raw("SELECT verified FROM \(unsafeRaw: table) WHERE id = \(bind: id.uuidString) AND person_id = \(bind: person.uuidString)").first()
            guard let found else { return .notFound }
            guard try found.decode(column: "verified", as: Int.self) == 0 else { return .verified }
            try await db.raw("DELETE FROM \(unsafeRaw: table) WHERE id = \(bind: id.uuidString) AND person_id = \(bind: person.uuidString) AND verified = 0").run()
            return .deleted
        }
    }

    public func doses(of person: UUID) async throws -> [HealthFacts.Dose] {
        try await engine.read { db in try await Self.doses(of: person, db: db) }
    }

    static func doses(of person: UUID, db: any SQLDatabase) async throws -> [HealthFacts.Dose] {
        try await db.raw("SELECT vaccine, dose_date, verified FROM vaccinations WHERE person_id = \(bind: person.uuidString) ORDER BY dose_date, id").all().map { row in
            HealthFacts.Dose(vaccine: try row.decode(column: "vaccine", as: String.self), date: try row.decode(column: "dose_date", as: String.self),
                             verified: try row.decode(column: "verified", as: Int.self) != 0)
        }
    }

    public func tests(of person: UUID) async throws -> [HealthFacts.Test] {
        try await engine.read { db in try await Self.tests(of: person, db: db) }
    }

    static func tests(of person: UUID, db: any SQLDatabase) async throws -> [HealthFacts.Test] {
        try await db.raw("SELECT kind, result, test_date, verified FROM health_tests WHERE person_id = \(bind: person.uuidString) ORDER BY test_date DESC, id DESC").all().map { row in
            HealthFacts.Test(kind: try row.decode(column: "kind", as: String.self), result: try row.decode(column: "result", as: String.self),
                             date: try row.decode(column: "test_date", as: String.self), verified: try row.decode(column: "verified", as: Int.self) != 0)
        }
    }

    // MARK: Marks, exposures, zones

    public func setMark(_ person: UUID, mark: CaseMark, source: String, by account: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO person_marks (id, person_id, mark, source, set_by, set_at)
                VALUES (\(bind: TimeOrderedID.make().uuidString), \(bind: person.uuidString), \(bind: mark.rawValue), \(bind: source), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
    }

    /// An officer clears a person's marks and the exposures tracing gave them (the only way an
    /// exposure ends before its validity does).
    public func clearMarks(_ person: UUID, by account: UUID?, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE person_marks SET cleared_at = \(bind: now) WHERE person_id = \(bind: person.uuidString) AND cleared_at IS NULL").run()
            try await db.raw("""
                UPDATE exposures SET cleared_at = \(bind: now), cleared_by = \(bind: account?.uuidString)
                WHERE person_id = \(bind: person.uuidString) AND cleared_at IS NULL
                """).run()
        }
    }

    public struct Exposure: Sendable, Equatable {
        public let id: UUID
        public let source: String
        public let placeId: UUID?
        public let placeName: String?
        public let from: Int64?
        public let to: Int64?
        public let level: Int?
        public let createdAt: Int64
        public let acknowledgedAt: Int64?
        public let reviewRequestedAt: Int64?
        public let reviewNote: String?
    }

    /// Records that a tracing run or place alert listed this person (H8).
    public func addExposure(_ person: UUID, source: String, placeId: UUID?, from: Int64?, to: Int64?, level: Int?, by account: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO exposures (id, person_id, source, place_id, from_at, to_at, level, created_by, created_at)
                VALUES (\(bind: TimeOrderedID.make().uuidString), \(bind: person.uuidString), \(bind: source), \(bind: placeId?.uuidString),
                        \(bind: from), \(bind: to), \(bind: level), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
    }

    /// The exposures in force: recorded since `since` (the rules' validity) and not cleared by an officer.
    public func exposures(of person: UUID, since: Int64) async throws -> [Exposure] {
        try await engine.read { db in
            try await db.raw("""
                SELECT e.*, p.name AS place_name FROM exposures e LEFT JOIN places p ON p.id = e.place_id
                WHERE e.person_id = \(bind: person.uuidString) AND e.cleared_at IS NULL AND e.created_at >= \(bind: since)
                ORDER BY e.created_at DESC
                """).all().map { row in
                Exposure(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!, source: try row.decode(column: "source", as: String.self),
                         placeId: try row.decode(column: "place_id", as: String?.self).flatMap(UUID.init(uuidString:)),
                         placeName: try row.decode(column: "place_name", as: String?.self), from: try row.decode(column: "from_at", as: Int64?.self),
                         to: try row.decode(column: "to_at", as: Int64?.self), level: try row.decode(column: "level", as: Int?.self),
                         createdAt: try row.decode(column: "created_at", as: Int64.self),
                         acknowledgedAt: try row.decode(column: "acknowledged_at", as: Int64?.self),
                         reviewRequestedAt: try row.decode(column: "review_requested_at", as: Int64?.self),
                         reviewNote: try row.decode(column: "review_note", as: String?.self))
            }
        }
    }

    /// The citizen has read their exposure notices. It changes nothing in their status.
    public func acknowledgeExposures(_ person: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE exposures SET acknowledged_at = \(bind: now) WHERE person_id = \(bind: person.uuidString) AND acknowledged_at IS NULL").run()
        }
    }

    /// The citizen asks health officers to review one exposure, with a note; false when it is not theirs
    /// or no longer in force.
    public func requestReview(of exposure: UUID, person: UUID, note: String, now: Int64) async throws -> Bool {
        try await engine.write { db in
            try await db.raw("""
                UPDATE exposures SET review_requested_at = \(bind: now), review_note = \(bind: note), acknowledged_at = COALESCE(acknowledged_at, \(bind: now))
                WHERE id = \(bind: exposure.uuidString) AND person_id = \(bind: person.uuidString) AND cleared_at IS NULL
                RETURNING id
                """).first() != nil
        }
    }

    public func addZone(unitCode: String, level: String, from: Int64, to: Int64?, by account: UUID, now: Int64) async throws -> UUID {
        let id = TimeOrderedID.make()
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO zones (id, unit_code, level, starts_at, ends_at, declared_by, created_at)
                VALUES (\(bind: id.uuidString), \(bind: unitCode), \(bind: level), \(bind: from), \(bind: to), \(bind: account.uuidString), \(bind: now))
                """).run()
        }
        return id
    }

    /// Zones in force at some moment after `since`.
    public func zones(since: Int64) async throws -> [HealthFacts.Zone] {
        try await engine.read { db in
            try await db.raw("SELECT unit_code, level, starts_at, ends_at FROM zones WHERE ends_at IS NULL OR ends_at >= \(bind: since) ORDER BY starts_at").all().map { row in
                HealthFacts.Zone(unitCode: try row.decode(column: "unit_code", as: String.self), level: try row.decode(column: "level", as: String.self),
                                 from: try row.decode(column: "starts_at", as: Int64.self), to: try row.decode(column: "ends_at", as: Int64?.self))
            }
        }
    }

    // MARK: Facts for the rules

    /// Everything about one person the status rules need, in one read; zones and the units' ancestry
    /// are supplied by the caller (they are shared by everyone and cached).
    ///
    /// This runs for every scan of someone not seen in the last seconds. Concurrent calls are read
    /// together, one statement per batch (`ReadBatcher`): under a gate's load a statement per scan cost
    /// PostgreSQL a parse and a plan each time, for a few index lookups.
    public func facts(of person: UUID, now: Int64, rules: HealthRules) async throws -> HealthFacts {
        let window = FactsWindow(now: now, rules: rules)
        return try await factsReader.value(.init(person: person.uuidString, window: window)) ?? HealthFacts()
    }

    /// The time limits of a facts read: declarations and exposures older than these do not count.
    struct FactsWindow: Hashable, Sendable {
        let declarationsSince: Int64
        let exposuresSince: Int64
        init(now: Int64, rules: HealthRules) {
            declarationsSince = now - max(Int64(rules.zoneLookbackDays) * 86_400, Int64(rules.declarationHours) * 3600)
            exposuresSince = now - Int64(rules.markDays) * 86_400
        }
    }

    struct FactsKey: Hashable, Sendable {
        let person: String
        let window: FactsWindow
    }

    static func factsReader(_ engine: any DatabaseEngine) -> ReadBatcher<FactsKey, HealthFacts> {
        ReadBatcher { keys in
            // Requests of one batch almost always share their window (the same second); one statement per window.
            var answers: [FactsKey: HealthFacts] = [:]
            for (window, group) in Dictionary(grouping: keys, by: \.window) {
                let facts = try await engine.read { db in try await Self.facts(of: group.map(\.person), window: window, db: db) }
                for key in group { answers[key] = facts[key.person] ?? HealthFacts() }
            }
            return answers
        }
    }

    /// The facts of `people` (ids), one statement on PostgreSQL, one per few hundred on SQLite.
    static func facts(of people: [String], window: FactsWindow, db: any SQLDatabase) async throws -> [String: HealthFacts] {
        var all: [String: HealthFacts] = [:]
        let statements: [SQLQueryString]
        if db.dialect.name == "sqlite" {
            statements = BatchRows([.text("id", people)]).statements(db, "WITH ids(id) AS (", suffix: ")\n" + factsSelect(window) { "\($0) IN (SELECT id FROM ids)" })
        } else {
            // One array bind, named six times: `$1` is that bind (the statement's only one). As a CTE
            // joined six times the statement took PostgreSQL ~1.4 ms to plan and 0.6 ms to run for 20
            // people; with `= ANY($1)` 0.3 ms and 0.15 ms (EXPLAIN ANALYZE, issue 16).
            let text = factsSelect(window) { "\($0) = ANY($1::text[])" }
            let first = text.firstRange(of: "$1")!  // the standard library's, not Foundation's NSString search
            var query = SQLQueryString(String(text[..<first.lowerBound]))
            query.appendInterpolation(bind: people)
            query.appendLiteral(String(text[first.upperBound...]))
            statements = [query]
        }
        for statement in statements {
            for row in try await db.raw(statement).all() {
                try add(row, to: &all)
            }
        }
        return sorted(all)
    }

    /// The rows of every fact about the people `among` selects (it gets a column and returns the
    /// condition), as columns p (the person), k (the kind of fact), a, t1, t2, t3, n. The window's
    /// limits are SQL: numbers, or parameters in the check-in writer's prepared read (`CheckInWriter.Known`).
    static func factsSelect(declarationsSince: String, exposuresSince: String, among: (String) -> String) -> String {
        """
        SELECT person_id AS p, 'd' AS k, created_at AS a, symptoms AS t1, visited_wards AS t2, NULL AS t3, contact AS n
            FROM declarations WHERE \(among("person_id")) AND created_at >= \(declarationsSince)
        UNION ALL SELECT person_id, 'v', 0, vaccine, dose_date, NULL, verified FROM vaccinations WHERE \(among("person_id"))
        UNION ALL SELECT person_id, 't', 0, kind, result, test_date, verified FROM health_tests WHERE \(among("person_id"))
        UNION ALL SELECT person_id, 'm', set_at, mark, NULL, NULL, 0 FROM person_marks WHERE \(among("person_id")) AND cleared_at IS NULL
        UNION ALL SELECT person_id, 'e', 0, NULL, NULL, NULL, COUNT(*) FROM exposures
            WHERE \(among("person_id")) AND cleared_at IS NULL AND created_at >= \(exposuresSince) GROUP BY person_id
        UNION ALL SELECT id, 'p', 0, ward_code, NULL, NULL, 0 FROM people WHERE \(among("id"))
        """
    }

    static func factsSelect(_ window: FactsWindow, among: (String) -> String) -> String {
        factsSelect(declarationsSince: "\(window.declarationsSince)", exposuresSince: "\(window.exposuresSince)", among: among)
    }

    /// Adds a row of `factsSelect` to its person's facts.
    static func add(_ row: any SQLRow, to all: inout [String: HealthFacts]) throws {
        let person = try row.decode(column: "p", as: String.self)
        try Self.add(row, to: &all[person, default: HealthFacts()])
    }

    /// The facts in the order the rules read them.
    static func sorted(_ facts: [String: HealthFacts]) -> [String: HealthFacts] {
        var all = facts
        for key in all.keys {
            all[key]!.declarations.sort { $0.at > $1.at }
            all[key]!.doses.sort { $0.date < $1.date }
            all[key]!.tests.sort { $0.date > $1.date }
        }
        return all
    }

    private static func add(_ row: any SQLRow, to facts: inout HealthFacts) throws {
        add(kind: try row.decode(column: "k", as: String.self), a: try row.decode(column: "a", as: Int64?.self),
            t1: try row.decode(column: "t1", as: String?.self), t2: try row.decode(column: "t2", as: String?.self),
            t3: try row.decode(column: "t3", as: String?.self), n: try row.decode(column: "n", as: Int64?.self), to: &facts)
    }

    /// Adds a row of `factsSelect`, by its columns, to the person's facts.
    static func add(kind: String, a: Int64?, t1: String?, t2: String?, t3: String?, n: Int64?, to facts: inout HealthFacts) {
        let n = n ?? 0
        switch kind {
        case "d":
            facts.declarations.append(.init(at: a ?? 0, symptoms: (t1 ?? "").split(separator: ",").compactMap { Symptom(rawValue: String($0)) },
                                            contact: n != 0, visitedWards: (t2 ?? "").split(separator: ",").map(String.init)))
        case "v": facts.doses.append(.init(vaccine: t1 ?? "", date: t2 ?? "", verified: n != 0))
        case "t": facts.tests.append(.init(kind: t1 ?? "", result: t2 ?? "", date: t3 ?? "", verified: n != 0))
        case "m": if let mark = t1.flatMap(CaseMark.init(rawValue:)) { facts.marks.append(.init(mark: mark, at: a ?? 0)) }
        case "e": facts.exposures = Int(n)
        default: facts.homeWard = t1
        }
    }
}
