import Foundation
import RavaoCore
import SQLKit
import Synchronization

/// Reads for tracing (A4), from the stays the check-in writer keeps (see `StayRollups`): a person's
/// through (person_id, started_at), a place's through (place_id, span_class, started_at, ...), one
/// range per span class, for many windows in one statement.
public final class TracingStore: Tracing.Source {
    let engine: any DatabaseEngine
    /// Places' default stays and units, read once per trace.
    private let places = Mutex<[UUID: PlaceFacts]>([:])

    public struct PlaceFacts: Sendable {
        public let defaultStaySeconds: Int64
        public let wardCode: String
        public let districtCode: String?
        public let provinceCode: String
    }

    public init(engine: any DatabaseEngine) { self.engine = engine }

    /// Windows per statement: four binds each, well under both engines' limits.
    static let windowsPerStatement = 500

    public func stays(of person: UUID, from: Int64, to: Int64) async throws -> [Tracing.PlaceStay] {
        try await stays(of: [person], from: from, to: to)[person] ?? []
    }

    public func stays(of people: [UUID], from: Int64, to: Int64) async throws -> [UUID: [Tracing.PlaceStay]] {
        try await engine.read { db in
            var out: [UUID: [Tracing.PlaceStay]] = [:]
            for chunk in people.map(\.uuidString).chunks(of: Self.windowsPerStatement) {
                // No stay is longer than 24 h, so one that reaches `from` started at most 24 h before it.
                var query = CheckInWriter.values("SELECT person_id, place_id, started_at, ended_at FROM stays WHERE person_id IN (", chunk, suffix: ")") { "\(bind: $0)" }
                query.appendInterpolation(" AND started_at >= \(bind: from - Stays.exitWindow) AND started_at <= \(bind: to) AND ended_at >= \(bind: from)" as SQLQueryString)
                for row in try await db.raw(query).all() {
                    guard let person = UUID(uuidString: try row.decode(column: "person_id", as: String.self)),
                          let place = UUID(uuidString: try row.decode(column: "place_id", as: String.self)) else { continue }
                    out[person, default: []].append(Tracing.PlaceStay(placeId: place, stay: Stay(from: try row.decode(column: "started_at", as: Int64.self),
                                                                                               to: try row.decode(column: "ended_at", as: Int64.self))))
                }
            }
            return out
        }
    }

    public func stays(at place: UUID, from: Int64, to: Int64) async throws -> [UUID: [Stay]] {
        try await stays(at: [Tracing.PlaceWindow(placeId: place, from: from, to: to)])[0]
    }

    public func stays(at windows: [Tracing.PlaceWindow]) async throws -> [[UUID: [Stay]]] {
        try await engine.read { db in
            var out = [[UUID: [Stay]]](repeating: [:], count: windows.count)
            for chunk in Array(windows.indices).chunks(of: Self.windowsPerStatement) {
                // For each window and span class, the stays of that class starting late enough to reach
                // the window and early enough to start in it. CROSS JOIN keeps SQLite's planner to this
                // order: windows, classes, then an index range each.
                let query = CheckInWriter.values("WITH w(n, place_id, lo, hi) AS (VALUES ", chunk, suffix: """
                    ), k(span_class, span) AS (\(StayRollups.classRows))
                    SELECT w.n, s.person_id, s.started_at, s.ended_at FROM w CROSS JOIN k CROSS JOIN stays s
                    WHERE s.place_id = w.place_id AND s.span_class = k.span_class
                      AND s.started_at >= w.lo - k.span AND s.started_at <= w.hi AND s.ended_at >= w.lo
                    """) { i in
                    "(\(bind: i), \(bind: windows[i].placeId.uuidString), \(bind: windows[i].from), \(bind: windows[i].to))"
                }
                for row in try await db.raw(query).all() {
                    guard let person = UUID(uuidString: try row.decode(column: "person_id", as: String.self)) else { continue }
                    out[try row.decode(column: "n", as: Int.self)][person, default: []]
                        .append(Stay(from: try row.decode(column: "started_at", as: Int64.self), to: try row.decode(column: "ended_at", as: Int64.self)))
                }
            }
            return out
        }
    }

