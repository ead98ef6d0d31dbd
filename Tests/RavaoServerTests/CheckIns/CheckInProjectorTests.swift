import Foundation
import RavaoCore
@testable import RavaoServer
@testable import RavaoStore
import SQLKit
import Testing

/// The projector that applies queued check-ins to the rollups and stays (see `CheckInProjector`), on
/// both engines: a pass that fails changes nothing, passes in small batches apply each check-in once,
/// readers see every check-in written before they asked, and the lag is the oldest wait.
@Suite("Check-in projector") struct CheckInProjectorTests {
    struct Failed: Error {}

    /// The server's own projector makes one pass at start and then none: each test drives its own.
    static func noBackgroundPasses(_ configuration: inout AppConfiguration) { configuration.projectorInterval = .seconds(3600) }

    func writeScans(_ app: TestHarness, place: UUID, count: Int, recordedAt: Int64, at: Int64) async throws {
        let checkIns = (0..<count).map { i in
            CheckInStore.NewCheckIn(clientId: UUID(), placeId: place, direction: i % 3 == 0 ? .out : .in, kind: .phone, scannedAt: at + Int64(i) * 60,
                                    recordedAt: recordedAt, scannedBy: nil, payload: "",
                                    identifiers: [.init(kind: "phone", value: "+8490000\(String(format: "%04d", i % 17))")], fullName: nil)
        }
        _ = try await app.store.engine.write { db in try await CheckInWriter.write(checkIns, db: db) }
    }

    func count(_ app: TestHarness, _ sql: String) async throws -> Int {
        try await app.store.engine.read { db in
            try await db.raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int?.self) ?? 0
        }
    }

    @Test(arguments: TestEngine.available)
    func eachCheckInIsAppliedOnceAndAFailedPassChangesNothing(engine: TestEngine) async throws {
        try await withApp(engine, configure: Self.noBackgroundPasses) { app in
            let token = try await app.signIn()
            let place = UUID(uuidString: try #require(try await app.createPlace(token: token)["id"] as? String))!
            let now = app.time.seconds()
            let midnight = LocalTime.startOfDay(containing: now)
            try await writeScans(app, place: place, count: 40, recordedAt: now, at: midnight + 60)
            try await writeScans(app, place: place, count: 23, recordedAt: now, at: midnight - 2 * 86_400 + 60)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkin_projection") == 63)
            #expect(try await count(app, "SELECT CAST(SUM(scans) AS BIGINT) AS n FROM place_days") == 0, "the check-in transaction writes no rollup")

            // A pass that fails after applying (a crash, a lost connection) rolls back with its deletions.
            await #expect(throws: Failed.self) {
                try await app.store.engine.write { db in
                    _ = try await CheckInProjector.apply(limit: 1000, db: db)
                    throw Failed()
                }
            }
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkin_projection") == 63)
            #expect(try await count(app, "SELECT CAST(SUM(scans) AS BIGINT) AS n FROM place_days") == 0)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM stays") == 0)

            // Passes of 10: seven of them, then nothing left; a further pass applies nothing twice.
            let projector = CheckInProjector(engine: app.store.engine, batchSize: 10)
            var passes: [Int] = []
            while true {
                let n = try await projector.pass()
                if n == 0 { break }
                passes.append(n)
            }
            #expect(passes == [10, 10, 10, 10, 10, 10, 3])
            #expect(try await projector.pass() == 0)
            #expect(try await count(app, "SELECT CAST(SUM(scans) AS BIGINT) AS n FROM place_days") == 63)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM place_day_people") == 17 + 17, "17 phones on each of the two days")
            let stays = try await count(app, "SELECT COUNT(*) AS n FROM stays")
            #expect(stays > 0)

            // What the passes made is what a rebuild from the check-ins makes.
            try await StayRollups.rebuild(app.store.engine)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM stays") == stays)

            // The day counters are the writer's, exact at once: 40 today (14 exits), 23 two days ago.
            let today = try await app.store.checkIns.dayCounts(placeId: place, on: now)
            #expect(today.entries == 26 && today.exits == 14)
            let before = try await app.store.checkIns.dayCounts(placeId: place, on: now - 2 * 86_400)
            #expect(before.entries + before.exits == 23)
        }
    }

    @Test(arguments: TestEngine.available)
    func readersSeeEveryCheckInWrittenBeforeTheyAsked(engine: TestEngine) async throws {
        try await withApp(engine, configure: Self.noBackgroundPasses) { app in
            let token = try await app.signIn()
            let place = UUID(uuidString: try #require(try await app.createPlace(token: token)["id"] as? String))!
            let now = app.time.seconds()
            // An hour ago is yesterday in the first hour of a Vietnamese day: the day read is the scans' own.
            let day = DashboardStore.day(now - 3600)
            // Nothing runs passes in the background here: the dashboard's own read must catch up.
            for round in 1...5 {
                try await writeScans(app, place: place, count: 9, recordedAt: now, at: now - 3600)
                let stats = try await app.store.dashboard.stats(.country, scheme: .y2025, childColumn: nil, childCodes: [],
                                                                fromDay: day, toDay: day, type: nil)
                #expect(stats.total.scans == 9 * round, "round \(round)")
                #expect(stats.total.people == 9, "round \(round)")
            }
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkin_projection") == 0)
        }
    }

    @Test(arguments: TestEngine.available)
    func theLagIsHowLongTheOldestQueuedCheckInHasWaited(engine: TestEngine) async throws {
        try await withApp(engine, configure: Self.noBackgroundPasses) { app in
            let token = try await app.signIn()
            let place = UUID(uuidString: try #require(try await app.createPlace(token: token)["id"] as? String))!
            let now = app.time.seconds()
            let projector = CheckInProjector(engine: app.store.engine, batchSize: 5)
            #expect(try await projector.lag(now: now) == 0)
            try await writeScans(app, place: place, count: 5, recordedAt: now - 90, at: now - 3600)
            try await writeScans(app, place: place, count: 5, recordedAt: now - 30, at: now - 3600)
            #expect(try await projector.lag(now: now) == 90)
            #expect(try await projector.pass() == 5)
            #expect(try await projector.lag(now: now) == 30)
            #expect(try await projector.pass() == 5)
            #expect(try await projector.lag(now: now) == 0)
        }
    }
}
