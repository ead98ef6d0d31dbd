import Foundation
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import RavaoTestSupport
import Testing

/// The store-backed trace (windowed reads of the stays table) against the brute-force reference, on
/// both engines: random check-ins written to real tables, nested places included.
@Suite("Tracing store") struct TracingStoreTests {
    @Test(arguments: TestEngine.available)
    func storeTraceMatchesBruteForce(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            var rng = SplitMix(seed: 4242)
            let world = RandomWorld(rng: &rng, people: 250, places: 24, hours: 72)
            try await load(world, into: app)
            for round in 0..<8 {
                let (case_, from, to) = world.pickCase(rng: &rng)
                let buffer: Int64 = round % 2 == 0 ? 3600 : rng.below(5400)
                for depth in [1, 2] {
                    let got = try await Tracing.trace(person: case_, from: from, to: to, bufferSeconds: buffer, depth: depth, source: app.store.tracing())
                    let want = bruteForce(world.scans, defaults: world.defaultStay, case: case_, from: from, to: to, buffer: buffer, depth: depth)
                    #expect(Set(got.stays) == want.stays, "\(engine) round \(round) depth \(depth): stays")
                    #expect(got.contacts == want.contacts, "\(engine) round \(round) depth \(depth): \(got.contacts.count) vs \(want.contacts.count)")
                }
            }
        }
    }

    /// Writes the world straight into the tables (the check-in path is tested elsewhere); every third
    /// place sits inside another, as a canteen inside a factory does, and keeps its own stays.
    func load(_ world: RandomWorld, into app: TestHarness) async throws {
        let account = UUID()
        let now = app.time.seconds()
        try await app.store.engine.write { db in
            try await db.raw("INSERT INTO accounts (id, phone, created_at) VALUES (\(bind: account.uuidString), '+84900000001', \(bind: now))").run()
            for (i, place) in world.places.enumerated() {
                let parent: String? = i % 3 == 2 ? world.places[i - 1].uuidString : nil
                try await db.raw("""
                    INSERT INTO places (id, code, name, type, units_scheme, ward_code, province_code, address, parent_id, default_stay_minutes,
                        registrant_name, registrant_phone, created_by, created_at, updated_at, search_text)
                    VALUES (\(bind: place.uuidString), \(bind: "CODE\(i)"), \(bind: "Place \(i)"), 'restaurant', '2025', '20194', '48', '', \(bind: parent),
                        \(bind: world.defaultStay[place]! / 60), 'X', '+84900000001', \(bind: account.uuidString), \(bind: now), \(bind: now), '')
                    """).run()
            }
            for chunk in stride(from: 0, to: world.people.count, by: 200) {
                var q = SQLQueryString("INSERT INTO people (id, created_at) VALUES ")
                for (i, person) in world.people[chunk..<min(chunk + 200, world.people.count)].enumerated() {
                    if i > 0 { q.appendLiteral(", ") }
                    q.appendInterpolation("(\(bind: person.uuidString), \(bind: now))" as SQLQueryString)
                }
                try await db.raw(q).run()
            }
            for chunk in stride(from: 0, to: world.scans.count, by: 200) {
                var q = SQLQueryString("INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, payload) VALUES ")
                for (i, scan) in world.scans[chunk..<min(chunk + 200, world.scans.count)].enumerated() {
                    if i > 0 { q.appendLiteral(", ") }
                    q.appendInterpolation("""
                        (\(bind: UUID().uuidString), \(bind: UUID().uuidString), \(bind: scan.place.uuidString), \(bind: scan.person.uuidString),
                         \(bind: scan.direction.rawValue), 'cccd', \(bind: scan.at), \(bind: scan.at), '')
                        """ as SQLQueryString)
                }
                try await db.raw(q).run()
            }
        }
        // Loaded straight into the tables, as a data import would be: the stays come from the backfill
        // (StayRollupTests holds it equal to what the check-in writer keeps).
        try await StayRollups.rebuild(app.store.engine)
    }
}
