import Foundation
@testable import RavaoStore
import SQLKit
import Testing

/// What the logs say of a failed statement (`LoggedError`): enough to know which constraint of which
/// table failed, never the values PostgreSQL's detail quotes from the row (a card number, a card's QR).
@Suite("Errors as logged") struct LoggedErrorTests {
    @Test(.enabled(if: TestEngine.available.contains(.postgres)))
    func aFailedStatementIsLoggedWithoutTheRowsValues() async throws {
        try await withApp(.postgres) { app in
            let card = "079085123456", payload = "079085123456||Trần Thị Bình|01011990|Nữ|Số 12 Lê Duẩn, Đà Nẵng|01012021"
            let person = UUID().text, now = app.time.seconds()
            try await app.store.engine.write { db in
                try await db.raw("INSERT INTO people (id, full_name, verified, created_at) VALUES (\(bind: person), 'Bình', 0, \(bind: now))").run()
                try await db.raw("INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('cccd', \(bind: card), \(bind: person), \(bind: now))").run()
            }
            // A card linked twice (its key quoted in the detail), and a row refused whole (the row quoted).
            let statements: [SQLQueryString] = [
                "INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('cccd', \(bind: card), \(bind: person), \(bind: now))",
                "INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, payload) VALUES (\(bind: UUID().text), \(bind: UUID().text), NULL, \(bind: person), 'in', 'cccd', \(bind: now), \(bind: now), \(bind: payload))",
            ]
            var logged: [String] = []
            for statement in statements {
                do {
                    try await app.store.engine.write { db in try await db.raw(statement).run() }
                    Issue.record("the statement was meant to fail")
                } catch {
                    // What PostgresNIO gives when asked holds the values; the logged text does not.
                    #expect(String(reflecting: error).contains(card))
                    logged.append(LoggedError.describe(error))
                }
            }
            #expect(logged.count == 2)
            for text in logged {
                #expect(!text.contains(card) && !text.contains("Bình") && !text.contains("Lê Duẩn"), "\(text)")
                #expect(text.contains("sqlState: 23"), "\(text)")
            }
            #expect(logged[0].contains("person_identifiers_pkey"))
            #expect(logged[1].contains("place_id"))
        }
    }
}
