import Foundation
import RavaoCore
@testable import RavaoServer
@testable import RavaoStore
import RavaoTestSupport
import SQLKit
import Testing

/// The dashboard's unit rollups (distinct people and active places from day tallies) against a count
/// made in Swift from the check-ins themselves, on both engines: random check-ins over 150 days,
/// written through the real check-in writer in batches that are sometimes out of time order (an
/// offline kiosk's queue) and sometimes hold the same person on several days; then the migration's
/// backfill, run again on the same check-ins, must rebuild the very same rollups.
@Suite("Dashboard rollups") struct DashboardRollupTests {
    struct Place { let id: UUID; let scheme: String; let ward: String; let district: String?; let province: String }
    struct Scan { let place: Int; let person: Int; let at: Int64 }

    @Test(arguments: TestEngine.available)
    func rollupsMatchCountsFromCheckIns(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            var rng = SplitMix(seed: 8080)
            let now = app.time.seconds()
            let today = DashboardStore.day(now)
            let firstDay = today - 149
            let places = try await makePlaces(app, rng: &rng, createdAt: now - 200 * 86_400)

            // 120 people, 900 scans; days cluster so that chains have gaps both shorter and longer than
            // the 92-day lookback.
            var scans: [Scan] = []
            for _ in 0..<900 {
                let person = Int(rng.below(120))
                let day = firstDay + (person % 3 == 0 ? rng.below(150) : rng.below(20) + (person % 2 == 0 ? 0 : 125))
                scans.append(Scan(place: Int(rng.below(Int64(places.count))), person: person, at: (day * 86_400 - LocalTime.offsetSeconds) + 6 * 3600 + rng.below(15 * 3600)))
            }
            scans.sort { $0.at < $1.at }
            // Batches: mostly in order; one in five holds scans taken from anywhere in the remaining queue.
            for batch in rng.batches(scans, maxSize: 30, outOfOrderOneIn: 5) {
                let checkIns = batch.map { scan in
                    CheckInStore.NewCheckIn(clientId: UUID(), placeId: places[scan.place].id, direction: .in, kind: .phone, scannedAt: scan.at, recordedAt: now,
                                            scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: Self.phone(scan.person))], fullName: nil)
                }
                _ = try await app.store.engine.write { db in try await CheckInWriter.write(checkIns, db: db) }
                // Half the batches are projected at once, on their own: a pass then meets chains whose
                // later days are already stored (an out-of-order batch) as well as chains it extends.
                if rng.below(2) == 0 { try await app.store.projector.pass() }
            }

            // Every unit, at every level, over ranges of 1 to 92 days, and one of 120 (counted from the place rollups).
            var units: [(Jurisdiction, String, childColumn: String?)] = [(.country, "2025", "province_code")]
            for p in places {
                units.append((Jurisdiction(scope: .province, code: p.province), p.scheme, p.district == nil ? "ward_code" : "district_code"))
                units.append((Jurisdiction(scope: .ward, code: p.ward), p.scheme, nil))
                if let d = p.district { units.append((Jurisdiction(scope: .district, code: d), p.scheme, "ward_code")) }
            }
            units.append((.country, "2021", "province_code"))
            var distinct = Set<String>()
            units = units.filter { distinct.insert("\($0.1) \($0.0.scope) \($0.0.code)").inserted }
            var checked = 0
            for round in 0..<40 {
                let length = round == 0 ? 92 : round == 1 ? 1 : round == 2 ? 120 : rng.below(92) + 1
                let from = firstDay - 5 + rng.below(150 - length + 10), to = from + length - 1
                for (jurisdiction, schemeCode, childColumn) in units where round % 4 == 0 || jurisdiction.scope != .ward {
                    let scheme = UnitScheme(rawValue: schemeCode)!
                    let inUnit = places.indices.filter { places[$0].scheme == schemeCode && jurisdiction.contains(wardCode: places[$0].ward, districtCode: places[$0].district, provinceCode: places[$0].province) }
                    let childOf: (Int) -> String? = { i in
                        switch childColumn { case "province_code": places[i].province; case "district_code": places[i].district; case "ward_code": places[i].ward; default: nil }
                    }
                    let childCodes = Array(Set(inUnit.compactMap(childOf))).sorted()
                    let got = try await app.store.dashboard.stats(jurisdiction, scheme: scheme, childColumn: childColumn, childCodes: childCodes, fromDay: from, toDay: to, type: nil)
                    let label = "\(engine) \(schemeCode) \(jurisdiction.code) days \(from - firstDay)…\(to - firstDay)"

                    let seen = scans.filter { inUnit.contains($0.place) && (from...to).contains(DashboardStore.day($0.at)) }
                    #expect(got.total.places == inUnit.count, "\(label): places")
                    #expect(got.total.scans == seen.count, "\(label): scans")
                    #expect(got.total.people == Set(seen.map(\.person)).count, "\(label): people")
                    #expect(got.total.activePlaces == Set(seen.map(\.place)).count, "\(label): active places")
                    for day in got.days {
                        let that = seen.filter { DashboardStore.day($0.at) == day.day }
                        #expect(day.scans == that.count && day.people == Set(that.map(\.person)).count && day.activePlaces == Set(that.map(\.place)).count,
                                "\(label): day \(day.day - firstDay)")
                    }
                    for child in childCodes {
                        let theirs = seen.filter { childOf($0.place) == child }
                        let c = got.children[child] ?? DashboardStore.Counts()
                        #expect(c.scans == theirs.count && c.people == Set(theirs.map(\.person)).count && c.activePlaces == Set(theirs.map(\.place)).count,
                                "\(label): child \(child)")
                    }
                    // The place-joined path (the one a type filter takes) agrees as well.
                    let reference = try await app.store.dashboard.statsFromPlaces(jurisdiction, scheme: scheme, childColumn: childColumn, fromDay: from, toDay: to, type: nil)
                    #expect(reference.total == got.total && reference.days == got.days, "\(label): place rollups")
                    checked += 1
                }
            }
            #expect(checked >= 200)
            #expect(scans.contains { DashboardStore.day($0.at) < firstDay + 20 } && scans.contains { DashboardStore.day($0.at) > firstDay + 125 })

            // The migration's backfill (`ravao rebuild-rollups`), from the per-place rollups, gives the same tables.
            let incremental = try await rollupRows(app)
            #expect(incremental.people.count > 500 && incremental.tallies.count > 200)
            try await app.store.dashboard.rebuildUnitRollups()
            let rebuilt = try await rollupRows(app)
            #expect(rebuilt.days == incremental.days)
            #expect(rebuilt.people == incremental.people)
            #expect(rebuilt.tallies == incremental.tallies)
        }
    }

    /// A projector skips the keys it has seen stored (`KnownRollupKeys`), and forgets them when a
    /// rebuild recounts: a place moved to another ward takes its visitors' keys out of the old ward,
    /// and a later visit there must add them back.
    @Test(arguments: TestEngine.available)
    func knownKeysAreSkippedAndForgottenAfterARebuild(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            var rng = SplitMix(seed: 4242)
            let now = app.time.seconds()
            let today = DashboardStore.day(now)
            let places = try await makePlaces(app, rng: &rng, createdAt: now - 86_400)
            // Places 0 and 1 share a ward; place 3 is in the province's other ward.
            let (a, b) = (places[0], places[1])
            #expect(a.ward == b.ward && places[3].ward != a.ward && places[3].province == a.province)
            func scan(_ place: Place, _ person: Int, at: Int64) async throws {
                let checkIn = CheckInStore.NewCheckIn(clientId: UUID(), placeId: place.id, direction: .in, kind: .phone, scannedAt: at, recordedAt: at,
                                                      scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: Self.phone(person))], fullName: nil)
                _ = try await app.store.engine.write { db in try await CheckInWriter.write([checkIn], db: db) }
                try await app.store.projector.pass()
            }
            func people(_ ward: String) async throws -> Int {
                try await app.store.dashboard.stats(Jurisdiction(scope: .ward, code: ward), scheme: .y2025, childColumn: nil, childCodes: [],
                                                    fromDay: today, toDay: today, type: nil).total.people
            }
            let projector = app.store.projector
            try await scan(b, 1, at: now - 600)
            #expect(projector.known.hits == 0)
            try await scan(b, 1, at: now - 500)
            // Three chain keys (ward, province, country) and the visit, all known.
            #expect(projector.known.hits == 4)
            #expect(try await people(a.ward) == 1)

            // Place b moves to the other ward; the recount takes person 1 out of the first one.
            try await app.store.engine.write { db in
                try await db.raw("UPDATE places SET ward_code = \(bind: places[3].ward) WHERE id = \(bind: b.id.uuidString)").run()
            }
            try await app.store.dashboard.rebuildUnitRollups()
            #expect(try await people(a.ward) == 0)
            #expect(try await people(places[3].ward) == 1)

            // Seen at place a, person 1 is again in the first ward's count.
            try await scan(a, 1, at: now - 400)
            #expect(try await people(a.ward) == 1)
            let incremental = try await rollupRows(app)
            try await app.store.dashboard.rebuildUnitRollups()
            #expect(try await rollupRows(app) == incremental)
        }
    }

    /// People the check-in writer creates are listed in `unprojected_people` until the pass that first
    /// counts them, which looks up none of their chains; a later pass finds their stored days again.
    @Test(arguments: TestEngine.available)
    func newPeopleAreMarkedUntilTheirFirstPass(engine: TestEngine) async throws {
        try await withApp(engine, configure: CheckInProjectorTests.noBackgroundPasses) { app in
            var rng = SplitMix(seed: 77)
            let now = app.time.seconds()
            let places = try await makePlaces(app, rng: &rng, createdAt: now - 10 * 86_400)
            func write(_ person: Int, at: Int64) async throws -> UUID {
                let checkIn = CheckInStore.NewCheckIn(clientId: UUID(), placeId: places[0].id, direction: .in, kind: .phone, scannedAt: at, recordedAt: now,
                                                      scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: Self.phone(person))], fullName: nil)
                let outcome = try await app.store.engine.write { db in try await CheckInWriter.write([checkIn], db: db) }
                if case .recorded(let recorded) = outcome[0] { return recorded.personId }
                Issue.record("not recorded: \(outcome)")
                return UUID()
            }
            func marked(_ person: UUID) async throws -> Int {
                try await app.store.engine.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM unprojected_people WHERE person_id = \(bind: person.uuidString)").first()!.decode(column: "n", as: Int.self)
                }
            }
            // Two days of a new person in one pass, the later one first (an offline queue).
            let morning = DashboardStore.day(now) * 86_400 - LocalTime.offsetSeconds + 3600
            let person = try await write(1, at: morning)
            #expect(try await write(1, at: morning - 2 * 86_400) == person)
            #expect(try await marked(person) == 1)
            try await app.store.projector.pass()
            #expect(try await marked(person) == 0)
            // A day in between, in a later pass: its chain is looked up again and the next day's
            // previous day moves onto it.
            #expect(try await write(1, at: morning - 86_400) == person)
            try await app.store.projector.pass()
            let incremental = try await rollupRows(app)
            #expect(incremental.people.count == 9)
            try await app.store.dashboard.rebuildUnitRollups()
            #expect(try await rollupRows(app) == incremental)
        }
    }

    /// A merge or a phone's change of owner (`CheckInStore.moveCheckIns`) moves check-ins to another
    /// person: their visits and days must count under that person, and the old one keep only what its
    /// remaining check-ins make, or a citizen seen under both records on a day counts twice. Moves of
    /// all check-ins and of one kind, onto people already counted and onto one no pass has counted yet;
    /// the rollups must then equal a count from the check-ins themselves.
    @Test(arguments: TestEngine.available)
    func movedCheckInsAreCountedUnderTheirNewPerson(engine: TestEngine) async throws {
        try await withApp(engine, configure: CheckInProjectorTests.noBackgroundPasses) { app in
            var rng = SplitMix(seed: 2021)
            let now = app.time.seconds()
            let today = DashboardStore.day(now)
            let places = try await makePlaces(app, rng: &rng, createdAt: now - 20 * 86_400).filter { $0.scheme == "2025" }
            var ids: [Int: UUID] = [:]
            func write(_ scans: [(place: Int, person: Int, at: Int64, kind: PayloadKind)]) async throws {
                let checkIns = scans.map { scan in
                    CheckInStore.NewCheckIn(clientId: UUID(), placeId: places[scan.place].id, direction: .in, kind: scan.kind, scannedAt: scan.at, recordedAt: now,
                                            scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: Self.phone(scan.person))], fullName: nil)
                }
                let outcomes = try await app.store.engine.write { db in try await CheckInWriter.write(checkIns, db: db) }
                for (scan, outcome) in zip(scans, outcomes) {
                    guard case .recorded(let recorded) = outcome else { Issue.record("not recorded: \(outcome)"); continue }
                    ids[scan.person] = recorded.personId
                }
            }
            // Twelve people over six days and the places of four wards, two kinds of check-in.
            var scans: [(place: Int, person: Int, at: Int64, kind: PayloadKind)] = []
            for _ in 0..<240 {
                let day = today - 5 + rng.below(6)
                scans.append((Int(rng.below(Int64(places.count))), Int(rng.below(12)), day * 86_400 - LocalTime.offsetSeconds + 6 * 3600 + rng.below(12 * 3600),
                               rng.below(2) == 0 ? .phone : .guest))
            }
            for batch in rng.batches(scans, maxSize: 20, outOfOrderOneIn: 4) {
                try await write(batch)
                if rng.below(2) == 0 { try await app.store.projector.pass() }
            }
            // Person 12 is written but not projected before the move onto them.
            let unprojected: [(place: Int, person: Int, at: Int64, kind: PayloadKind)] = [(0, 12, now - 3600, .phone), (places.count - 1, 12, now - 86_400, .phone)]
            try await write(unprojected)
            scans += unprojected
            let late = ids[12]!.uuidString
            let listed = try await app.store.engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM unprojected_people WHERE person_id = \(bind: late)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(listed == 1)
            for (from, to, kinds) in [(0, 1, nil), (2, 3, ["guest"]), (4, 12, nil), (5, 1, ["phone"])] as [(Int, Int, [String]?)] {
                let (a, b) = (ids[from]!.uuidString, ids[to]!.uuidString)
                let moved = try await app.store.engine.write { db in try await CheckInStore.moveCheckIns(from: a, to: b, kinds: kinds, db: db) }
                #expect(moved > 0)
                for i in scans.indices where scans[i].person == from && (kinds == nil || kinds!.contains(scans[i].kind.rawValue)) { scans[i].person = to }
            }
            try await app.store.projector.catchUp()

            // Visits and distinct people from the check-ins themselves.
            let day = "(scanned_at + \(LocalTime.offsetSeconds)) / 86400"
            let (stored, counted) = try await app.store.engine.read { db in
                (try await db.raw("SELECT place_id, day, person_id FROM place_day_people ORDER BY 1, 2, 3").all()
                    .map { "\(try $0.decode(column: "place_id", as: String.self)) \(try $0.decode(column: "day", as: Int64.self)) \(try $0.decode(column: "person_id", as: String.self))" },
                 try await db.raw("SELECT DISTINCT place_id, \(unsafeRaw: day) AS day, person_id FROM checkins ORDER BY 1, 2, 3").all()
                    .map { "\(try $0.decode(column: "place_id", as: String.self)) \(try $0.decode(column: "day", as: Int64.self)) \(try $0.decode(column: "person_id", as: String.self))" })
            }
            #expect(stored == counted)
            for unit in Set(places.map(\.province)).sorted() {
                let got = try await app.store.dashboard.stats(Jurisdiction(scope: .province, code: unit), scheme: .y2025, childColumn: nil, childCodes: [],
                                                              fromDay: today - 5, toDay: today, type: nil)
                let seen = scans.filter { places[$0.place].province == unit }
                #expect(got.total.people == Set(seen.map(\.person)).count, "\(engine) province \(unit)")
                for day in got.days {
                    #expect(day.people == Set(seen.filter { DashboardStore.day($0.at) == day.day }.map(\.person)).count, "\(engine) province \(unit) day \(day.day - today)")
                }
            }
            // The unit rollups and tallies are what a recount from those visits makes.
            let incremental = try await rollupRows(app)
            try await app.store.dashboard.rebuildUnitRollups()
            #expect(try await rollupRows(app) == incremental)
        }
    }

    static func phone(_ person: Int) -> String { "+8490\(String(format: "%07d", 1_000_000 + person))" }

    /// Twelve places over four wards of two provinces (2025 list), and four over two districts of one
    /// province of the 2021 list, which the 2025 dashboards must not count.
    func makePlaces(_ app: TestHarness, rng: inout SplitMix, createdAt: Int64) async throws -> [Place] {
        let account = UUID()
        return try await app.store.engine.write { db in
            try await db.raw("INSERT INTO accounts (id, phone, created_at) VALUES (\(bind: account.uuidString), '+84900000002', \(bind: createdAt))").run()
            var places: [Place] = []
            for province in ["48", "01"] {
                let wards = try await db.raw("SELECT code FROM admin_units WHERE scheme = '2025' AND level = 'ward' AND parent_code = \(bind: province) ORDER BY code LIMIT 2").all()
                for ward in wards { for _ in 0..<3 { places.append(Place(id: UUID(), scheme: "2025", ward: try ward.decode(column: "code", as: String.self), district: nil, province: province)) } }
            }
            let districts = try await db.raw("SELECT code FROM admin_units WHERE scheme = '2021' AND level = 'district' AND parent_code = '48' ORDER BY code LIMIT 2").all()
            for district in districts {
                let code = try district.decode(column: "code", as: String.self)
                let ward = try #require(try await db.raw("SELECT code FROM admin_units WHERE scheme = '2021' AND parent_code = \(bind: code) ORDER BY code LIMIT 1").first())
                for _ in 0..<2 { places.append(Place(id: UUID(), scheme: "2021", ward: try ward.decode(column: "code", as: String.self), district: code, province: "48")) }
            }
            for (i, p) in places.enumerated() {
                try await db.raw("""
                    INSERT INTO places (id, code, name, type, units_scheme, ward_code, district_code, province_code, address, default_stay_minutes,
                        registrant_name, registrant_phone, created_by, created_at, updated_at, search_text)
                    VALUES (\(bind: p.id.uuidString), \(bind: "DASH\(i)"), \(bind: "Place \(i)"), 'restaurant', \(bind: p.scheme), \(bind: p.ward), \(bind: p.district),
                        \(bind: p.province), '', 60, 'X', '+84900000002', \(bind: account.uuidString), \(bind: createdAt), \(bind: createdAt), '')
                    """).run()
            }
            return places
        }
    }

    struct RollupRows: Equatable { var days: [String] = []; var people: [String] = []; var tallies: [String] = [] }

    func rollupRows(_ app: TestHarness) async throws -> RollupRows {
        // The rollups follow the check-ins through the projector's queue; the dashboard's reads wait for it.
        try await app.store.projector.catchUp()
        return try await app.store.engine.read { db in
            var rows = RollupRows()
            for row in try await db.raw("SELECT scheme, unit_code, day, scans FROM unit_days ORDER BY scheme, unit_code, day").all() {
                rows.days.append("\(try row.decode(column: "scheme", as: String.self)) \(try row.decode(column: "unit_code", as: String.self)) \(try row.decode(column: "day", as: Int64.self)) \(try row.decode(column: "scans", as: Int64.self))")
            }
            for row in try await db.raw("SELECT scheme, unit_code, person_id, day FROM unit_people_days ORDER BY scheme, unit_code, person_id, day").all() {
                rows.people.append("\(try row.decode(column: "scheme", as: String.self)) \(try row.decode(column: "unit_code", as: String.self)) \(try row.decode(column: "person_id", as: String.self)) \(try row.decode(column: "day", as: Int64.self))")
            }
            // A late day can leave a tally at zero where the backfill writes no row at all.
            for row in try await db.raw("SELECT scheme, unit_code, kind, day, prev_day, n FROM unit_day_tallies WHERE n <> 0 ORDER BY scheme, unit_code, kind, day, prev_day").all() {
                rows.tallies.append("\(try row.decode(column: "scheme", as: String.self)) \(try row.decode(column: "unit_code", as: String.self)) \(try row.decode(column: "kind", as: String.self)) \(try row.decode(column: "day", as: Int64.self)) \(try row.decode(column: "prev_day", as: Int64.self)) \(try row.decode(column: "n", as: Int64.self))")
            }
            return rows
        }
    }
}
