import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Issue 18: a citizen deletes a dose or test they declared themselves (or for a dependent); what a
/// health officer recorded stays (trust rule 1), another person's record is not found, and a refused
/// form comes back with what was typed.
extension CitizenTests {
    func recordIds(_ app: TestHarness, _ table: String, person: String) async throws -> [(id: String, verified: Bool)] {
        try await app.store.engine.read { db in
            try await db.raw("SELECT id, verified FROM \(unsafeRaw: table) WHERE person_id = \(bind: person) ORDER BY id").all().map {
                (try $0.decode(column: "id", as: String.self), try $0.decode(column: "verified", as: Int.self) != 0)
            }
        }
    }

    @Test(arguments: TestEngine.available)
    func aCitizenDeletesOnlyTheirOwnSelfDeclaredDosesAndTests(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            let ward = try await app.danangWard()
            #expect(try await web.get("/me/profile").status == .ok)
            #expect(try await web.post("/me/profile", [("name", "Trần Thị Ba"), ("birthDate", "1990-02-28"), ("gender", "female"), ("wardCode", ward)]).status == .seeOther)
            let me = try #require(try await app.store.accounts.account(phone: PhoneNumber("0912345678")!)).id
            let person = try #require(try await app.store.engine.read { db in
                try await db.raw("SELECT id FROM people WHERE account_id = \(bind: me.uuidString)").first()?.decode(column: "id", as: String.self)
            })
            let personId = try #require(UUID(uuidString: person))
            try await web.get("/me/health")
            #expect(try await web.post("/me/vaccinations", [("vaccine", "Pfizer"), ("date", "2021-10-01")]).status == .seeOther)
            #expect(try await web.post("/me/tests", [("kind", "rapid"), ("result", "negative"), ("date", "2021-10-20")]).status == .seeOther)
            // What a health officer recorded, as the officers' endpoint stores it.
            try await app.store.health.addDose(personId, vaccine: "AstraZeneca", date: "2021-07-01", verified: true, by: UUID(), now: app.time.seconds())
            try await app.store.health.addTest(personId, kind: "pcr", result: "negative", date: "2021-10-22", verified: true, by: UUID(), now: app.time.seconds())
            let doses = try await recordIds(app, "vaccinations", person: person)
            let tests = try await recordIds(app, "health_tests", person: person)
            let ownDose = try #require(doses.first { !$0.verified }).id, officerDose = try #require(doses.first { $0.verified }).id
            let ownTest = try #require(tests.first { !$0.verified }).id, officerTest = try #require(tests.first { $0.verified }).id

            // The page offers a delete button on the citizen's own records only.
            let page = try await web.get("/me/health").body
            #expect(page.contains("/me/vaccinations/\(ownDose)/delete") && page.contains("/me/tests/\(ownTest)/delete"))
            #expect(!page.contains("/me/vaccinations/\(officerDose)/delete") && !page.contains("/me/tests/\(officerTest)/delete"))

            // An officer's record cannot be deleted, even by a hand-made request; nothing changes.
            #expect(try await web.post("/me/vaccinations/\(officerDose)/delete", []).status == .forbidden)
            try await web.get("/me/health")
            #expect(try await web.post("/me/tests/\(officerTest)/delete", []).status == .forbidden)
            try await web.get("/me/health")
            // Without the CSRF token, nothing is deleted.
            #expect(try await web.post("/me/vaccinations/\(ownDose)/delete", [], withCSRF: false).status == .forbidden)
            #expect(try await recordIds(app, "vaccinations", person: person).count == 2)

            // Another citizen cannot touch them: not found, and nothing changes.
            let other = try await WebClient.signedIn(app, phone: "0987654321")
            try await other.get("/me/health")
            #expect(try await other.post("/me/vaccinations/\(ownDose)/delete", []).status == .notFound)
            try await other.get("/me/health")  // the error page carries no form token
            #expect(try await other.post("/me/tests/\(ownTest)/delete", []).status == .notFound)
            #expect(try await recordIds(app, "vaccinations", person: person).count == 2)
            #expect(try await recordIds(app, "health_tests", person: person).count == 2)

            // The citizen deletes their own: gone, the officer's stay, and the status follows.
            try await web.get("/me/health")
            let deleted = try await web.post("/me/vaccinations/\(ownDose)/delete", [])
            #expect(deleted.status == .seeOther && deleted.headers[.location] == "/me/health")
            try await web.get("/me/health")
            #expect(try await web.post("/me/tests/\(ownTest)/delete", []).status == .seeOther)
            #expect(try await recordIds(app, "vaccinations", person: person).map(\.id) == [officerDose])
            #expect(try await recordIds(app, "health_tests", person: person).map(\.id) == [officerTest])
            let status = try await app.store.health.doses(of: personId)
            #expect(status.count == 1 && status[0].verified)
            #expect(try await web.post("/me/vaccinations/not-a-uuid/delete", []).status == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func aRefusedFormKeepsWhatWasTyped(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            try await web.get("/me/health")
            let refused = try await web.post("/me/tests", [("kind", "pcr"), ("result", "positive"), ("date", "2099-01-01")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("<option value=\"pcr\" selected>") && refused.body.contains("<option value=\"positive\" selected>"))
            #expect(refused.body.contains("value=\"2099-01-01\""))
            let dose = try await web.post("/me/vaccinations", [("vaccine", "Moderna"), ("date", "")])
            #expect(dose.status == .unprocessableContent && dose.body.contains("value=\"Moderna\""))

            // The declaration: no contact answer is refused, and the ticked symptoms and the chosen ward come back.
            let ward = try await app.danangWard()
            try await web.get("/me/declare")
            let declaration = try await web.post("/me/declare", [("symptom", "cough"), ("symptom", "fever"), ("wardCode", ward)])
            #expect(declaration.status == .unprocessableContent)
            #expect(declaration.body.contains("id=\"symptom-cough\" checked") && declaration.body.contains("id=\"symptom-fever\" checked"))
            #expect(!declaration.body.contains("id=\"symptom-breath\" checked"))
            #expect(declaration.body.contains("data-ward=\"\(ward)\""), "the ward picker keeps the chosen ward")
        }
    }
}
