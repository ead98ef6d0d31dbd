import Foundation
import RavaoCore
import SQLKit

extension TracingStore {
    /// What a tracing team needs to reach a person: the name, a phone (the account's, else one seen
    /// at a door), the CCCD and BHYT numbers seen on cards, the birth year and the home address.
    public struct PersonDetails: Sendable, Equatable {
        public let id: UUID
        public let fullName: String
        public let phone: String?
        public let cccd: String?
        public let bhyt: String?
        public let birthYear: Int?
        public let wardCode: String?
        public let address: String?
    }

    public func details(_ ids: [UUID]) async throws -> [UUID: PersonDetails] {
        let unique = Array(Set(ids))
        return try await engine.read { db in
            var out: [UUID: PersonDetails] = [:]
            for chunk in stride(from: 0, to: unique.count, by: 400) {
                var query = SQLQueryString("""
                    SELECT p.id, p.full_name, p.ward_code, p.address, p.birth_date, a.phone AS account_phone,
                        (SELECT MIN(i.value) FROM person_identifiers i WHERE i.person_id = p.id AND i.kind = 'phone') AS phone,
                        (SELECT MIN(i.value) FROM person_identifiers i WHERE i.person_id = p.id AND i.kind = 'cccd') AS cccd,
                        (SELECT MIN(i.value) FROM person_identifiers i WHERE i.person_id = p.id AND i.kind = 'bhyt') AS bhyt
                    FROM people p LEFT JOIN accounts a ON a.id = p.account_id WHERE p.id IN (
                    """)
                for (i, id) in unique[chunk..<min(chunk + 400, unique.count)].enumerated() {
                    if i > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(bind: id.uuidString)
                }
                query.appendLiteral(")")
                for row in try await db.raw(query).all() {
                    let id = UUID(uuidString: try row.decode(column: "id", as: String.self))!
                    let birth = try row.decode(column: "birth_date", as: String?.self)
                    out[id] = PersonDetails(
                        id: id, fullName: try row.decode(column: "full_name", as: String.self),
                        phone: try row.decode(column: "account_phone", as: String?.self) ?? row.decode(column: "phone", as: String?.self),
                        cccd: try row.decode(column: "cccd", as: String?.self), bhyt: try row.decode(column: "bhyt", as: String?.self),
                        birthYear: birth.flatMap { Int($0.prefix(4)) },
                        wardCode: try row.decode(column: "ward_code", as: String?.self),
                        address: try row.decode(column: "address", as: String?.self).flatMap { $0.isEmpty ? nil : $0 })
                }
            }
            return out
        }
    }
}
