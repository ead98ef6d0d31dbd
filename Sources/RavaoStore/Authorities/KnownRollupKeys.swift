import Foundation
import SQLKit
import Synchronization

/// The rows of `unit_people_days` and `place_day_people` one projector has seen stored, so its passes
/// stop asking PostgreSQL about people seen again the same day (issue 16): a returning person's scan
/// had its three chain keys (ward, province, country) looked up and its visit inserted in vain, the
/// largest part of a pass.
///
/// Exact because those rows, once committed, stay until something deletes them, and everything that
/// deletes them (`rebuildUnitRollups`, retention) changes `settings.rollups_generation` in the same
/// transaction. A pass reads the generation before it uses what is known (a new one forgets
/// everything) and again after its last statement: a rebuild or purge that committed in between
/// makes the pass fail with `Changed` (rolled back, then run again). Keys learnt by a pass are kept
/// only once it has committed, and only under the generation it read. Another instance's rows are
/// simply not known here: they are looked up, as before.
final class KnownRollupKeys: Sendable {
    struct Chain: Hashable, Sendable { let scheme: String; let unit: String; let person: UUID; let day: Int64 }
    struct Visit: Hashable, Sendable { let place: UUID; let person: UUID; let day: Int64 }

    /// What a pass looked up or wrote (the keys it did not know), to remember once it has committed.
    struct Seen: Sendable {
        let generation: String
        let chains: [Chain]
        let visits: [Visit]
    }

    /// A rebuild or a purge committed while a pass ran.
    struct Changed: Error {}

    private struct State {
        var generation: String?
        var chains = Set<Chain>()
        var visits = Set<Visit>()
        var hits = 0
    }
    private let state = Mutex(State())
    /// Keys kept at most (~70 bytes each): past it, days before the latest pass's day are forgotten,
    /// then everything (a national day holds millions; a miss only costs the lookup it used to).
    let capacity: Int

    init(capacity: Int = 400_000) { self.capacity = capacity }

    static let setting = "rollups_generation"
    /// The tables whose deletes must `invalidate`.
    static let tables: Set<String> = ["place_day_people", "unit_people_days"]

    static func generation(_ db: any SQLDatabase) async throws -> String {
        try await db.raw("SELECT value FROM settings WHERE key = \(bind: setting)").first()?.decode(column: "value", as: String.self) ?? ""
    }

    /// In the transaction that deletes rows of `unit_people_days` or `place_day_people`.
    static func invalidate(_ db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO settings (key, value) VALUES (\(bind: setting), \(bind: UUID().text))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """).run()
    }

    /// A pass starts under `generation`: a different one than the last forgets every key.
    func begin(generation: String) {
        state.withLock { s in
            if s.generation != generation { s = State(generation: generation, hits: s.hits) }
        }
    }

    /// Whether each of `chains` and `visits` is known to be stored.
    func known(chains: [Chain], visits: [Visit]) -> (chains: [Bool], visits: [Bool]) {
        state.withLock { s in
            let c = chains.map { s.chains.contains($0) }, v = visits.map { s.visits.contains($0) }
            s.hits += c.count { $0 } + v.count { $0 }
            return (c, v)
        }
    }

    /// After the pass's commit.
    func remember(_ seen: Seen) {
        state.withLock { s in
            guard s.generation == seen.generation else { return }
            if s.chains.count + s.visits.count + seen.chains.count + seen.visits.count > capacity {
                let latest = max(seen.chains.map(\.day).max() ?? .min, seen.visits.map(\.day).max() ?? .min)
                s.chains = s.chains.filter { $0.day >= latest }
                s.visits = s.visits.filter { $0.day >= latest }
                if s.chains.count + s.visits.count + seen.chains.count + seen.visits.count > capacity {
                    s.chains.removeAll()
                    s.visits.removeAll()
                }
            }
            s.chains.formUnion(seen.chains)
            s.visits.formUnion(seen.visits)
        }
    }

    /// Keys a pass did not look up because they were known (for tests).
    var hits: Int { state.withLock { $0.hits } }
}
