import Foundation
import RavaoCore
@testable import RavaoServer
@testable import RavaoStore
import SQLKit
import Testing

/// E2's speed target: coverage of a 30,000-person roster over a day of 100,000 check-ins in ≤ 100 ms.
/// Runs only with `RAVAO_BENCH_COVERAGE=1` (see `Benchmarks/run-coverage.sh`): seeding takes a while.
@Suite("Coverage benchmark", .enabled(if: ProcessInfo.processInfo.environment["RAVAO_BENCH_COVERAGE"] == "1"))
struct CoverageBenchmark {
    static let employees = 30_000
    static let checkIns = 100_000

    @Test(arguments: TestEngine.available)
    func coverageOfThirtyThousandOverAHundredThousandCheckIns(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let org = try #require(try await app.request(.post, "/api/v1/orgs", json: #"{"name":"Benchmark Co"}"#, token: owner).string("id"))
            let gate = try #require(try await app.createPlace(token: owner, name: "Gate", type: "factory")["id"] as? String)
            var places = [gate]
            for i in 0..<3 {
                places.append(try #require(try await app.createPlace(token: owner, name: "Workshop \(i)", type: "workshop", extra: #","parentId":"\#(gate)""#)["id"] as? String))
            }
            for i in 0..<12 {
                let bus = try #require(try await app.createPlace(token: owner, name: "Bus \(i)", type: "vehicle", extra: #","plate":"98C-1\#(String(format: "%02d", i)).45""#)["id"] as? String)
                _ = try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(bus)"}"#, token: owner)
                places.append(bus)
            }
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(gate)"}"#, token: owner).status == .noContent)
            // Unrelated traffic at another place on the same day, so the index has to do the filtering.
            let other = try #require(try await app.createPlace(token: owner, name: "Elsewhere")["id"] as? String)

            let day = LocalDate(containing: app.time.seconds()).adding(days: -1)
            let now = app.time.seconds()
            let seedStart = Date()
            let placeIds = places
            try await app.store.engine.write { db in
                var rng = SystemRandomNumberGenerator()
                // 30,000 employees; 96 % come to work. Most are scanned by CCCD, one in ten by phone.
                let people = (0..<Self.employees).map { i in (id: UUID().uuidString, i: i) }
                for chunk in people.chunks(of: 400) {
                    try await db.raw(CheckInWriter.values("INSERT INTO people (id, full_name, verified, created_at) VALUES ", chunk) { p in
                        "(\(bind: p.id), \(bind: "Worker \(p.i)"), 0, \(bind: now))"
                    }).run()
                    try await db.raw(CheckInWriter.values("INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ", chunk) { p in
                        p.i % 10 == 0 ? "('phone', \(bind: Self.phone(p.i)), \(bind: p.id), \(bind: now))" : "('cccd', \(bind: Self.cccd(p.i)), \(bind: p.id), \(bind: now))"
                    }).run()
                    try await db.raw(CheckInWriter.values("""
                        INSERT INTO roster_entries (id, org_id, employee_number, full_name, phone, cccd, bhyt, department, created_at, updated_at) VALUES 
                        """, chunk) { p in
                        "(\(bind: UUID().uuidString), \(bind: org), \(bind: "E\(p.i)"), \(bind: "Worker \(p.i)"), \(bind: Self.phone(p.i)), \(bind: Self.cccd(p.i)), NULL, \(bind: "Dept \(p.i % 40)"), \(bind: now), \(bind: now))"
                    }).run()
                }
                let attending = people.filter { $0.i % 25 != 0 }
                var rows: [(person: String, place: String, at: Int64)] = []
                rows.reserveCapacity(Self.checkIns)
                for p in attending { rows.append((p.id, placeIds[Int.random(in: 0..<placeIds.count, using: &rng)], day.start + Int64.random(in: 0..<86_400, using: &rng))) }
                while rows.count < Self.checkIns - 5_000 {
                    let p = attending[Int.random(in: 0..<attending.count, using: &rng)]
                    rows.append((p.id, placeIds[Int.random(in: 0..<placeIds.count, using: &rng)], day.start + Int64.random(in: 0..<86_400, using: &rng)))
                }
                while rows.count < Self.checkIns {
                    rows.append((people[Int.random(in: 0..<people.count, using: &rng)].id, other, day.start + Int64.random(in: 0..<86_400, using: &rng)))
                }
                for chunk in rows.chunks(of: 400) {
                    try await db.raw(CheckInWriter.values("""
                        INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload) VALUES 
                        """, chunk) { r in
                        "(\(bind: UUID().uuidString), \(bind: UUID().uuidString), \(bind: r.place), \(bind: r.person), 'in', 'cccd', \(bind: r.at), \(bind: r.at), NULL, NULL, '')"
                    }).run()
                }
            }
            let seeded = Date().timeIntervalSince(seedStart)

            let service = OrgService(services: app.services)
            let orgRecord = try #require(try await app.store.orgs.org(id: UUID(uuidString: org)!))
            let expectedPresent = Self.employees - Self.employees / 25
            // The first query after seeding builds `org_presence` from all 100,000 check-ins; later ones
            // only re-read the last minutes of each place. Both are reported.
            let tFirst = ContinuousClock.now
            _ = try await service.coverage(orgRecord, on: day, withMissing: true)
            let first = Self.ms(ContinuousClock.now - tFirst)
            var store: [Double] = []
            var api: [Double] = []
            for _ in 0..<15 {
                let t0 = ContinuousClock.now
                let coverage = try await service.coverage(orgRecord, on: day, withMissing: true)
                store.append(Self.ms(ContinuousClock.now - t0))
                #expect(coverage.total == Self.employees && coverage.present == expectedPresent)
                let t1 = ContinuousClock.now
                let reply = try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: owner)
                api.append(Self.ms(ContinuousClock.now - t1))
                #expect(reply.json["present"] as? Int == expectedPresent)
            }
            // The query alone (no refresh check), to tell SQL time from the rest of the request.
            var queryOnly: [Double] = []
            for _ in 0..<15 {
                let t = ContinuousClock.now
                _ = try await app.store.orgs.coverage(org: orgRecord.id, day: day, withMissing: true)
                queryOnly.append(Self.ms(ContinuousClock.now - t))
            }
            queryOnly.sort()
            if engine == .sqlite, let path = ProcessInfo.processInfo.environment["RAVAO_BENCH_DB"] {
                // A copy for timing the same statements with another SQLite build (see Benchmarks/README.md).
                try? FileManager.default.removeItem(atPath: path)
                try await app.store.engine.read { db in try await db.raw("VACUUM INTO \(bind: path)").run() }
            }
            let t2 = ContinuousClock.now
            _ = try await service.history(orgRecord, endingAt: day)
            let history = Self.ms(ContinuousClock.now - t2)
            store.sort(); api.sort()
            func f(_ x: Double) -> String { String(format: "%.1f", x) }
            let line = "coverage \(engine.rawValue): \(Self.employees) employees, \(Self.checkIns) check-ins (seeded in \(f(seeded)) s); first query \(f(first)) ms; "
                + "service median \(f(store[store.count / 2])) ms, max \(f(store.last!)) ms; GET /coverage median \(f(api[api.count / 2])) ms, "
                + "max \(f(api.last!)) ms; coverage SQL alone median \(f(queryOnly[queryOnly.count / 2])) ms; 30-day history \(f(history)) ms; "
                + "load average \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?")"
            print(line)
            if let path = ProcessInfo.processInfo.environment["RAVAO_BENCH_OUT"] {
                let handle = FileHandle(forWritingAtPath: path) ?? { FileManager.default.createFile(atPath: path, contents: nil); return FileHandle(forWritingAtPath: path)! }()
                handle.seekToEndOfFile()
                handle.write(Data((line + "\n").utf8))
                try handle.close()
            }
        }
    }

    static func cccd(_ i: Int) -> String { String(format: "0790%08d", i) }
    static func phone(_ i: Int) -> String { String(format: "+8491%07d", i) }
    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
}
