import ArgumentParser
import Foundation
import RavaoCore
import RavaoServer
import RavaoStore

/// `ravao-bench bench-coverage`: E2's speed target (issue 7). Seeds `CoverageWorkload` (30,000 employees,
/// 100,000 check-ins) unless the database already holds it, then times `OrgStore.currentCoverage`,
/// the call behind `GET /api/v1/orgs/{id}/coverage`, checking every answer against the seeding.
/// `Benchmarks/run-coverage.sh` adds the HTTP request on top.
struct BenchCoverage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-coverage",
                                                    abstract: "Time daily coverage of a 30,000-person roster over 100,000 check-ins.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Timed calls per measure") var repetitions: Int = 20
    @Option(help: "Phone of the company's owner (the HTTP benchmark signs in with it)") var owner: String = "0987654321"
    @Option(help: "Check-ins arriving before each call of the 'late' measure") var late: Int = 50
    @Option(help: "Measures, comma-separated: first, warm, parts, late, history") var measure: String = "first,warm,parts,late,history"
    @Option(help: "Write a one-hour API token of the owner to this file, for timing the HTTP request") var tokenFile: String?

    func run() async throws {
        let logger = db.logger()
        guard let ownerPhone = PhoneNumber(owner) else { throw ValidationError("--owner is not a phone number") }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be at least 1") }
        let measures = Set(measure.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        guard measures.isSubset(of: ["first", "warm", "parts", "late", "history"]) else { throw ValidationError("unknown measure in --measure \(measure)") }
        let engine = try await openDatabase(try db.location(), logger: logger)
        do {
            try await Migrator.migrate(engine, logger: logger, clock: { Int64(Date().timeIntervalSince1970) })
            try await run(Store(engine: engine), ownerPhone: ownerPhone, measures: measures)
        } catch {
            await engine.shutdown()
            // PostgresNIO's errors describe themselves only when reflected.
            throw ValidationError(String(reflecting: error))
        }
        await engine.shutdown()
    }

    func run(_ store: Store, ownerPhone: PhoneNumber, measures: Set<String>) async throws {
        func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
        print("load average before: \(Self.loadAverage())")

        let workload: CoverageWorkload
        if let existing = try await CoverageWorkload.existing(store: store) {
            workload = existing
            print("reusing the workload seeded on \(existing.day.adding(days: 1)): \(existing.employees) employees")
        } else {
            let started = ContinuousClock.now
            workload = try await CoverageWorkload.seed(store: store, ownerPhone: ownerPhone, now: now())
            print(String(format: "seeded %d employees and their check-ins in %.1f s", workload.employees, Self.ms(ContinuousClock.now - started) / 1000))
        }
        let orgs = store.orgs
        let departments = workload.expectedDepartments
        let missing = workload.expectedMissingNumbers
        func check(_ coverage: OrgStore.Coverage, withMissing: Bool) throws {
            guard coverage.departments == departments else {
                throw ValidationError("wrong coverage: present \(coverage.present) of \(coverage.total), expected \(departments.reduce(0) { $0 + $1.present }) of \(workload.employees)")
            }
            if withMissing {
                guard coverage.missing.count == missing.count, Set(coverage.missing.map(\.employeeNumber)) == missing else {
                    throw ValidationError("wrong missing list: \(coverage.missing.count) employees, expected \(missing.count)")
                }
            }
        }
        func time(_ label: String, before: () async throws -> Void = {}, _ body: () async throws -> Void) async throws {
            var times: [Double] = []
            for _ in 0..<repetitions {
                try await before()
                let started = ContinuousClock.now
                try await body()
                times.append(Self.ms(ContinuousClock.now - started))
            }
            print("\(label): \(Self.summary(times))")
        }

        if measures.contains("first") {
            // Forget what an earlier run built, so the first call builds `org_presence` from all the
            // day's check-ins, as the first request after a day of scans without one would.
            try await store.engine.write { db in
                try await db.raw("DELETE FROM org_presence WHERE org_id = \(bind: workload.org.uuidString)").run()
                try await db.raw("DELETE FROM org_presence_marks WHERE org_id = \(bind: workload.org.uuidString)").run()
                // Fewer presence rows can mean more missing: a server's memo must not narrow from before.
                try await db.raw("UPDATE orgs SET coverage_version = coverage_version + 1 WHERE id = \(bind: workload.org.uuidString)").run()
            }
            let started = ContinuousClock.now
            try check(try await orgs.currentCoverage(org: workload.org, day: workload.day, withMissing: true, now: now()), withMissing: true)
            print(String(format: "first call (builds org_presence): %.1f ms", Self.ms(ContinuousClock.now - started)))
        }
        if measures.contains("warm") {
            try await time("coverage with missing list (owner, manager)") {
                try check(try await orgs.currentCoverage(org: workload.org, day: workload.day, withMissing: true, now: now()), withMissing: true)
            }
            try await time("coverage, statistics only (board)") {
                try check(try await orgs.currentCoverage(org: workload.org, day: workload.day, withMissing: false, now: now()), withMissing: false)
            }
        }
        if measures.contains("parts") {
            try await time("  of which the refresh check") { try await orgs.refreshPresence(org: workload.org, now: now()) }
            try await time("  of which the counting, from the previous answer") {
                try check(try await orgs.coverage(org: workload.org, day: workload.day, withMissing: true), withMissing: true)
            }
            // A store with an empty memo, as after a restart or a roster change: the full pass.
            try await time("  of which the counting, in full") {
                try check(try await OrgStore(engine: store.engine).coverage(org: workload.org, day: workload.day, withMissing: true), withMissing: true)
            }
        }
        if measures.contains("late") {
            // Each call then finds new check-ins and writes them to `org_presence` first.
            try await time("coverage after \(late) late check-ins", before: { try await workload.addLateCheckIns(store: store, count: late, now: now()) }) {
                try check(try await orgs.currentCoverage(org: workload.org, day: workload.day, withMissing: true, now: now()), withMissing: true)
            }
        }
        if measures.contains("history") {
            let started = ContinuousClock.now
            let history = try await orgs.presentByDay(org: workload.org, days: workload.day.adding(days: -29)...workload.day)
            guard history[workload.day] == departments.reduce(0, { $0 + $1.present }) else { throw ValidationError("wrong history: \(history)") }
            print(String(format: "30-day history (chart): %.1f ms", Self.ms(ContinuousClock.now - started)))
        }
        print("load average after: \(Self.loadAverage())")
        if let tokenFile {
            // Signing in through the API would run into the hourly cap on codes after a few runs.
            let token = ServerKeys.randomToken()
            try await store.accounts.createSession(tokenHash: ServerKeys.tokenHash(token), accountId: workload.owner, kind: .api, ip: "127.0.0.1",
                                                   userAgent: "ravao bench-coverage", now: now(), expiresAt: now() + 3600)
            try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        }
        let phone = try await store.accounts.account(id: workload.owner)?.phone.e164 ?? "?"
        let present = departments.reduce(0) { $0 + $1.present }
        print("workload: org \(workload.org.uuidString) day \(workload.day) owner \(phone) total \(workload.employees) present \(present) missing \(missing.count)")
    }

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }
    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
    static func summary(_ values: [Double]) -> String {
        let sorted = values.sorted()
        func at(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))] }
        return String(format: "median %.1f ms, p90 %.1f ms, max %.1f ms (n=%d)", at(0.5), at(0.9), sorted.last ?? 0, sorted.count)
    }
}