    /// Default stays and units of places, remembered for the life of this object.
    public func placeFacts(_ ids: [UUID]) async throws -> [UUID: PlaceFacts] {
        let known = places.withLock { $0 }
        let missing = ids.filter { known[$0] == nil }
        if missing.isEmpty { return known }
        let found = try await engine.read { db in
            var found: [UUID: PlaceFacts] = [:]
            for chunk in stride(from: 0, to: missing.count, by: 400) {
                var query = SQLQueryString("SELECT id, default_stay_minutes, ward_code, district_code, province_code FROM places WHERE id IN (")
                for (i, id) in missing[chunk..<min(chunk + 400, missing.count)].enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: id.uuidString)
                }
                query.appendLiteral(")")
                for row in try await db.raw(query).all() {
                    found[UUID(uuidString: try row.decode(column: "id", as: String.self))!] = PlaceFacts(
                        defaultStaySeconds: Int64(try row.decode(column: "default_stay_minutes", as: Int.self)) * 60,
                        wardCode: try row.decode(column: "ward_code", as: String.self),
                        districtCode: try row.decode(column: "district_code", as: String?.self),
                        provinceCode: try row.decode(column: "province_code", as: String.self))
                }
            }
            return found
        }
        return places.withLock { cache in
            cache.merge(found) { a, _ in a }
            return cache
        }
    }

    // MARK: Finding people

    /// The person behind an identifier (`phone` in E.164, `cccd`, `ravao` person id, ...), following merges.
    public func person(kind: String, value: String) async throws -> UUID? {
        try await engine.read { db in
            var id: String?
            if kind == "ravao" {
                id = try await db.raw("SELECT id FROM people WHERE id = \(bind: value)").first()?.decode(column: "id", as: String.self)
            } else {
                id = try await db.raw("SELECT person_id FROM person_identifiers WHERE kind = \(bind: kind) AND value = \(bind: value)").first()?
                    .decode(column: "person_id", as: String.self)
            }
            // No gate has read the card (nor has anyone proven it): the one citizen who typed the number on
            // a profile is who a hospital's report most likely means. A claim never decides whose card scans
            // are whose; it only lets an officer find a case, and two claimants find nobody.
            if id == nil, kind == "cccd" || kind == "bhyt" {
                let claimants = try await db.raw("""
                    SELECT id FROM people WHERE \(unsafeRaw: kind == "cccd" ? "cccd_claim" : "bhyt_claim") = \(bind: value) AND merged_into IS NULL LIMIT 2
                    """).all()
                if claimants.count == 1 { id = try claimants[0].decode(column: "id", as: String.self) }
            }
            if id == nil, kind == "phone" {
                id = try await db.raw("SELECT p.id FROM people p JOIN accounts a ON a.id = p.account_id WHERE a.phone = \(bind: value)").first()?
                    .decode(column: "id", as: String.self)
            }
            // A card-first person merged into a citizen answers as the citizen.
            for _ in 0..<4 {
                guard let current = id, let next = try await db.raw("SELECT merged_into FROM people WHERE id = \(bind: current)").first()?
                    .decode(column: "merged_into", as: String?.self) else { break }
                id = next
            }
            return id.flatMap(UUID.init(uuidString:))
        }
    }

    public struct PersonSummary: Sendable, Equatable {
        public let id: UUID
        public let fullName: String
        public let phone: String?
        public let wardCode: String?
    }

    /// Names and phones of people, for tables and exports: the part of `details` a list needs.
    public func summaries(_ ids: [UUID]) async throws -> [UUID: PersonSummary] {
        try await details(ids).mapValues { PersonSummary(id: $0.id, fullName: $0.fullName, phone: $0.phone, wardCode: $0.wardCode) }
    }

    /// Names of places, for tables and exports.
    public func placeNames(_ ids: [UUID]) async throws -> [UUID: String] {
        let unique = Array(Set(ids))
        return try await engine.read { db in
            var out: [UUID: String] = [:]
            for chunk in stride(from: 0, to: unique.count, by: 400) {
                var query = SQLQueryString("SELECT id, name FROM places WHERE id IN (")
                for (i, id) in unique[chunk..<min(chunk + 400, unique.count)].enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: id.uuidString)
                }
                query.appendLiteral(")")
                for row in try await db.raw(query).all() {
                    out[UUID(uuidString: try row.decode(column: "id", as: String.self))!] = try row.decode(column: "name", as: String.self)
                }
            }
            return out
        }
    }
}
