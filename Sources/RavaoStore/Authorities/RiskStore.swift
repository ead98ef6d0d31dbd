import Foundation
import RavaoCore
import SQLKit

/// Who the risk list (A3) looks at: people living in a jurisdiction or seen at its places lately.
public struct RiskStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    /// Whether a person lives in `jurisdiction` or was seen at one of its places since `sinceDay`.
    public func isInside(_ person: UUID, _ jurisdiction: Jurisdiction, scheme: UnitScheme, sinceDay: Int64) async throws -> Bool {
        guard jurisdiction.scope != .country else {
            return try await engine.read { db in try await db.raw("SELECT id FROM people WHERE id = \(bind: person.uuidString)").first() != nil }
        }
        let query = try await sql(jurisdiction, scheme: scheme, sinceDay: sinceDay)
        return try await engine.read { db in
            var q = SQLQueryString("SELECT id FROM (")
            q.appendInterpolation(query)
            q.appendInterpolation(") c WHERE id = \(bind: person.uuidString)" as SQLQueryString)
            return try await db.raw(q).first() != nil
        }
    }

    /// People whose home ward lies in `jurisdiction`, or who were seen (by the dashboard rollups) at one
    /// of its places on local days `sinceDay` or later; at most `limit`, in id order.
    public func candidates(_ jurisdiction: Jurisdiction, scheme: UnitScheme, sinceDay: Int64, limit: Int) async throws -> [UUID] {
        let inner = try await sql(jurisdiction, scheme: scheme, sinceDay: sinceDay)
        return try await engine.read { db in
            var query = SQLQueryString("SELECT id FROM (")
            query.appendInterpolation(inner)
            query.appendInterpolation(") c ORDER BY id LIMIT \(bind: limit)" as SQLQueryString)
            return try await db.raw(query).all().compactMap { UUID(uuidString: try $0.decode(column: "id", as: String.self)) }
        }
    }

    func sql(_ jurisdiction: Jurisdiction, scheme: UnitScheme, sinceDay: Int64) async throws -> SQLQueryString {
        var home = SQLQueryString("SELECT id FROM people WHERE merged_into IS NULL")
        var seen = SQLQueryString("SELECT x.person_id AS id FROM place_day_people x JOIN places p ON p.id = x.place_id WHERE x.day >= \(bind: sinceDay)")
        if let column = jurisdiction.placeColumn {
            let code = jurisdiction.code
            switch jurisdiction.scope {
            case .ward:
                home.appendInterpolation(" AND ward_code = \(bind: code)" as SQLQueryString)
            default:
                // Wards directly under the unit, or under its districts (2021 provinces).
                home.appendInterpolation("""
                     AND ward_code IN (SELECT code FROM admin_units WHERE scheme = \(bind: scheme.rawValue) AND (parent_code = \(bind: code)
                        OR parent_code IN (SELECT code FROM admin_units WHERE scheme = \(bind: scheme.rawValue) AND parent_code = \(bind: code))))
                    """ as SQLQueryString)
            }
            seen.appendInterpolation(" AND p.\(unsafeRaw: column) = \(bind: code)" as SQLQueryString)
        }
        home.appendLiteral(" UNION ")
        home.appendInterpolation(seen)
        return home
    }
}
