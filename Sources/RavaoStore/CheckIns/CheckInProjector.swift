import Foundation
import Logging
import RavaoCore
import SQLKit

/// Keeps the tables derived from check-ins (the dashboard rollups and the stays) up to date, behind
/// the check-in writer instead of inside its transaction.
///
/// The writer's transaction records each check-in and queues, in `checkin_projection`, the little the
/// derived tables need (place, person, time). A pass takes the oldest queued rows, applies them with
/// `DashboardRollups.add` and `StayRollups.add`, and deletes them, all in one transaction: a crash
/// before the commit leaves them queued, after it leaves them applied, so each is applied exactly once.
/// A scan's answer therefore waits for its check-in's fsync only, and the rollups are written a few
/// thousand at a time, where one place's day, one unit's tally or one person's chain is read and
/// written once for many scans.
///
/// Reads that must be exact (dashboards, risk lists, tracing) call `catchUp()` first, through
/// `ProjectedReads`: it applies what was queued before the read began. On PostgreSQL every instance
/// runs a projector; `FOR UPDATE SKIP LOCKED` hands each queued row to one of them, and the row locks
/// `DashboardRollups.add` takes make two passes over the same person or place take turns.
public final class CheckInProjector: Sendable {
    let engine: any DatabaseEngine
    /// Rows per pass: large enough that a pass amortises its fsync and its reads. On SQLite a pass
    /// holds the one writer the scans wait for, so passes stay small there and run back to back while
    /// a backlog lasts, with the writer's batches between them: at 64 connections, 150 rows gave a scan
    /// p99 of 72 ms where 500 gave 112 ms, for 10 % fewer scans a second (RESULTS.md, 19:50 UTC).
    public let batchSize: Int
    /// One pass at a time in this process: passes over the same rows would only wait for each other.
    private let passes = AsyncLock()
    /// The dashboard keys this projector's passes have seen stored.
    let known = KnownRollupKeys()

    public init(engine: any DatabaseEngine, batchSize: Int? = nil) {
        self.engine = engine
        self.batchSize = batchSize ?? (engine.kind == .sqlite ? 150 : 4000)
    }

    /// One pass: applies up to `batchSize` queued check-ins. Returns how many it applied (0 when the
    /// queue is empty, or when every queued row is being applied by another instance).
    @discardableResult
    public func pass() async throws -> Int {
        try await passes.withLock {
            do {
                return try await self.passOnce()
            } catch is KnownRollupKeys.Changed {
                // Rolled back; run again under the new generation, with nothing remembered.
                return try await self.passOnce()
            }
        }
    }

    private func passOnce() async throws -> Int {
        let (n, seen) = try await engine.write { db in try await Self.apply(limit: self.batchSize, known: self.known, db: db) }
        if let seen { known.remember(seen) }
        return n
    }

    /// Returns once every check-in queued before the call has been applied, by this process or another.
    public func catchUp() async throws {
        guard let target = try await engine.read({ db in
            try await db.raw("SELECT MAX(seq) AS n FROM checkin_projection").first()?.decode(column: "n", as: Int64?.self)
        }) else { return }
        while true {
            let n = try await pass()
            let oldest = try await engine.read { db in
                try await db.raw("SELECT MIN(seq) AS n FROM checkin_projection").first()?.decode(column: "n", as: Int64?.self)
            }
            guard let oldest, oldest <= target else { return }
            // Everything left up to the target is in another instance's pass: wait for its commit.
            if n == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Seconds the oldest queued check-in has waited, at `now` (0 when nothing waits).
    public func lag(now: Int64) async throws -> Int64 {
        try await engine.read { db in
            let oldest = try await db.raw("SELECT queued_at FROM checkin_projection ORDER BY seq LIMIT 1").first()?.decode(column: "queued_at", as: Int64.self)
            return oldest.map { max(0, now - $0) } ?? 0
        }
    }

    /// Applies one person's queued check-ins inside the caller's transaction, before a change to that
    /// person's check-ins (a phone changing owner): a later pass would judge them by what it wrote.
    static func apply(person: UUID, db: any SQLDatabase) async throws {
        while try await apply(limit: 1000, person: person, db: db).count > 0 {}
    }

    /// Applies every queued check-in inside the caller's transaction, and keeps new ones out until it
    /// commits: a rebuild of the derived tables reads the check-ins, so one still queued would be
    /// counted by the rebuild and again by the pass that later applies it. On PostgreSQL the queue is
    /// locked against the writer's inserts and other instances' passes (reads of it go on); SQLite's
    /// transaction holds its one writer anyway.
    static func applyAll(db: any SQLDatabase) async throws {
        if db.dialect.name == "postgresql" { try await db.raw("LOCK TABLE checkin_projection IN EXCLUSIVE MODE").run() }
        while try await apply(limit: 1000, db: db).count > 0 {}
    }

    /// `known`: given by the projector's own passes, whose commit it learns from (see `KnownRollupKeys`).
    static func apply(limit: Int, person: UUID? = nil, known: KnownRollupKeys? = nil,
                      db: any SQLDatabase) async throws -> (count: Int, seen: KnownRollupKeys.Seen?) {
        var query = SQLQueryString("DELETE FROM checkin_projection WHERE seq IN (SELECT seq FROM checkin_projection")
        if let person {
            query.appendLiteral(" WHERE person_id = ")
            query.appendInterpolation(bind: person.text)
        }
        query.appendLiteral(" ORDER BY seq LIMIT \(limit)\(db.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : "")) RETURNING place_id, person_id, scanned_at, direction")
        let rows = try await db.raw(query).all()
        guard !rows.isEmpty else { return (0, nil) }
        if db.dialect.name == "postgresql" {
            // A pass's statements carry thousands of keys, so their plans cost more than PostgreSQL's
            // `jit_above_cost`: each execution compiled its expressions anew, 39 ms of the stays read's
            // 87 ms on 2,000 keys (EXPLAIN ANALYZE), for statements that are all index lookups.
            try await db.raw("SET LOCAL jit = off").run()
        }
        let written = try rows.map { row in
            (placeId: UUID(text: try row.decode(column: "place_id", as: String.self))!,
             personId: UUID(text: try row.decode(column: "person_id", as: String.self))!,
             scannedAt: try row.decode(column: "scanned_at", as: Int64.self),
             direction: try row.decode(column: "direction", as: String?.self).flatMap(CheckInDirection.init(rawValue:)))
        }
        let counted = try await DashboardRollups.add(written.map { ($0.placeId, $0.personId, $0.scannedAt) }, known: known, db: db)
        try await StayRollups.add(written, firstCounted: counted.firstCounted, db: db)
        return (rows.count, counted.seen)
    }
}

/// An engine whose reads first let the projector apply what was queued: the dashboards, risk lists
/// and traces built over it count every check-in that was answered before they were asked.
public struct ProjectedReads: DatabaseEngine {
    let base: any DatabaseEngine
    let projector: CheckInProjector

    public init(_ base: any DatabaseEngine, projector: CheckInProjector) {
        self.base = base
        self.projector = projector
    }

    public var kind: EngineKind { base.kind }
    public var writerLanes: Int { base.writerLanes }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await projector.catchUp()
        return try await base.read(body)
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await base.write(body)
    }

    public func writeBatch<T: Sendable>(_ body: @Sendable (any SQLDatabase, _ begin: @Sendable () async throws -> Void) async throws -> T) async throws -> T {
        try await base.writeBatch(body)
    }

    /// The base engine is shut down by its owner.
    public func shutdown() async {}
}
