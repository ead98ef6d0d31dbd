import Foundation
import RavaoCore
import SQLKit

extension PlaceStore {
    /// Live places whose folded text (name, address, units, type, registrant, plate) holds every word
    /// of `text`, inside one unit (`column` is `province_code`, `district_code` or `ward_code`; nil
    /// for the whole country). For officers choosing a place: nothing outside the unit is ever read.
    public func search(_ text: String, column: String?, code: String?, limit: Int = 20) async throws -> [Place] {
        let terms = TextFolding.terms(text).prefix(8)
        guard !terms.isEmpty else { return [] }
        return try await engine.read { db in
            var conditions = SQLQueryString("p.deleted_at IS NULL")
            if let column, let code {
                // The column comes from `Jurisdiction.placeColumn`, never from a request.
                precondition(["province_code", "district_code", "ward_code"].contains(column))
                conditions += SQLQueryString(" AND p.\(unsafeRaw: column) = \(bind: code)")
            }
            for term in terms {
                let pattern = "%" + Self.escapeLike(term) + "%"
                conditions += " AND p.search_text LIKE \(bind: pattern) ESCAPE '\\'" as SQLQueryString
            }
            return try await db.raw(SQLQueryString("SELECT p.* FROM places p WHERE ") + conditions
                + SQLQueryString(" ORDER BY p.name, p.id LIMIT \(bind: limit)")).all().map(Self.place(from:))
        }
    }
}
