import Foundation
import RavaoCore
@testable import RavaoServer
@testable import RavaoStore
import SQLKit
import Testing

/// Check-ins and their rollups by day (issue 19): on PostgreSQL they are partitioned per local day,
/// made ahead by the server, and retention drops a whole day unless an open case holds it. The
/// behaviour asked of both engines is the same; the partitions themselves are checked on PostgreSQL.
@Suite("Day partitions") struct DayPartitionTests {
    @Test(arguments: TestEngine.available)
    func lateScansDuplicatesAndRetentionByDay(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let db = app.store.engine
            let pg = db.kind == .postgres
            let now = app.time.seconds()
            let today = DayPartitions.day(of: now)
            let (danang, hanoi) = try await makePlaces(app, createdAt: now - 30 * 86_400)

            if pg {
                // The server made the days ahead at start (its partition service runs beside the test).
                var ahead = false
                for _ in 0..<100 where !ahead {
                    ahead = try await exists(DayPartitions.partitionName(DayPartitions.tables.last!.name, day: today + DayPartitions.daysAhead), app)
                    if !ahead { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(ahead, "a week of partitions ahead")
                for table in DayPartitions.tables {
                    let days = try await db.read { try await DayPartitions.days(of: table.name, db: $0) }
                    #expect(Set(days).isSuperset(of: Set((today - 1)...(today + DayPartitions.daysAhead))), "\(table.name): \(days)")
                }
                #expect(try await !exists(DayPartitions.partitionName("checkins", day: today - 10), app))
            }

            // A late upload of scans ten days old: no partition for that day, so the default one takes them.
            let old = DayPartitions.start(ofDay: today - 10) + 9 * 3600
            let oldScans = (0..<4).map { i in scan(place: danang, phone: "+8490000010\(i)", at: old + Int64(i) * 600, now: now) }
            let first = try await db.write { try await CheckInWriter.write(oldScans, db: $0) }
            #expect(first.allSatisfy { if case .recorded(let r) = $0 { return !r.duplicate } else { return false } })
            // The rollups and stays follow the check-ins through the projector's queue.
            try await app.store.projector.catchUp()
            if pg {
                #expect(try await rows("checkins_default", app) == 4)
                #expect(try await rows("stays_default", app) == 4)
                #expect(try await rows("place_day_people_default", app) == 4)
                #expect(try await rows("unit_people_days_default", app) == 4 * 3)  // ward, province, country
            }

            // Making that day's partitions moves its rows out of the default partition.
            let made = try await DayPartitions.ensure(db, fromDay: today - 10, toDay: today - 8)
            if pg {
                #expect(made == 3 * DayPartitions.tables.count)
                #expect(try await rows("checkins_default", app) == 0)
                #expect(try await rows(DayPartitions.partitionName("checkins", day: today - 10), app) == 4)
                #expect(try await rows(DayPartitions.partitionName("stays", day: today - 10), app) == 4)
                #expect(try await rows(DayPartitions.partitionName("unit_people_days", day: today - 10), app) == 12)
                #expect(try await rows("unit_people_days_default", app) == 0)
                // Made once: a second run finds them.
                #expect(try await DayPartitions.ensure(db, fromDay: today - 10, toDay: today - 8) == 0)
            } else {
                #expect(made == 0)
            }

            // A retry of a recorded scan with another time (a queue replayed later) answers duplicate,
            // whichever day the retry's time falls in, and adds nothing.
            let retry = CheckInStore.NewCheckIn(clientId: oldScans[0].clientId, placeId: danang, direction: .in, kind: .phone, scannedAt: now - 3600,
                                                recordedAt: now, scannedBy: nil, payload: "", identifiers: oldScans[0].identifiers, fullName: nil)
            let again = try await db.write { try await CheckInWriter.write([retry], db: $0) }
            guard case .recorded(let duplicate) = again[0] else { Issue.record("retry not answered: \(again)"); return }
            #expect(duplicate.duplicate && duplicate.scannedAt == old)
            #expect(try await app.store.checkIns.existing(clientId: oldScans[0].clientId)?.scannedAt == old)
            #expect(try await rows("checkins", app) == 4)

            // Eight days ago at both places, and yesterday; a case in Đà Nẵng's province holds eight days ago.
            let held = DayPartitions.start(ofDay: today - 8) + 10 * 3600
            let heldScans = [scan(place: danang, phone: "+84900000200", at: held, now: now), scan(place: danang, phone: "+84900000201", at: held + 60, now: now),
                             scan(place: hanoi, phone: "+84900000202", at: held, now: now)]
            let recent = [scan(place: hanoi, phone: "+84900000300", at: now - 86_400, now: now)]
            let written = try await db.write { try await CheckInWriter.write(heldScans + recent, db: $0) }
            guard case .recorded(let caseScan) = written[0] else { Issue.record("not recorded"); return }
            _ = try await app.store.cases.open(person: caseScan.personId, by: UUID(), unitCode: "48", from: held - 3600, to: held + 3600, note: "F0", now: now)

            try await app.store.projector.catchUp()
            let generation = try await db.read { try await KnownRollupKeys.generation($0) }
            let counts = Dictionary(uniqueKeysWithValues: try await app.store.retention.purge(before: now - 5 * 86_400).map { ($0.table, $0.rows) })
            // Rollup keys went: every projector forgets the keys it had seen stored.
            #expect(try await db.read { try await KnownRollupKeys.generation($0) } != generation)
            // Ten days ago went whole; eight days ago, the Hà Nội scan the case does not reach.
            #expect(counts["checkins"] == 5)
            #expect(counts["place_day_people"] == 5)
            #expect(counts["stays"] == 5)
            let left = try await db.read { db in
                try await db.raw("SELECT client_id FROM checkins ORDER BY client_id").all().map { try $0.decode(column: "client_id", as: String.self) }
            }
            #expect(left == [heldScans[0], heldScans[1], recent[0]].map(\.clientId.uuidString).sorted())
            if pg {
                #expect(try await !exists(DayPartitions.partitionName("checkins", day: today - 10), app), "the unheld day was dropped")
                #expect(try await !exists(DayPartitions.partitionName("place_day_people", day: today - 10), app))
                #expect(try await !exists(DayPartitions.partitionName("unit_people_days", day: today - 10), app))
                #expect(try await !exists(DayPartitions.partitionName("stays", day: today - 10), app))
                #expect(try await exists(DayPartitions.partitionName("checkins", day: today - 8), app), "the held day was kept")
                #expect(try await rows(DayPartitions.partitionName("checkins", day: today - 8), app) == 2)
                #expect(try await exists(DayPartitions.partitionName("checkins", day: today - 9), app), "an empty held day (the margin) stays too")
                // Client ids leave with their check-ins, by the day's drop or with the row.
                let keys = try await db.read { db in
                    try await db.raw("SELECT client_id FROM checkin_keys ORDER BY client_id").all().map { try $0.decode(column: "client_id", as: String.self) }
                }
                #expect(keys == left)
            }
            // Closing the case ends the hold: the rest of that day goes (by a drop on PostgreSQL).
            let open = try await app.store.cases.list(closedSince: 0)
            #expect(try await app.store.cases.close(open[0].id, by: UUID(), now: now))
            let after = Dictionary(uniqueKeysWithValues: try await app.store.retention.purge(before: now - 5 * 86_400).map { ($0.table, $0.rows) })
            #expect(after["checkins"] == 2)
            #expect(try await rows("checkins", app) == 1)
            if pg { #expect(try await !exists(DayPartitions.partitionName("checkins", day: today - 8), app)) }
        }
    }

    /// Days made while the check-in writer records new people. A new partition's foreign keys lock
    /// `people` and `places`; made after the check-ins table was locked, that waited for a writer which
    /// waited for the check-ins table: PostgreSQL's deadlock detector killed one of the two (seen at
    /// server start, and once a day when the hourly run makes a new day).
    @Test(arguments: TestEngine.available.filter { $0 == .postgres })
    func daysAreMadeWhileNewPeopleAreRecorded(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let db = app.store.engine
            let now = app.time.seconds()
            let today = DayPartitions.day(of: now)
            let (place, _) = try await makePlaces(app, createdAt: now - 86_400)
            var made = 0
            for round in 0..<6 {
                let first = today + 30 + Int64(round) * 2
                made += try await withThrowingTaskGroup(of: Int.self) { group in
                    for writer in 0..<3 {
                        group.addTask {
                            // The writer's order in one transaction: new people, then their check-ins.
                            for batch in 0..<4 {
                                let scans = (0..<25).map { n in
                                    scan(place: place, phone: String(format: "+849%01d%01d%01d%04d", round, writer, batch, n), at: now, now: now)
                                }
                                let outcomes = try await db.write { try await CheckInWriter.write(scans, db: $0) }
                                #expect(outcomes.allSatisfy { if case .recorded = $0 { true } else { false } })
                            }
                            return 0
                        }
                    }
                    group.addTask { try await DayPartitions.ensure(db, fromDay: first, toDay: first + 1) }
                    return try await group.reduce(0, +)
                }
            }
            #expect(made == 6 * 2 * DayPartitions.tables.count)
            #expect(try await rows("checkins", app) == 6 * 3 * 4 * 25)
        }
    }

    func scan(place: UUID, phone: String, at: Int64, now: Int64) -> CheckInStore.NewCheckIn {
        CheckInStore.NewCheckIn(clientId: UUID(), placeId: place, direction: .in, kind: .phone, scannedAt: at, recordedAt: now,
                                scannedBy: nil, payload: "", identifiers: [.init(kind: "phone", value: phone)], fullName: nil)
    }

    func exists(_ table: String, _ app: TestHarness) async throws -> Bool {
        try await app.store.engine.read { db in
            try await db.raw("SELECT to_regclass(\(bind: table)) IS NOT NULL AS e").first()!.decode(column: "e", as: Bool.self)
        }
    }

    func rows(_ table: String, _ app: TestHarness) async throws -> Int {
        try await app.store.engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// A place in Đà Nẵng (province 48) and one in Hà Nội (01).
    func makePlaces(_ app: TestHarness, createdAt: Int64) async throws -> (UUID, UUID) {
        let account = UUID()
        return try await app.store.engine.write { db in
            try await db.raw("INSERT INTO accounts (id, phone, created_at) VALUES (\(bind: account.uuidString), '+84900000009', \(bind: createdAt))").run()
            var ids: [UUID] = []
            for (i, (ward, province)) in [("20194", "48"), ("00004", "01")].enumerated() {
                let id = UUID()
                try await db.raw("""
                    INSERT INTO places (id, code, name, type, units_scheme, ward_code, province_code, address, default_stay_minutes,
                        registrant_name, registrant_phone, created_by, created_at, updated_at, search_text)
                    VALUES (\(bind: id.uuidString), \(bind: "PART\(i)"), \(bind: "Place \(i)"), 'restaurant', '2025', \(bind: ward), \(bind: province), '', 60,
                        'X', '+84900000009', \(bind: account.uuidString), \(bind: createdAt), \(bind: createdAt), '')
                    """).run()
                ids.append(id)
            }
            return (ids[0], ids[1])
        }
    }
}
