import Foundation
import RavaoCore
import SQLKit
import Synchronization

/// Organisations (companies), their members, places and workforce roster; daily coverage and bus
/// manifests (E1–E3).
extension Store {
    public var orgs: OrgStore { OrgStore(engine: engine, memo: coverageMemo) }
}

public struct OrgStore: Sendable {
    let engine: any DatabaseEngine
    let memo: CoverageMemo
    /// `memo` should be shared by every OrgStore of a process (`Store.orgs` does); a fresh one only
    /// makes the next coverage call compute in full.
    public init(engine: any DatabaseEngine, memo: CoverageMemo = CoverageMemo()) {
        self.engine = engine
        self.memo = memo
    }

    public enum Role: String, Sendable, Codable, CaseIterable {
        /// Owners and managers see every place's data and the names on the roster; a board sees percentages.
        case owner, manager, board
        public var seesPeople: Bool { self != .board }
    }

    public struct Org: Sendable, Equatable {
        public let id: UUID
        public let name: String
        public let tripGapMinutes: Int
        public let createdAt: Int64
    }

    public struct Member: Sendable, Equatable {
        public let phone: PhoneNumber
        public let role: Role
        public let createdAt: Int64
    }

    public struct Employee: Sendable, Equatable {
        public let id: UUID
        public var employeeNumber: String
        public var fullName: String
        public var phone: PhoneNumber?
        public var cccd: String?
        public var bhyt: String?
        public var department: String
    }

    // MARK: Organisations and members

