import Foundation
import RavaoCore
import SQLKit
import Synchronization

/// Reads for tracing (A4): only the check-ins that can form the stays asked for, through the
/// (person_id, scanned_at) and (place_id, scanned_at) indexes. For stays overlapping [from, to]: entries
/// from `from` − 24 h (an exit closes an entry up to 24 h later; default stays are at most 24 h) up to
/// `to` (later entries start later stays and never close anything), exits up to `to` + 24 h.
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

    public func stays(of person: UUID, from: Int64, to: Int64) async throws -> [Tracing.PlaceStay] {
        let rows = try await engine.read { db in
            try await db.raw("""
                SELECT place_id, direction, scanned_at FROM checkins
                WHERE person_id = \(bind: person.uuidString) AND scanned_at >= \(bind: from - Tracing.scanMargin) AND scanned_at <= \(bind: to + Tracing.scanMargin)
                  AND (direction = 'out' OR scanned_at <= \(bind: to))
                """).all().map { row in
                (place: try row.decode(column: "place_id", as: String.self), direction: try row.decode(column: "direction", as: String.self),
                 at: try row.decode(column: "scanned_at", as: Int64.self))
            }
        }
        var byPlace: [String: [(direction: CheckInDirection, at: Int64)]] = [:]
        for row in rows { byPlace[row.place, default: []].append((CheckInDirection(rawValue: row.direction) ?? .in, row.at)) }
        let ids = byPlace.keys.compactMap(UUID.init(uuidString:))
        let facts = try await placeFacts(ids)
        return byPlace.flatMap { place, scans -> [Tracing.PlaceStay] in
            guard let id = UUID(uuidString: place) else { return [] }
            return Stays.compute(scans, defaultStaySeconds: facts[id]?.defaultStaySeconds ?? 3600)
                .filter { Tracing.overlaps($0, from: from, to: to) }.map { Tracing.PlaceStay(placeId: id, stay: $0) }
        }
    }

    public func stays(at place: UUID, from: Int64, to: Int64) async throws -> [UUID: [Stay]] {
        let stay = try await placeFacts([place])[place]?.defaultStaySeconds ?? 3600
        let margin = Tracing.scanMargin
        // At a busy market the 24 h margins hold twenty times the check-ins of the window itself, and
        // almost none of them can touch it. Only these can: an entry that is recent enough for its
        // default stay to reach `from`, or that has an exit at or after `from` within 24 h; an exit in
        // the window (it may be a stay of its own); an exit outside it that can close a kept entry.
        // Everything dropped would only make stays that end before `from` (see TracingStoreTests).
        // SQLite's planner would rather range over the place's check-ins for these lookups (the place is
        // an equality too) than take the person's few: say which index to use.
        let personIndex = engine.kind == .sqlite ? " INDEXED BY checkins_person_time" : ""
        func kept(_ entry: String) -> SQLQueryString {
            """
            (\(unsafeRaw: entry).scanned_at >= \(bind: from - stay) OR EXISTS (
                SELECT 1 FROM checkins o\(unsafeRaw: personIndex) WHERE o.person_id = \(unsafeRaw: entry).person_id AND o.place_id = \(unsafeRaw: entry).place_id
                  AND o.direction = 'out' AND o.scanned_at >= \(unsafeRaw: entry).scanned_at AND o.scanned_at <= \(unsafeRaw: entry).scanned_at + \(bind: margin)
                  AND o.scanned_at >= \(bind: from)))
            """
        }
        let query: SQLQueryString = """
                SELECT c.person_id, c.direction, c.scanned_at FROM checkins c
                WHERE c.place_id = \(bind: place.uuidString) AND c.scanned_at >= \(bind: from - margin) AND c.scanned_at <= \(bind: to + margin)
                  AND ((c.direction = 'in' AND c.scanned_at <= \(bind: to) AND \(kept("c")))
                    OR (c.direction = 'out' AND ((c.scanned_at >= \(bind: from) AND c.scanned_at <= \(bind: to)) OR EXISTS (
                        SELECT 1 FROM checkins i\(unsafeRaw: personIndex) WHERE i.person_id = c.person_id AND i.place_id = c.place_id AND i.direction = 'in'
                          AND i.scanned_at <= c.scanned_at AND i.scanned_at >= c.scanned_at - \(bind: margin) AND i.scanned_at <= \(bind: to)
                          AND \(kept("i"))))))
                """
        let rows = try await engine.read { db in
            try await db.raw(query).all().map { row in
                (person: try row.decode(column: "person_id", as: String.self), direction: try row.decode(column: "direction", as: String.self),
                 at: try row.decode(column: "scanned_at", as: Int64.self))
            }
        }
        var byPerson: [String: [(direction: CheckInDirection, at: Int64)]] = [:]
        for row in rows { byPerson[row.person, default: []].append((CheckInDirection(rawValue: row.direction) ?? .in, row.at)) }
        var out: [UUID: [Stay]] = [:]
        for (person, scans) in byPerson {
            let stays = Stays.compute(scans, defaultStaySeconds: stay).filter { Tracing.overlaps($0, from: from, to: to) }
            if !stays.isEmpty, let id = UUID(uuidString: person) { out[id] = stays }
        }
        return out
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

    /// Names and phones of people, for tables and exports.
    public func summaries(_ ids: [UUID]) async throws -> [UUID: PersonSummary] {
        let unique = Array(Set(ids))
        return try await engine.read { db in
            var out: [UUID: PersonSummary] = [:]
            for chunk in stride(from: 0, to: unique.count, by: 400) {
                var query = SQLQueryString("""
                    SELECT p.id, p.full_name, p.ward_code, a.phone AS account_phone,
                        (SELECT MIN(i.value) FROM person_identifiers i WHERE i.person_id = p.id AND i.kind = 'phone') AS phone
                    FROM people p LEFT JOIN accounts a ON a.id = p.account_id WHERE p.id IN (
                    """)
                for (i, id) in unique[chunk..<min(chunk + 400, unique.count)].enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: id.uuidString)
                }
                query.appendLiteral(")")
                for row in try await db.raw(query).all() {
                    let id = UUID(uuidString: try row.decode(column: "id", as: String.self))!
                    out[id] = PersonSummary(id: id, fullName: try row.decode(column: "full_name", as: String.self),
                                            phone: try row.decode(column: "account_phone", as: String?.self) ?? row.decode(column: "phone", as: String?.self),
                                            wardCode: try row.decode(column: "ward_code", as: String?.self))
                }
            }
            return out
        }
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
