import Foundation
@testable import RavaoStore
import SQLKit
import Testing

/// `FastPostgres` binds and decodes common types itself instead of through PostgresKit: for the same
/// statement it must give what PostgresKit gives, value for value and failure for failure.
@Suite("PostgreSQL binds and rows") struct FastPostgresTests {
    @Test(.enabled(if: TestEngine.available.contains(.postgres)))
    func theSameAsPostgresKit() async throws {
        try await withApp(.postgres) { app in
            let fast: SQLQueryString = """
                SELECT \(bind: "Nguyễn | An") AS name, \(bind: Int64(-7)) AS i, \(bind: 42) AS n, \(bind: ["a", "", "é"]) AS sa,
                    \(bind: [Int64(1), -2]) AS ia, \(bind: String?.none)::text AS ns, \(bind: Int64?.some(5)) AS oi, \(bind: Int?.none)::bigint AS ni,
                    true AS b, 1.5::float8 AS d, 3::integer AS small, NULL::text AS nt, 'x' AS s, 'z' AS s
                """
            // A Bool bind is not one FastPostgres knows: the whole statement goes the PostgresKit way.
            let fallback: SQLQueryString = "SELECT \(bind: true) AS b, \(bind: "y") AS s"
            try await app.store.engine.read { db in
                let postgres = try #require(db as? PostgresConnectionSQL)
                for query in [fast, fallback] {
                    let mine = try await db.raw(query).all(), theirs = try await postgres.base.raw(query).all()
                    #expect(mine.count == 1 && theirs.count == 1)
                    let a = mine[0], b = theirs[0]
                    #expect(a.allColumns == b.allColumns)
                    for column in a.allColumns + ["missing"] {
                        #expect(a.contains(column: column) == b.contains(column: column))
                        #expect(Self.outcome { try a.decodeNil(column: column) } == Self.outcome { try b.decodeNil(column: column) }, "\(column) nil")
                        let pairs: [(String, String)] = [
                            (Self.outcome { try a.decode(column: column, as: String.self) }, Self.outcome { try b.decode(column: column, as: String.self) }),
                            (Self.outcome { try a.decode(column: column, as: String?.self) }, Self.outcome { try b.decode(column: column, as: String?.self) }),
                            (Self.outcome { try a.decode(column: column, as: Int64.self) }, Self.outcome { try b.decode(column: column, as: Int64.self) }),
                            (Self.outcome { try a.decode(column: column, as: Int64?.self) }, Self.outcome { try b.decode(column: column, as: Int64?.self) }),
                            (Self.outcome { try a.decode(column: column, as: Int.self) }, Self.outcome { try b.decode(column: column, as: Int.self) }),
                            (Self.outcome { try a.decode(column: column, as: Int?.self) }, Self.outcome { try b.decode(column: column, as: Int?.self) }),
                            (Self.outcome { try a.decode(column: column, as: Bool.self) }, Self.outcome { try b.decode(column: column, as: Bool.self) }),
                            (Self.outcome { try a.decode(column: column, as: Double.self) }, Self.outcome { try b.decode(column: column, as: Double.self) }),
                            (Self.outcome { try a.decode(column: column, as: [String].self) }, Self.outcome { try b.decode(column: column, as: [String].self) }),
                            (Self.outcome { try a.decode(column: column, as: [Int64].self) }, Self.outcome { try b.decode(column: column, as: [Int64].self) }),
                        ]
                        for (i, (mine, theirs)) in pairs.enumerated() { #expect(mine == theirs, "\(column) as type \(i)") }
                    }
                }
                // The values themselves, so that two equal failures cannot pass for agreement.
                let row = try #require(try await db.raw(fast).first())
                #expect(try row.decode(column: "name", as: String.self) == "Nguyễn | An")
                #expect(try row.decode(column: "s", as: String.self) == "z", "of two columns of one name, the last")
                #expect(try row.decode(column: "i", as: Int64.self) == -7 && row.decode(column: "n", as: Int.self) == 42)
                #expect(try row.decode(column: "sa", as: [String].self) == ["a", "", "é"] && row.decode(column: "ia", as: [Int64].self) == [1, -2])
                #expect(try row.decode(column: "ns", as: String?.self) == nil && row.decode(column: "oi", as: Int64?.self) == 5)
                #expect(try row.decode(column: "ni", as: Int64?.self) == nil && row.decode(column: "small", as: Int.self) == 3)
            }
        }
    }

    /// A decoded value as text, or "throws": failures compare equal whatever their wording.
    static func outcome<T>(_ body: () throws -> T) -> String {
        do { return "\(try body())" } catch { return "throws" }
    }
}
