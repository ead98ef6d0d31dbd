import Foundation
import RavaoCore
import RavaoStore
import SQLKit

/// The workload of E2's speed target (issue 7): a company with a 30,000-person roster and a day of
/// 100,000 check-ins. Used by `ravao-bench bench-coverage`. It
/// writes rows the way the store reads them, through the store's `package` helpers.
///
/// The company has a gate, three workshops nested under it (reached only through the gate) and
/// twelve buses added directly. Employee `i` is in department `i % 40`; one in ten people is known by
/// phone, the others by CCCD, so both match paths are exercised. Everyone with `i % 25 != 0` comes
/// (28,800 people, each at least once); 5,000 further check-ins happen at a place outside the
/// company, so the coverage query cannot get away with reading the whole day.
public struct CoverageWorkload: Sendable {
    public static let name = "Coverage benchmark"
    public let org: UUID
    public let owner: UUID
    public let day: LocalDate
    /// The company's places: gate, workshops, buses.
    public let places: [UUID]
    public let employees: Int

    public static func isPresent(_ i: Int) -> Bool { i % 25 != 0 }
    public static func department(_ i: Int) -> String { "Dept \(i % 40)" }
    public static func employeeNumber(_ i: Int) -> String { "E\(i)" }
    public static func cccd(_ i: Int) -> String { String(format: "0790%08d", i) }
    public static func phone(_ i: Int) -> String { String(format: "+8491%07d", i) }

    /// Department totals and present counts the seeding implies, to check every answer against.
    public var expectedDepartments: [OrgStore.DepartmentCount] {
        var totals: [String: (Int, Int)] = [:]
        for i in 0..<employees {
            let present = Self.isPresent(i) ? 1 : 0
            totals[Self.department(i), default: (0, 0)].0 += 1
            totals[Self.department(i), default: (0, 0)].1 += present
        }
        return totals.keys.sorted().map { OrgStore.DepartmentCount(department: $0, total: totals[$0]!.0, present: totals[$0]!.1) }
    }

    /// The employee numbers nobody saw.
    public var expectedMissingNumbers: Set<String> {
        Set((0..<employees).filter { !Self.isPresent($0) }.map(Self.employeeNumber))
    }

    /// The workload already in this database, if an earlier run seeded it.
    public static func existing(store: Store) async throws -> CoverageWorkload? {
        try await store.engine.read { db in
            guard let row = try await db.raw("SELECT id, created_by, created_at FROM orgs WHERE name = \(bind: name) ORDER BY created_at LIMIT 1").first() else {
                return nil
            }
            let org = try row.decode(column: "id", as: String.self)
            let places = try await db.raw(OrgStore.treeCTE(UUID(uuidString: org)!) + SQLQueryString(" SELECT id FROM tree ORDER BY id")).all()
                .compactMap { UUID(uuidString: try $0.decode(column: "id", as: String.self)) }
            let employees = try await db.raw("SELECT COUNT(*) AS n FROM roster_entries WHERE org_id = \(bind: org)").first()!.decode(column: "n", as: Int.self)
            return CoverageWorkload(org: UUID(uuidString: org)!, owner: UUID(uuidString: try row.decode(column: "created_by", as: String.self))!,
                                    day: LocalDate(containing: try row.decode(column: "created_at", as: Int64.self)).adding(days: -1),
                                    places: places, employees: employees)
        }
    }

