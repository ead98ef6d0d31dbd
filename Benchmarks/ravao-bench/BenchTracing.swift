import ArgumentParser
import Foundation
import RavaoCore
import RavaoStore
import SQLKit

/// `ravao-bench bench-tracing`: times traces and a province dashboard on a database filled by
/// `Benchmarks/gen-checkins.py` (SQLite; cases are drawn by rowid) or `Benchmarks/gen-national.py`
/// (PostgreSQL; cases are drawn from a table sample).
struct BenchTracing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench-tracing", abstract: "Time 14-day traces (depth 1 and 2) and a province dashboard.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Random cases to trace") var cases: Int = 30
    @Option(help: "Window in days") var days: Int = 14
    @Option(help: "Random seed") var seed: UInt64 = 7
    @Option(help: "Seconds after which a trace is stopped and counted as slower") var caseLimit: Int = 60
    @Option(help: "Contacts past which a trace is refused, as the server does (--maximum-trace-contacts); 0: none") var maximumContacts: Int = 0

    func run() async throws {
        let logger = db.logger()
        let engine = try await openDatabase(try db.location(), logger: logger)
        let store = Store(engine: engine)
        var rng = SeededRandom(seed: seed)
        let postgres = engine.kind == .postgres
        let (maxRow, lo, hi) = try await engine.read { db in
            let row = try await db.raw(postgres ? "SELECT 0 AS n, MIN(scanned_at) AS lo, MAX(scanned_at) AS hi FROM checkins"
                                                : "SELECT MAX(rowid) AS n, MIN(scanned_at) AS lo, MAX(scanned_at) AS hi FROM checkins").first()!
            return (try row.decode(column: "n", as: Int.self), try row.decode(column: "lo", as: Int64.self), try row.decode(column: "hi", as: Int64.self))
        }
        var picks: [(UUID, Int64)] = []
        if postgres {
            // No rowid: random pages of the check-ins (the same ones for the same seed), then a random
            // row of each, in sampled order.
            var rows: [any SQLRow] = []
            for percent in ["0.01", "0.1", "1", "10", "100"] where rows.count < cases {
                rows = try await engine.read { db in
                    try await db.raw("""
                        SELECT person_id, scanned_at FROM checkins TABLESAMPLE SYSTEM (\(unsafeRaw: percent)) REPEATABLE (\(unsafeRaw: String(seed % 1_000_000)))
                        """).all()
                }
            }
            var sampled = try rows.map { (UUID(uuidString: try $0.decode(column: "person_id", as: String.self))!, try $0.decode(column: "scanned_at", as: Int64.self)) }
            while picks.count < cases && !sampled.isEmpty {
                picks.append(sampled.remove(at: Int.random(in: 0..<sampled.count, using: &rng)))
            }
        }
        while picks.count < cases && !postgres {
            let rowid = Int.random(in: 1...maxRow, using: &rng)
            if let row = try await engine.read({ db in try await db.raw("SELECT person_id, scanned_at FROM checkins WHERE rowid = \(bind: rowid)").first() }) {
                picks.append((UUID(uuidString: try row.decode(column: "person_id", as: String.self))!, try row.decode(column: "scanned_at", as: Int64.self)))
            }
        }
        let window = Int64(days) * 86_400
        // The dashboard first: it does not depend on how long the slowest traces take.
        try await benchDashboards(store: store, engine: engine, hi: hi)
        for depth in [1, 2] {
            var times: [Double] = [], contacts: [Int] = [], records: [Int] = [], overLimit = 0, refused: [Double] = []
            let maximum = maximumContacts > 0 ? maximumContacts : .max
            for (n, (person, at)) in picks.enumerated() {
                let to = min(hi, at + window / 2), from = max(lo, to - window)
                let started = ContinuousClock.now
                let source = store.tracing()
                let limit = caseLimit
                // A case at the busiest market reaches a large part of the city at depth 2; such a case is
                // stopped at the limit and counted as slower than it, which leaves p50 exact as long as
                // fewer than half the cases are stopped.
                let result: Tracing.Result?
                do {
                  result = try await withThrowingTaskGroup(of: Tracing.Result?.self) { group in
                    group.addTask { try await Tracing.trace(person: person, from: from, to: to, bufferSeconds: 3600, depth: depth, source: source, maximumContacts: maximum) }
                    group.addTask { try await Task.sleep(for: .seconds(limit)); return nil }
                    let first = try await group.next()!
                    group.cancelAll()
                    return first
                  }
                } catch is Tracing.TooManyContacts {
                    // The server answers `trace_too_large` here: timed apart, as refusals.
                    refused.append(Self.ms(ContinuousClock.now - started))
                    FileHandle.standardError.write(Data("  depth \(depth) case \(n + 1): refused (over \(maximum) contacts) after \(String(format: "%.1f", refused.last!)) ms\n".utf8))
                    continue
                }
                let ms = Self.ms(ContinuousClock.now - started)
                if let result {
                    times.append(ms)
                    contacts.append(Set(result.contacts.map(\.personId)).count)
                    records.append(result.contacts.count)
                } else {
                    times.append(.infinity)
                    overLimit += 1
                }
                let line = "  depth \(depth) case \(n + 1): \(result == nil ? "stopped at \(limit) s" : String(format: "%.1f ms, %d people, %d contact records", ms, contacts.last!, records.last!))\n"
                FileHandle.standardError.write(Data(line.utf8))
            }
            if maximumContacts > 0 { say("depth \(depth): refused over \(maximumContacts) contacts: \(refused.count) of \(picks.count)" + (refused.isEmpty ? "" : ", refusals \(Self.summary(refused))")) }
            say("depth \(depth)\(maximumContacts > 0 ? " (traces within the limit)" : ""): \(Self.summary(times)); stopped at \(caseLimit) s: \(overLimit) of \(picks.count); contacts per case (finished) p50 \(Self.percentile(contacts.map(Double.init), 0.5)) max \(contacts.max() ?? 0)")
        }
        await engine.shutdown()
    }

    func benchDashboards(store: Store, engine: any DatabaseEngine, hi: Int64) async throws {
        let provinces = try await engine.read { db in
            try await db.raw("SELECT province_code AS code, COUNT(*) AS n FROM places GROUP BY province_code ORDER BY n DESC").all().map { try $0.decode(column: "code", as: String.self) }
        }
        var times: [Double] = []
        let toDay = DashboardStore.day(hi), fromDay = toDay - Int64(days) + 1
        // What the stats route does: the unit's children, then the counts (three passes over the provinces).
        for _ in 0..<3 {
            for code in provinces.prefix(10) {
                let started = ContinuousClock.now
                let wards = try await store.units.children(of: code, scheme: .y2025).map(\.code)
                _ = try await store.dashboard.stats(Jurisdiction(scope: .province, code: code), scheme: .y2025, childColumn: "ward_code", childCodes: wards,
                                                    fromDay: fromDay, toDay: toDay, type: nil)
                times.append(Self.ms(ContinuousClock.now - started))
            }
        }
        say("province dashboard (\(days) days, per-ward children; 10 largest provinces × 3): \(Self.summary(times))")
        times = []
        for _ in 0..<5 {
            let started = ContinuousClock.now
            let provinceCodes = try await store.units.children(of: nil, scheme: .y2025).map(\.code)
            _ = try await store.dashboard.stats(.country, scheme: .y2025, childColumn: "province_code", childCodes: provinceCodes, fromDay: fromDay, toDay: toDay, type: nil)
            times.append(Self.ms(ContinuousClock.now - started))
        }
        say("country dashboard (\(days) days, per-province children; × 5): \(Self.summary(times))")
    }

    /// Each figure as soon as it is known, unbuffered even into a file: a long run may be stopped.
    func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }
    static func summary(_ values: [Double]) -> String {
        String(format: "p50 %.1f ms, p90 %.1f ms, p95 %.1f ms, max %.1f ms (n=%d)", percentile(values, 0.5), percentile(values, 0.9), percentile(values, 0.95),
               values.max() ?? 0, values.count)
    }
}

/// SplitMix64, so a benchmark run picks the same cases again.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