    public func create(name: String, owner: Account, now: Int64) async throws -> Org {
        let org = Org(id: UUID(), name: name, tripGapMinutes: 45, createdAt: now)
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO orgs (id, name, trip_gap_minutes, created_by, created_at)
                VALUES (\(bind: org.id.uuidString), \(bind: name), 45, \(bind: owner.id.uuidString), \(bind: now))
                """).run()
            try await db.raw("""
                INSERT INTO org_members (org_id, phone, role, added_by, created_at)
                VALUES (\(bind: org.id.uuidString), \(bind: owner.phone.e164), 'owner', \(bind: owner.id.uuidString), \(bind: now))
                """).run()
        }
        return org
    }

    public func org(id: UUID) async throws -> Org? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM orgs WHERE id = \(bind: id.uuidString)").first().map(Self.org(from:))
        }
    }

    public func update(id: UUID, name: String, tripGapMinutes: Int) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE orgs SET name = \(bind: name), trip_gap_minutes = \(bind: tripGapMinutes) WHERE id = \(bind: id.uuidString)").run()
        }
    }

    /// The role of whoever holds this phone number, signed in or not yet.
    public func role(of phone: PhoneNumber, in org: UUID) async throws -> Role? {
        try await engine.read { db in
            try await db.raw("SELECT role FROM org_members WHERE org_id = \(bind: org.uuidString) AND phone = \(bind: phone.e164)")
                .first().flatMap { Role(rawValue: try $0.decode(column: "role", as: String.self)) }
        }
    }

    public func orgs(of phone: PhoneNumber) async throws -> [(org: Org, role: Role)] {
        try await engine.read { db in
            try await db.raw("""
                SELECT o.*, m.role FROM org_members m JOIN orgs o ON o.id = m.org_id WHERE m.phone = \(bind: phone.e164) ORDER BY o.name, o.id
                """).all().map { row in
                    (org: try Self.org(from: row), role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .board)
                }
        }
    }

    public func members(of org: UUID) async throws -> [Member] {
        try await engine.read { db in
            try await db.raw("SELECT phone, role, created_at FROM org_members WHERE org_id = \(bind: org.uuidString) ORDER BY created_at, phone").all().compactMap { row in
                guard let phone = PhoneNumber(try row.decode(column: "phone", as: String.self)),
                      let role = Role(rawValue: try row.decode(column: "role", as: String.self)) else { return nil }
                return Member(phone: phone, role: role, createdAt: try row.decode(column: "created_at", as: Int64.self))
            }
        }
    }

    public func setMember(org: UUID, phone: PhoneNumber, role: Role, by: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO org_members (org_id, phone, role, added_by, created_at)
                VALUES (\(bind: org.uuidString), \(bind: phone.e164), \(bind: role.rawValue), \(bind: by.uuidString), \(bind: now))
                ON CONFLICT (org_id, phone) DO UPDATE SET role = excluded.role
                """).run()
        }
    }

    public enum MemberRemoval: Sendable { case removed, notMember, lastOwner }

    /// Removes a member, refusing to leave the organisation without an owner (checked in the same transaction).
    public func removeMember(org: UUID, phone: PhoneNumber) async throws -> MemberRemoval {
        try await engine.write { db in
            guard let row = try await db.raw("SELECT role FROM org_members WHERE org_id = \(bind: org.uuidString) AND phone = \(bind: phone.e164)").first() else {
                return .notMember
            }
            if try row.decode(column: "role", as: String.self) == Role.owner.rawValue {
                let owners = try await db.raw("SELECT COUNT(*) AS n FROM org_members WHERE org_id = \(bind: org.uuidString) AND role = 'owner'").first()!
                    .decode(column: "n", as: Int.self)
                if owners <= 1 { return .lastOwner }
            }
            try await db.raw("DELETE FROM org_members WHERE org_id = \(bind: org.uuidString) AND phone = \(bind: phone.e164)").run()
            return .removed
        }
    }

    // MARK: Places

    public func addPlace(org: UUID, place: UUID, by: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO org_places (org_id, place_id, added_by, created_at)
                VALUES (\(bind: org.uuidString), \(bind: place.uuidString), \(bind: by.uuidString), \(bind: now))
                ON CONFLICT (org_id, place_id) DO NOTHING
                """).run()
        }
    }

    public func removePlace(org: UUID, place: UUID) async throws -> Bool {
        try await engine.write { db in
            let found = try await db.raw("SELECT 1 AS x FROM org_places WHERE org_id = \(bind: org.uuidString) AND place_id = \(bind: place.uuidString)").first() != nil
            try await db.raw("DELETE FROM org_places WHERE org_id = \(bind: org.uuidString) AND place_id = \(bind: place.uuidString)").run()
            return found
        }
    }

    /// The organisation's own places and every place inside them (workshops, gates, buses), with
    /// whether each was added directly. Deleted places are left out of the list but their scans
    /// still count (see `coveragePlaceIds`).
    public func places(of org: UUID) async throws -> [(place: Place, direct: Bool)] {
        try await engine.read { db in
            try await db.raw(Self.treeCTE(org) + ("""
                 SELECT p.*, CASE WHEN EXISTS (SELECT 1 FROM org_places o WHERE o.org_id = \(bind: org.uuidString) AND o.place_id = p.id)
                    THEN 1 ELSE 0 END AS direct
                FROM places p WHERE p.id IN (SELECT id FROM tree) AND p.deleted_at IS NULL ORDER BY p.name, p.id
                """ as SQLQueryString)).all().map { row in (place: try PlaceStore.place(from: row), direct: try row.decode(column: "direct", as: Int.self) == 1) }
        }
    }

    /// Every place whose scans count for the organisation, deleted ones included.
    public func coveragePlaceIds(of org: UUID) async throws -> [String] {
        try await engine.read { db in
            try await db.raw(Self.treeCTE(org) + SQLQueryString(" SELECT id FROM tree ORDER BY id")).all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    /// Places nested under the organisation's places, walked with a recursive CTE; UNION (not
    /// UNION ALL) stops at a place already seen, so a cycle cannot loop.
    package static func treeCTE(_ org: UUID) -> SQLQueryString {
        """
        WITH RECURSIVE tree(id) AS (
            SELECT place_id FROM org_places WHERE org_id = \(bind: org.uuidString)
            UNION SELECT p.id FROM places p JOIN tree t ON p.parent_id = t.id)
        """
    }

    // MARK: Roster

    public func employees(of org: UUID, limit: Int = 100_000, offset: Int = 0) async throws -> [Employee] {
        try await engine.read { db in
            try await db.raw("""
                SELECT * FROM roster_entries WHERE org_id = \(bind: org.uuidString)
                ORDER BY department, full_name, id LIMIT \(bind: limit) OFFSET \(bind: offset)
                """).all().map(Self.employee(from:))
        }
    }

    public func employeeCount(of org: UUID) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM roster_entries WHERE org_id = \(bind: org.uuidString)").first()!.decode(column: "n", as: Int.self)
        }
    }

    public func employee(id: UUID, org: UUID) async throws -> Employee? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM roster_entries WHERE id = \(bind: id.uuidString) AND org_id = \(bind: org.uuidString)")
                .first().map(Self.employee(from:))
        }
    }

    /// An identifying value already used by another employee of the organisation.
    public struct Clash: Sendable, Equatable {
        public let column: RosterCSV.Column
        public let row: Int
        public let otherName: String
    }

    /// `merge` (the default, see `RosterMerge.swift`) updates and adds; `replace` swaps the whole roster;
    /// `append` only adds.
    public enum ImportMode: String, Sendable { case merge, replace, append }

    /// A write that either happened or was refused because of clashes with the stored roster.
    public enum Outcome<Value: Sendable>: Sendable {
        case saved(Value)
        case clashes([Clash])
    }

    /// Imports rows in ONE transaction: either every row is stored or none. `replace` swaps the
    /// whole roster; `append` adds to it and refuses rows whose numbers belong to someone already there.
    public func importRoster(org: UUID, rows: [RosterCSV.Row], mode: ImportMode, now: Int64) async throws -> Outcome<Int> {
        try await engine.write { db in
            try await Self.rosterChanged(org: org.uuidString, db: db)
            precondition(mode != .merge, "merge goes through mergeRoster")
            if mode == .replace {
                try await db.raw("DELETE FROM roster_entries WHERE org_id = \(bind: org.uuidString)").run()
            } else {
                let clashes = try await Self.clashes(org: org, rows: rows, excluding: nil, db: db)
                if !clashes.isEmpty { return .clashes(clashes) }
            }
            for chunk in rows.chunks(of: 200) {
                try await db.raw(CheckInWriter.values("""
                    INSERT INTO roster_entries (id, org_id, employee_number, full_name, phone, cccd, bhyt, department, created_at, updated_at) VALUES 
                    """, chunk) { r in
                    "(\(bind: UUID().uuidString), \(bind: org.uuidString), \(bind: r.employeeNumber), \(bind: r.name), \(bind: r.phone?.e164), \(bind: r.cccd), \(bind: r.bhyt), \(bind: r.department), \(bind: now), \(bind: now))"
                }).run()
            }
            return .saved(rows.count)
        }
    }

    /// Adds one employee (`id` nil) or saves an edit, unless a number belongs to someone else.
    public func save(org: UUID, id: UUID?, row: RosterCSV.Row, now: Int64) async throws -> Outcome<UUID> {
        try await engine.write { db in
            let clashes = try await Self.clashes(org: org, rows: [row], excluding: id, db: db)
            if !clashes.isEmpty { return .clashes(clashes) }
            try await Self.rosterChanged(org: org.uuidString, db: db)
            if let id {
                try await db.raw("""
                    UPDATE roster_entries SET employee_number = \(bind: row.employeeNumber), full_name = \(bind: row.name),
                        phone = \(bind: row.phone?.e164), cccd = \(bind: row.cccd), bhyt = \(bind: row.bhyt),
                        department = \(bind: row.department), updated_at = \(bind: now)
                    WHERE id = \(bind: id.uuidString) AND org_id = \(bind: org.uuidString)
                    """).run()
                return .saved(id)
            }
            let id = UUID()
            try await db.raw("""
                INSERT INTO roster_entries (id, org_id, employee_number, full_name, phone, cccd, bhyt, department, created_at, updated_at)
                VALUES (\(bind: id.uuidString), \(bind: org.uuidString), \(bind: row.employeeNumber), \(bind: row.name), \(bind: row.phone?.e164),
                        \(bind: row.cccd), \(bind: row.bhyt), \(bind: row.department), \(bind: now), \(bind: now))
                """).run()
            return .saved(id)
        }
    }

    public func deleteEmployee(id: UUID, org: UUID) async throws -> Bool {
        try await engine.write { db in
            let found = try await db.raw("SELECT 1 AS x FROM roster_entries WHERE id = \(bind: id.uuidString) AND org_id = \(bind: org.uuidString)").first() != nil
            try await Self.rosterChanged(org: org.uuidString, db: db)
            try await db.raw("DELETE FROM roster_entries WHERE id = \(bind: id.uuidString) AND org_id = \(bind: org.uuidString)").run()
            return found
        }
    }

    /// What an append would clash with, for a preview.
    public func clashes(org: UUID, rows: [RosterCSV.Row]) async throws -> [Clash] {
        try await engine.read { db in try await Self.clashes(org: org, rows: rows, excluding: nil, db: db) }
    }

    static func clashes(org: UUID, rows: [RosterCSV.Row], excluding: UUID?, db: any SQLDatabase) async throws -> [Clash] {
        var owners: [RosterCSV.Column: [String: (id: String, name: String)]] = [:]
        for row in try await db.raw("SELECT id, full_name, employee_number, phone, cccd, bhyt FROM roster_entries WHERE org_id = \(bind: org.uuidString)").all() {
            let id = try row.decode(column: "id", as: String.self)
            if id == excluding?.uuidString { continue }
            let name = try row.decode(column: "full_name", as: String.self)
            let number = try row.decode(column: "employee_number", as: String.self)
            if !number.isEmpty { owners[.employeeNumber, default: [:]][number.uppercased()] = (id, name) }
            for column in [RosterCSV.Column.phone, .cccd, .bhyt] {
                if let value = try row.decode(column: column.rawValue, as: String?.self) { owners[column, default: [:]][value] = (id, name) }
            }
        }
        var clashes: [Clash] = []
        for row in rows {
            let keys: [(RosterCSV.Column, String?)] = [(.employeeNumber, row.employeeNumber.isEmpty ? nil : row.employeeNumber.uppercased()),
                                                       (.phone, row.phone?.e164), (.cccd, row.cccd), (.bhyt, row.bhyt)]
            for (column, key) in keys {
                if let key, let owner = owners[column]?[key] { clashes.append(Clash(column: column, row: row.row, otherName: owner.name)) }
            }
        }
        return clashes
    }

    // MARK: Coverage

    /// Seconds of `recorded_at` re-read on every refresh: a check-in batch stamped a moment before the
    /// previous refresh may have committed after it, and re-reading is harmless (ON CONFLICT DO NOTHING).
    static let refreshOverlap: Int64 = 120

    /// Brings `org_presence` up to date with every check-in recorded at the organisation's places
    /// since the last refresh, and forgets places that left the organisation. Each check-in becomes
    /// one row per identifying value the person is known by (CCCD, BHYT, phone, and the phone of
    /// their account), so employees match by any of them — including employees added to the roster
    /// after they were scanned. In steady state this reads only the last minutes of each place.
    public func refreshPresence(org: UUID, places: [String], now: Int64) async throws {
        let orgId = org.uuidString
        // Most calls find nothing new: decide that with reads only, and write only when needed. A
        // place is up to date when nothing was recorded after its mark and the mark was taken well
        // after its last check-in (a batch stamped just before a refresh may commit just after it).
        let needed: Bool = try await engine.read { db in
            var marks: [String: (through: Int64, at: Int64)] = [:]
            for row in try await db.raw("SELECT place_id, recorded_through, refreshed_at FROM org_presence_marks WHERE org_id = \(bind: orgId)").all() {
                marks[try row.decode(column: "place_id", as: String.self)] = (try row.decode(column: "recorded_through", as: Int64.self),
                                                                               try row.decode(column: "refreshed_at", as: Int64.self))
            }
            if !Set(marks.keys).isSubset(of: places) { return true }  // a place left the organisation
            for place in places {
                let latest = try await db.raw("SELECT MAX(recorded_at) AS m FROM checkins WHERE place_id = \(bind: place)").first()?
                    .decode(column: "m", as: Int64?.self)
                guard let latest else { continue }
                guard let mark = marks[place], latest <= mark.through, mark.at - mark.through > Self.refreshOverlap else { return true }
            }
            return false
        }
        guard needed else { return }
        let readWholeHistory: Bool = try await engine.write { db in
            var marks: [String: Int64] = [:]
            for row in try await db.raw("SELECT place_id, recorded_through FROM org_presence_marks WHERE org_id = \(bind: orgId)").all() {
                marks[try row.decode(column: "place_id", as: String.self)] = try row.decode(column: "recorded_through", as: Int64.self)
            }
            let current = Set(places)
            if !Set(marks.keys).isSubset(of: current) { try await Self.rosterChanged(org: orgId, db: db) }
            for gone in marks.keys where !current.contains(gone) {
                try await db.raw("DELETE FROM org_presence WHERE org_id = \(bind: orgId) AND place_id = \(bind: gone)").run()
                try await db.raw("DELETE FROM org_presence_marks WHERE org_id = \(bind: orgId) AND place_id = \(bind: gone)").run()
            }
            for place in places {
                guard let latest = try await db.raw("SELECT MAX(recorded_at) AS m FROM checkins WHERE place_id = \(bind: place)").first()?
                    .decode(column: "m", as: Int64?.self) else { continue }
                let from = marks[place].map { $0 - Self.refreshOverlap } ?? Int64.min
                try await db.raw("""
                    INSERT INTO org_presence (org_id, day, kind, value, place_id)
                    SELECT DISTINCT CAST(\(bind: orgId) AS TEXT), (c.scanned_at + \(unsafeRaw: String(LocalTime.offsetSeconds))) / 86400, i.kind, i.value, c.place_id
                    FROM checkins c JOIN person_identifiers i ON i.person_id = c.person_id
                    WHERE c.place_id = \(bind: place) AND c.recorded_at >= \(bind: from) AND i.kind IN ('cccd', 'bhyt', 'phone')
                    ON CONFLICT DO NOTHING
                    """).run()
                try await db.raw("""
                    INSERT INTO org_presence (org_id, day, kind, value, place_id)
                    SELECT DISTINCT CAST(\(bind: orgId) AS TEXT), (c.scanned_at + \(unsafeRaw: String(LocalTime.offsetSeconds))) / 86400, CAST('phone' AS TEXT), a.phone, c.place_id
                    FROM checkins c JOIN people pe ON pe.id = c.person_id JOIN accounts a ON a.id = pe.account_id
                    WHERE c.place_id = \(bind: place) AND c.recorded_at >= \(bind: from)
                    ON CONFLICT DO NOTHING
                    """).run()
                try await db.raw("""
                    INSERT INTO org_presence_marks (org_id, place_id, recorded_through, refreshed_at) VALUES (\(bind: orgId), \(bind: place), \(bind: latest), \(bind: now))
                    ON CONFLICT (org_id, place_id) DO UPDATE SET recorded_through = excluded.recorded_through, refreshed_at = excluded.refreshed_at
                    """).run()
            }
            return places.contains { marks[$0] == nil }
        }
        if readWholeHistory, engine.kind == .postgres {
            // A place's first refresh can add its whole history at once. Planned with statistics
            // from before (or none), PostgreSQL takes the day's presence for a handful of rows and
            // runs the coverage anti-joins as nested loops: minutes instead of milliseconds.
            try await engine.write { db in try await db.raw("ANALYZE org_presence").run() }
        }
    }

    /// "Nobody saw this employee on `day`": none of their numbers is in `org_presence`. Three
    /// NOT EXISTS rather than NOT (… OR …): SQLite runs them the same way (a primary-key probe per
    /// number, stopping at the first hit; a NULL number matches nothing), while PostgreSQL can turn
    /// each into a hash anti-join instead of re-running a hashed subplan for every roster row.
    static func unseen(org: String, day: Int64, alias r: String) -> SQLQueryString {
        """
        NOT EXISTS (SELECT 1 FROM org_presence p WHERE p.org_id = \(bind: org) AND p.day = \(bind: day) AND p.kind = 'cccd' AND p.value = \(unsafeRaw: r).cccd)
        AND NOT EXISTS (SELECT 1 FROM org_presence p WHERE p.org_id = \(bind: org) AND p.day = \(bind: day) AND p.kind = 'phone' AND p.value = \(unsafeRaw: r).phone)
        AND NOT EXISTS (SELECT 1 FROM org_presence p WHERE p.org_id = \(bind: org) AND p.day = \(bind: day) AND p.kind = 'bhyt' AND p.value = \(unsafeRaw: r).bhyt)
        """
    }

    public struct DepartmentCount: Sendable, Equatable {
        public let department: String
        public let total: Int
        public let present: Int
        package init(department: String, total: Int, present: Int) {
            self.department = department; self.total = total; self.present = present
        }
    }

    public struct Coverage: Sendable {
        public let departments: [DepartmentCount]
        public let missing: [Employee]
        public var total: Int { departments.reduce(0) { $0 + $1.total } }
        public var present: Int { departments.reduce(0) { $0 + $1.present } }
    }

    /// Coverage as every view shows it: presence brought up to date with the check-ins recorded so
    /// far, then counted. The benchmark times this call.
    public func currentCoverage(org: UUID, day: LocalDate, withMissing: Bool, now: Int64) async throws -> Coverage {
        try await refreshPresence(org: org, now: now)
        return try await coverage(org: org, day: day, withMissing: withMissing)
    }

    public func refreshPresence(org: UUID, now: Int64) async throws {
        try await refreshPresence(org: org, places: try await coveragePlaceIds(of: org), now: now)
    }

    /// Marks, in the writing transaction, a change that can add employees to a missing list: any
    /// roster write, or a place leaving the organisation (its presence is deleted). Everything
    /// else only adds presence, which can only shorten the lists; see `coverage`.
    static func rosterChanged(org: String, db: any SQLDatabase) async throws {
        try await db.raw("UPDATE orgs SET coverage_version = coverage_version + 1 WHERE id = \(bind: org)").run()
    }

    /// Above this many employees missing, the previous answer is not used to narrow the next one:
    /// re-checking them costs about as much as the full pass, and the list of their ids must fit
    /// PostgreSQL's 65,535 bound parameters.
    static let maxCandidates = 10_000

    /// Coverage of one local day (call `refreshPresence` first).
    ///
    /// In full, the missing list costs one or two index probes into `org_presence` per employee
    /// (30,000 for a large roster). But presence only grows, so as long as neither the roster nor
    /// the organisation's places changed (`orgs.coverage_version`), the employees missing now are
    /// among those missing in the previous answer for the same day: the memo keeps those ids with
    /// the version they were computed at, and the next call re-checks only them, in one statement
    /// that reads the version too, so a concurrent roster change is never mixed with older ids.
    /// When the version moved, or nothing is remembered, the full pass runs and is remembered.
    public func coverage(org: UUID, day: LocalDate, withMissing: Bool = true) async throws -> Coverage {
        if let last = memo.entry(org: org, day: day), last.missing.count <= Self.maxCandidates,
           let coverage = try await recheck(last, org: org, day: day, withMissing: withMissing) {
            return coverage
        }
        // Totals and missing list come from two statements; a roster write between them shows as
        // two versions, and the pass is run again rather than answer with a mixture.
        var result: (coverage: Coverage, consistent: Bool)
        var attempts = 0
        repeat {
            result = try await fullCoverage(org: org, day: day, withMissing: withMissing)
            attempts += 1
        } while !result.consistent && attempts < 3
        return result.coverage
    }

    /// The employees of the previous answer still unseen, or nil when the version moved.
    func recheck(_ last: CoverageMemo.Entry, org: UUID, day: LocalDate, withMissing: Bool) async throws -> Coverage? {
        try await engine.read { db in
            let orgId = org.uuidString
            var found = MissingRows()
            if last.missing.isEmpty {
                if let version = try await db.raw("SELECT coverage_version FROM orgs WHERE id = \(bind: orgId)").first()?
                    .decode(column: "coverage_version", as: Int64.self) { found.versions.insert(version) }
            } else {
                // No `e.org_id = o.id`: SQLite would then scan the organisation's roster instead of
                // looking the ids up. They are the organisation's: the version says its roster is
                // the one they were taken from.
                let columns: SQLQueryString = withMissing ? "e.*" : "e.id, e.department"
                let head: SQLQueryString = "SELECT o.coverage_version, \(columns) FROM orgs o LEFT JOIN roster_entries e ON e.id IN (\(binds: last.missing)) AND "
                let tail: SQLQueryString = " WHERE o.id = \(bind: orgId) ORDER BY e.department, e.full_name, e.id"
                try found.read(try await db.raw(head + Self.unseen(org: orgId, day: day.dayNumber, alias: "e") + tail).all(), withMissing: withMissing)
            }
            guard found.versions == [last.version] else { return nil }
            memo.store(.init(version: last.version, totals: last.totals, missing: found.ids), org: org, day: day)
            return found.coverage(totals: last.totals)
        }
    }

    /// One query counts each department, one lists the employees nobody saw (probing from the
    /// covering index `roster_entries_match`; table rows are read only for them). Both read the
    /// version, to tell whether they saw the same roster.
    func fullCoverage(org: UUID, day: LocalDate, withMissing: Bool) async throws -> (coverage: Coverage, consistent: Bool) {
        try await engine.read { db in
            let orgId = org.uuidString
            var versions = Set<Int64>()
            let totals = try await db.raw("""
                SELECT department, COUNT(*) AS n, (SELECT coverage_version FROM orgs WHERE id = \(bind: orgId)) AS coverage_version
                FROM roster_entries WHERE org_id = \(bind: orgId) GROUP BY department ORDER BY department
                """).all().map { row in
                    versions.insert(try row.decode(column: "coverage_version", as: Int64.self))
                    return (department: try row.decode(column: "department", as: String.self), total: try row.decode(column: "n", as: Int.self))
                }
            let columns: SQLQueryString = withMissing ? "e.*" : "e.id, e.department"
            let head: SQLQueryString = "SELECT o.coverage_version, \(columns) FROM orgs o LEFT JOIN roster_entries e ON e.id IN (SELECT r.id FROM roster_entries r WHERE r.org_id = \(bind: orgId) AND "
            let tail: SQLQueryString = ") WHERE o.id = \(bind: orgId) ORDER BY e.department, e.full_name, e.id"
            var found = MissingRows()
            found.versions = versions
            try found.read(try await db.raw(head + Self.unseen(org: orgId, day: day.dayNumber, alias: "r") + tail).all(), withMissing: withMissing)
            let coverage = found.coverage(totals: totals)
            guard found.versions.count == 1, let version = found.versions.first else { return (coverage, false) }
            if found.ids.count <= Self.maxCandidates {
                memo.store(.init(version: version, totals: totals, missing: found.ids), org: org, day: day)
            }
            return (coverage, true)
        }
    }

    /// What a missing-list statement returned: `coverage_version` on every row, then the columns of
    /// one missing employee (all NULL on the one row of an empty list).
    struct MissingRows {
        var versions = Set<Int64>()
        var ids: [String] = []
        var employees: [Employee] = []
        var byDepartment: [String: Int] = [:]

        mutating func read(_ rows: [any SQLRow], withMissing: Bool) throws {
            for row in rows {
                versions.insert(try row.decode(column: "coverage_version", as: Int64.self))
                guard let id = try row.decode(column: "id", as: String?.self) else { continue }
                ids.append(id)
                let department: String
                if withMissing {
                    let employee = try OrgStore.employee(from: row)
                    employees.append(employee)
                    department = employee.department
                } else {
                    department = try row.decode(column: "department", as: String.self)
                }
                byDepartment[department, default: 0] += 1
            }
        }

        func coverage(totals: [(department: String, total: Int)]) -> Coverage {
            Coverage(departments: totals.map { DepartmentCount(department: $0.department, total: $0.total, present: $0.total - (byDepartment[$0.department] ?? 0)) },
                     missing: employees)
        }
    }

    /// Present employees per local day over a range of days, in one query (for the 30-day chart).
    public func presentByDay(org: UUID, days: ClosedRange<LocalDate>) async throws -> [LocalDate: Int] {
        try await engine.read { db in
            let orgId = org.uuidString
            var parts: [SQLQueryString] = []
            for (kind, column) in [("cccd", "cccd"), ("bhyt", "bhyt"), ("phone", "phone")] {
                parts.append("""
                    SELECT p.day, r.id FROM org_presence p JOIN roster_entries r ON r.org_id = p.org_id AND r.\(unsafeRaw: column) = p.value
                    WHERE p.org_id = \(bind: orgId) AND p.kind = \(bind: kind) AND p.day >= \(bind: days.lowerBound.dayNumber) AND p.day <= \(bind: days.upperBound.dayNumber)
                    """)
            }
            let query = SQLQueryString("SELECT day, COUNT(*) AS n FROM (") + parts[0] + SQLQueryString(" UNION ") + parts[1]
                + SQLQueryString(" UNION ") + parts[2] + SQLQueryString(") hits GROUP BY day")
            var counts: [LocalDate: Int] = [:]
            for row in try await db.raw(query).all() {
                counts[LocalDate(dayNumber: try row.decode(column: "day", as: Int64.self))] = try row.decode(column: "n", as: Int.self)
            }
            return counts
        }
    }

    // MARK: Buses

    public struct Ride: Sendable {
        public let personId: String
        public let fullName: String
        public let direction: String
        public let scannedAt: Int64
        /// The roster entry the rider matched, if any.
        public let employee: Employee?
    }

    /// A bus's scans in [from, to), each with the rider's roster entry when one matches.
    public func rides(org: UUID, place: UUID, from: Int64, to: Int64) async throws -> [Ride] {
        try await engine.read { db in
            let scans = try await db.raw("""
                SELECT c.person_id, c.direction, c.scanned_at, p.full_name FROM checkins c JOIN people p ON p.id = c.person_id
                WHERE c.place_id = \(bind: place.uuidString) AND c.scanned_at >= \(bind: from) AND c.scanned_at < \(bind: to)
                ORDER BY c.scanned_at, c.id
                """).all()
            var query: SQLQueryString = """
                WITH day AS (SELECT DISTINCT person_id FROM checkins WHERE place_id = \(bind: place.uuidString)
                    AND scanned_at >= \(bind: from) AND scanned_at < \(bind: to)),
                seen(person_id, kind, value) AS (
                    SELECT day.person_id, i.kind, i.value FROM day JOIN person_identifiers i ON i.person_id = day.person_id
                    WHERE i.kind IN ('cccd', 'bhyt', 'phone')
                    UNION ALL SELECT day.person_id, 'phone', a.phone FROM day JOIN people pe ON pe.id = day.person_id JOIN accounts a ON a.id = pe.account_id)
                SELECT s.person_id, r.* FROM seen s JOIN roster_entries r ON r.org_id = \(bind: org.uuidString)
                    AND ((s.kind = 'cccd' AND r.cccd = s.value) OR (s.kind = 'bhyt' AND r.bhyt = s.value) OR (s.kind = 'phone' AND r.phone = s.value))
                """
            query.appendLiteral(" ORDER BY s.person_id, r.id")
            var matched: [String: Employee] = [:]
            for row in try await db.raw(query).all() {
                let person = try row.decode(column: "person_id", as: String.self)
                if matched[person] == nil { matched[person] = try Self.employee(from: row) }
            }
            return try scans.map { row in
                let person = try row.decode(column: "person_id", as: String.self)
                return Ride(personId: person, fullName: try row.decode(column: "full_name", as: String.self),
                            direction: try row.decode(column: "direction", as: String.self),
                            scannedAt: try row.decode(column: "scanned_at", as: Int64.self), employee: matched[person])
            }
        }
    }

    // MARK: Rows

    static func org(from row: any SQLRow) throws -> Org {
        let text = try row.decode(column: "id", as: String.self)
        guard let id = UUID(uuidString: text) else { throw DatabaseError.corruptRow("org id \(text)") }
        return Org(id: id, name: try row.decode(column: "name", as: String.self),
                   tripGapMinutes: try row.decode(column: "trip_gap_minutes", as: Int.self), createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    static func employee(from row: any SQLRow) throws -> Employee {
        let text = try row.decode(column: "id", as: String.self)
        guard let id = UUID(uuidString: text) else { throw DatabaseError.corruptRow("roster id \(text)") }
        return Employee(id: id, employeeNumber: try row.decode(column: "employee_number", as: String.self),
                        fullName: try row.decode(column: "full_name", as: String.self),
                        phone: try row.decode(column: "phone", as: String?.self).flatMap(PhoneNumber.init),
                        cccd: try row.decode(column: "cccd", as: String?.self), bhyt: try row.decode(column: "bhyt", as: String?.self),
                        department: try row.decode(column: "department", as: String.self))
    }
}

/// The last coverage answer per organisation and day: the version of the roster and places it was
/// computed at, the department totals and the ids of the employees then missing (`OrgStore.coverage`).
public final class CoverageMemo: Sendable {
    struct Entry: Sendable {
        let version: Int64
        let totals: [(department: String, total: Int)]
        let missing: [String]
    }

    struct Key: Hashable {
        let org: UUID
        let day: Int64
    }

    /// Organisation-days remembered; beyond, the least recently stored is dropped.
    static let capacity = 64
    private let entries = Mutex<(byKey: [Key: (entry: Entry, stamp: Int)], clock: Int)>(([:], 0))

    public init() {}

    func entry(org: UUID, day: LocalDate) -> Entry? {
        entries.withLock { $0.byKey[Key(org: org, day: day.dayNumber)]?.entry }
    }

    func store(_ entry: Entry, org: UUID, day: LocalDate) {
        entries.withLock { state in
            state.clock += 1
            state.byKey[Key(org: org, day: day.dayNumber)] = (entry, state.clock)
            if state.byKey.count > Self.capacity, let oldest = state.byKey.min(by: { $0.value.stamp < $1.value.stamp })?.key {
                state.byKey[oldest] = nil
            }
        }
    }
}