    /// Seeds the company, owned by `ownerPhone`, with check-ins on the local day before `now`.
    public static func seed(store: Store, ownerPhone: PhoneNumber, employees: Int = 30_000, checkIns: Int = 100_000,
                            elsewhere: Int = 5_000, now: Int64) async throws -> CoverageWorkload {
        let owner = try await store.accounts.findOrCreate(phone: ownerPhone, language: .vi, now: now)
        let org = try await store.orgs.create(name: name, owner: owner, now: now)
        func place(_ name: String, type: String, parent: UUID? = nil, plate: String? = nil) async throws -> UUID {
            let id = UUID()
            let place = Place(id: id, code: String(id.uuidString.replacingOccurrences(of: "-", with: "").prefix(12)), name: name, type: type,
                              unitsScheme: .y2025, wardCode: "00000", districtCode: nil, provinceCode: "00", address: "Benchmark",
                              parentId: parent, plate: plate, defaultStayMinutes: 60, registrantName: "Benchmark", registrantPhone: ownerPhone,
                              createdBy: owner.id, createdAt: now, updatedAt: now, deletedAt: nil)
            try await store.places.create(place, searchText: name.lowercased(), owner: owner.id)
            return id
        }
        let gate = try await place("Gate", type: "factory")
        try await store.orgs.addPlace(org: org.id, place: gate, by: owner.id, now: now)
        var places = [gate]
        for i in 0..<3 { places.append(try await place("Workshop \(i)", type: "workshop", parent: gate)) }
        for i in 0..<12 {
            // A random plate, so a second workload in the same database does not clash with the first.
            let bus = try await place("Bus \(i)", type: "vehicle", plate: String(format: "98C-%03d.%02d", Int.random(in: 0..<1000), i))
            try await store.orgs.addPlace(org: org.id, place: bus, by: owner.id, now: now)
            places.append(bus)
        }
        let other = try await place("Elsewhere", type: "restaurant")

        let day = LocalDate(containing: now).adding(days: -1)
        let orgId = org.id.uuidString
        let placeIds = places.map(\.uuidString)
        try await store.engine.write { db in
            var rng = SystemRandomNumberGenerator()
            let people = (0..<employees).map { i in (id: UUID().uuidString, i: i) }
            for chunk in people.chunks(of: 400) {
                try await db.raw(CheckInWriter.values("INSERT INTO people (id, full_name, verified, created_at) VALUES ", chunk) { p in
                    "(\(bind: p.id), \(bind: "Worker \(p.i)"), 0, \(bind: now))"
                }).run()
                try await db.raw(CheckInWriter.values("INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ", chunk) { p in
                    p.i % 10 == 0 ? "('phone', \(bind: phone(p.i)), \(bind: p.id), \(bind: now))" : "('cccd', \(bind: cccd(p.i)), \(bind: p.id), \(bind: now))"
                }).run()
                try await db.raw(CheckInWriter.values("""
                    INSERT INTO roster_entries (id, org_id, employee_number, full_name, phone, cccd, bhyt, department, created_at, updated_at) VALUES 
                    """, chunk) { p in
                    "(\(bind: UUID().uuidString), \(bind: orgId), \(bind: employeeNumber(p.i)), \(bind: "Worker \(p.i)"), \(bind: phone(p.i)), \(bind: cccd(p.i)), NULL, \(bind: department(p.i)), \(bind: now), \(bind: now))"
                }).run()
            }
            let attending = people.filter { isPresent($0.i) }
            func at() -> Int64 { day.start + Int64.random(in: 0..<86_400, using: &rng) }
            var rows: [(person: String, place: String, at: Int64)] = []
            rows.reserveCapacity(checkIns)
            for p in attending { rows.append((p.id, placeIds.randomElement(using: &rng)!, at())) }
            while rows.count < checkIns - elsewhere {
                rows.append((attending.randomElement(using: &rng)!.id, placeIds.randomElement(using: &rng)!, at()))
            }
            while rows.count < checkIns { rows.append((people.randomElement(using: &rng)!.id, other.uuidString, at())) }
            for chunk in rows.chunks(of: 400) {
                try await db.raw(insertCheckIns(chunk)).run()
            }
        }
        if store.engine.kind == .postgres {
            // Autovacuum would gather the new tables' statistics within a minute or so; the
            // benchmark does not wait. (org_presence is analysed by its first refresh.)
            try await store.engine.write { db in try await db.raw("ANALYZE people, person_identifiers, roster_entries, checkins, places, org_places").run() }
        }
        return CoverageWorkload(org: org.id, owner: owner.id, day: day, places: places, employees: employees)
    }

    /// Check-ins arriving now for the workload's day by people who already came, as late uploads
    /// or second scans do: they leave the answer unchanged but make the next coverage call refresh.
    public func addLateCheckIns(store: Store, count: Int, now: Int64) async throws {
        let orgId = org.uuidString
        let placeIds = places.map(\.uuidString)
        try await store.engine.write { db in
            let people = try await db.raw("""
                SELECT i.person_id FROM roster_entries r JOIN person_identifiers i ON i.kind = 'cccd' AND i.value = r.cccd
                WHERE r.org_id = \(bind: orgId) AND r.employee_number IN (\(binds: (0..<count).map { Self.employeeNumber($0 * 25 + 1) }))
                """).all().map { try $0.decode(column: "person_id", as: String.self) }
            var rng = SystemRandomNumberGenerator()
            let rows = people.map { (person: $0, place: placeIds.randomElement(using: &rng)!, at: day.start + Int64.random(in: 0..<86_400, using: &rng)) }
            guard !rows.isEmpty else { return }
            try await db.raw(Self.insertCheckIns(rows[...], recordedAt: now)).run()
        }
    }

    static func insertCheckIns(_ rows: ArraySlice<(person: String, place: String, at: Int64)>, recordedAt: Int64? = nil) -> SQLQueryString {
        CheckInWriter.values("""
            INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload) VALUES 
            """, rows) { r in
            "(\(bind: UUID().uuidString), \(bind: UUID().uuidString), \(bind: r.place), \(bind: r.person), 'in', 'cccd', \(bind: r.at), \(bind: recordedAt ?? r.at), NULL, NULL, '')"
        }
    }
}
