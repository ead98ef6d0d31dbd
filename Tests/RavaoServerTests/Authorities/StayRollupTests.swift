import Foundation
import RavaoCore
@testable import RavaoServer
@testable import RavaoStore
import RavaoTestSupport
import SQLKit
import Testing

/// The stays table the check-in writer keeps, against stays worked out here from every check-in
/// written so far, on both engines. Random entries and exits of 30 people at 5 places over 4 days,
/// clustered so that exits fall just inside and just outside 24 h of entries, written through the real
/// writer in batches that are often out of time order (offline queues); then a place's new default
/// stay, and the backfill run again over the same check-ins.
@Suite("Stay rollups") struct StayRollupTests {
    struct Scan { let place: Int; let person: Int; let direction: CheckInDirection; let at: Int64 }
    struct Row: Hashable, Comparable {
        let place: String; let person: String; let from: Int64; let to: Int64; let spanClass: Int; let closed: Bool
        static func < (a: Row, b: Row) -> Bool {
            (a.place, a.person, a.from, a.to, a.spanClass, a.closed ? 1 : 0) < (b.place, b.person, b.from, b.to, b.spanClass, b.closed ? 1 : 0)
        }
    }

    @Test(arguments: TestEngine.available)
    func staysMatchCheckIns(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            var rng = SplitMix(seed: 2121)
            let now = app.time.seconds()
            let start = now - 5 * 86_400
            var defaults: [Int64] = [30 * 60, 60 * 60, 5 * 60, 8 * 3600, 1440 * 60]
            let places = try await makePlaces(app, defaultStays: defaults, createdAt: start - 86_400)

            var scans: [Scan] = []
            for _ in 0..<700 {
                let person = Int(rng.below(30)), place = Int(rng.below(Int64(places.count)))
                // Times on a coarse grid (minutes, sometimes whole days apart) so that equal times and
                // exits exactly 24 h after entries occur.
                let at = start + rng.below(4) * 86_400 + rng.below(rng.below(3) == 0 ? 4 : 600) * 60
                scans.append(Scan(place: place, person: person, direction: rng.below(5) < 3 ? .in : .out, at: at))
            }
            // One batch in three out of time order.
            let batches = rng.batches(scans.sorted { $0.at < $1.at }, maxSize: 25, outOfOrderOneIn: 3)

            var people: [Int: String] = [:]
            var written: [Scan] = []
            for (n, batch) in batches.enumerated() {
                let checkIns = batch.map { scan in
                    CheckInStore.NewCheckIn(clientId: UUID(), placeId: places[scan.place], direction: scan.direction, kind: .phone, scannedAt: scan.at, recordedAt: now,
                                            scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: Self.phone(scan.person))], fullName: nil)
                }
                let outcomes = try await app.store.engine.write { db in try await CheckInWriter.write(checkIns, db: db) }
                for (scan, outcome) in zip(batch, outcomes) {
                    guard case .recorded(let recorded) = outcome else { Issue.record("not recorded"); continue }
                    people[scan.person] = recorded.personId.uuidString
                }
                written += batch
                if n % 7 == 0 || n == batches.count - 1 {
                    let want = Self.expected(written, places: places, people: people, defaults: defaults)
                    let got = try await Self.table(app)
                    // Compared first, so a failure prints the counts rather than hundreds of rows.
                    let same = got == want
                    #expect(same, "\(engine) after batch \(n): \(Set(got).subtracting(want).count) unexpected, \(Set(want).subtracting(got).count) missing, \(got.count) vs \(want.count) rows")
                }
            }
            let all = try await Self.table(app)
            #expect(all.count > 400 && all.contains { !$0.closed } && all.contains { $0.closed && $0.from == $0.to } && all.contains { $0.closed && $0.from < $0.to },
                    "the data has open, closed and zero-length stays")

            // A new default stay moves the end of the stays that ran their default length, and only those.
            var place = try #require(try await app.store.places.place(id: places[1]))
            place.defaultStayMinutes = 200
            defaults[1] = 200 * 60
            try await app.store.places.update(place, searchText: "")
            let moved = try await Self.table(app)
            let movedAsExpected = moved == Self.expected(written, places: places, people: people, defaults: defaults)
            #expect(movedAsExpected, "\(engine): after a new default stay")
            let changed = moved != all
            #expect(changed, "\(engine): the new default stay moved some stays")

            // The migration's backfill makes the very same table.
            try await StayRollups.rebuild(app.store.engine)
            let rebuilt = try await Self.table(app) == moved
            #expect(rebuilt, "\(engine): backfill")
        }
    }

    /// `ravao rebuild-rollups` while check-ins wait in the projector's queue (a server still taking
    /// scans): the rebuild counts them, so the pass that later takes them off the queue must not add
    /// their stays a second time.
    @Test(arguments: TestEngine.available)
    func aRebuildCountsQueuedCheckInsOnce(engine: TestEngine) async throws {
        try await withApp(engine, configure: CheckInProjectorTests.noBackgroundPasses) { app in
            let now = app.time.seconds()
            let defaults: [Int64] = [30 * 60, 60 * 60]
            let places = try await makePlaces(app, defaultStays: defaults, createdAt: now - 86_400)
            let scans = [Scan(place: 0, person: 1, direction: .in, at: now - 3000), Scan(place: 0, person: 1, direction: .out, at: now - 2000),
                         Scan(place: 1, person: 2, direction: .in, at: now - 1000), Scan(place: 1, person: 3, direction: .out, at: now - 500)]
            var people: [Int: String] = [:]
            let checkIns = scans.map { scan in
                CheckInStore.NewCheckIn(clientId: UUID(), placeId: places[scan.place], direction: scan.direction, kind: .phone, scannedAt: scan.at, recordedAt: now,
                                        scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: Self.phone(scan.person))], fullName: nil)
            }
            let outcomes = try await app.store.engine.write { db in try await CheckInWriter.write(checkIns, db: db) }
            for (scan, outcome) in zip(scans, outcomes) {
                if case .recorded(let recorded) = outcome { people[scan.person] = recorded.personId.uuidString }
            }
            try await StayRollups.rebuild(app.store.engine)
            // The rebuild applied the queue itself (the reads below would otherwise apply it after).
            let queued = try await app.store.engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM checkin_projection").first()!.decode(column: "n", as: Int.self)
            }
            #expect(queued == 0)
            try await app.store.dashboard.rebuildUnitRollups()
            let got = try await Self.table(app)
            #expect(got == Self.expected(scans, places: places, people: people, defaults: defaults), "\(engine): \(got.count) stays")
        }
    }

    /// The rule of `Stays`, worked out again here per entry and exit, with span classes and whether an
    /// exit closed the stay. Sorted, with repeats (two entries in the same second are two stays).
    static func expected(_ scans: [Scan], places: [UUID], people: [Int: String], defaults: [Int64]) -> [Row] {
        var rows: [Row] = []
        for group in Dictionary(grouping: scans, by: { "\($0.place) \($0.person)" }).values {
            let place = group[0].place, person = people[group[0].person]!
            let ins = group.filter { $0.direction == .in }.map(\.at), outs = group.filter { $0.direction == .out }.map(\.at)
            for entry in ins {
                let exit = outs.filter { $0 >= entry && $0 <= entry + 86_400 }.min()
                let to = exit ?? entry + defaults[place]
                let row = Row(place: places[place].uuidString, person: person, from: entry, to: to, spanClass: StayRollups.spanClass(to - entry), closed: exit != nil)
                rows.append(row)
            }
            for exit in outs where !ins.contains(where: { $0 <= exit && $0 >= exit - 86_400 }) {
                let row = Row(place: places[place].uuidString, person: person, from: exit, to: exit, spanClass: 0, closed: true)
                rows.append(row)
            }
        }
        return rows.sorted()
    }

    /// The table's rows, sorted.
    static func table(_ app: TestHarness) async throws -> [Row] {
        // The stays follow the check-ins through the projector's queue; tracing's reads wait for it.
        try await app.store.projector.catchUp()
        return try await app.store.engine.read { db in
            try await db.raw("SELECT place_id, person_id, started_at, ended_at, span_class, closed FROM stays").all().map { row in
                Row(place: try row.decode(column: "place_id", as: String.self), person: try row.decode(column: "person_id", as: String.self),
                    from: try row.decode(column: "started_at", as: Int64.self), to: try row.decode(column: "ended_at", as: Int64.self),
                    spanClass: try row.decode(column: "span_class", as: Int.self), closed: try row.decode(column: "closed", as: Int.self) == 1)
            }.sorted()
        }
    }

    static func phone(_ person: Int) -> String { "+8490\(String(format: "%07d", 3_000_000 + person))" }

    func makePlaces(_ app: TestHarness, defaultStays: [Int64], createdAt: Int64) async throws -> [UUID] {
        let account = UUID()
        return try await app.store.engine.write { db in
            try await db.raw("INSERT INTO accounts (id, phone, created_at) VALUES (\(bind: account.uuidString), '+84900000003', \(bind: createdAt))").run()
            var ids: [UUID] = []
            for (i, stay) in defaultStays.enumerated() {
                let id = UUID()
                try await db.raw("""
                    INSERT INTO places (id, code, name, type, units_scheme, ward_code, province_code, address, default_stay_minutes,
                        registrant_name, registrant_phone, created_by, created_at, updated_at, search_text)
                    VALUES (\(bind: id.uuidString), \(bind: "STAY\(i)"), \(bind: "Place \(i)"), 'restaurant', '2025', '20194', '48', '', \(bind: stay / 60),
                        'X', '+84900000003', \(bind: account.uuidString), \(bind: createdAt), \(bind: createdAt), '')
                    """).run()
                ids.append(id)
            }
            return ids
        }
    }
}
