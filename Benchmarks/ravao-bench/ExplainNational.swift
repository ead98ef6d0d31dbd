import ArgumentParser
import Foundation
import RavaoCore
import RavaoStore
import SQLKit

/// `ravao-bench explain-national`: runs, once each, the reads whose plans `Benchmarks/RESULTS.md`
/// shows for the national data set (`Benchmarks/run-national.sh explain` turns on PostgreSQL's
/// auto_explain for the database meanwhile, so the plans logged are those of the server's own
/// statements with their real parameters): a depth-1 trace, a person's history, an organisation's
/// coverage for a day, and the dashboard of the province with the most places.
struct ExplainNational: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "explain-national", abstract: "Run one trace, history, coverage and dashboard read each.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Random seed for the person traced") var seed: Int = 7

    func run() async throws {
        let logger = db.logger()
        let engine = try await openDatabase(try db.location(), logger: logger)
        let store = Store(engine: engine)
        let (person, at, hi) = try await engine.read { db in
            let row = try await db.raw("""
                SELECT person_id, scanned_at, (SELECT MAX(scanned_at) FROM checkins) AS hi
                FROM checkins TABLESAMPLE SYSTEM (0.01) REPEATABLE (\(unsafeRaw: String(seed))) LIMIT 1
                """).first()!
            return (UUID(uuidString: try row.decode(column: "person_id", as: String.self))!, try row.decode(column: "scanned_at", as: Int64.self),
                    try row.decode(column: "hi", as: Int64.self))
        }
        func step(_ name: String, _ body: () async throws -> String) async throws {
            let started = ContinuousClock.now
            let what = try await body()
            let d = ContinuousClock.now - started
            print("\(name): \(what) in \(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15) ms")
        }
        let to = min(hi, at + 7 * 86_400), from = to - 14 * 86_400
        try await step("trace depth 1 of \(person)") {
            let result = try await Tracing.trace(person: person, from: from, to: to, bufferSeconds: 3600, depth: 1, source: store.tracing())
            return "\(Set(result.contacts.map(\.personId)).count) people"
        }
        try await step("history of \(person)") {
            "\(try await store.people.history(of: person, before: nil, limit: 50).count) check-ins"
        }
        let org = try await engine.read { db in try await db.raw("SELECT id FROM orgs ORDER BY created_at LIMIT 1").first()?.decode(column: "id", as: String.self) }
        if let org, let id = UUID(uuidString: org) {
            let day = LocalDate(dayNumber: DashboardStore.day(hi) - 1)
            // As the coverage routes do: presence brought up to date from the check-ins first.
            try await step("presence of \(org)") {
                try await OrgStore(engine: engine).refreshPresence(org: id, now: hi + 60)
                return "refreshed"
            }
            try await step("coverage of \(org) on \(day)") {
                let coverage = try await OrgStore(engine: engine).coverage(org: id, day: day, withMissing: true)
                return "\(coverage)".prefix(120) + "…"
            }
        }
        let province = try await engine.read { db in
            try await db.raw("SELECT province_code AS code FROM places GROUP BY province_code ORDER BY COUNT(*) DESC LIMIT 1").first()!.decode(column: "code", as: String.self)
        }
        let toDay = DashboardStore.day(hi), fromDay = toDay - 13
        try await step("dashboard of province \(province)") {
            let wards = try await store.units.children(of: province, scheme: .y2025).map(\.code)
            let stats = try await store.dashboard.stats(Jurisdiction(scope: .province, code: province), scheme: .y2025, childColumn: "ward_code", childCodes: wards,
                                                        fromDay: fromDay, toDay: toDay, type: nil)
            return "\(stats.total)"
        }
        await engine.shutdown()
    }
}
