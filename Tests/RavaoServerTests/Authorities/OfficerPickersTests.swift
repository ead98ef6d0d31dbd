import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Issue 18 on the officers' side: places found by name, poster code or link inside the jurisdiction
/// only; unit pickers instead of typed codes; the tracing page grouped by person, the case named, a
/// review before marking, and F0 from the page.
@Suite("Authorities: pickers and tracing a team can act on") struct OfficerPickersTests {
    let jurisdiction = JurisdictionTests()

    @Test(arguments: TestEngine.available)
    func placesAreFoundByNameCodeOrLinkOnlyInsideTheJurisdiction(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray.compactMap { $0["code"] as? String }
            let world = try await jurisdiction.build(app, wardA: wards[0], wardB: wards[1], wardC: wards[2])
            let code = { (id: String) async throws -> String in try #require(try await app.store.places.place(id: UUID(uuidString: id)!)?.code) }
            let codeA = try await code(world.places["A"]!), codeB = try await code(world.places["B"]!)
            let token = try await jurisdiction.officer(app, phone: "0933333301", unit: wards[0], functions: [.health])

            func found(_ q: String) async throws -> [String] {
                let reply = try await app.request(.get, "/api/v1/jurisdiction/places?q=\(q.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", token: token)
                #expect(reply.status == .ok, "\(reply.body)")
                return reply.jsonArray.compactMap { $0["name"] as? String }
            }
            #expect(try await found("nha may") == ["Nhà máy A"], "words without accents")
            #expect(try await found(codeA) == ["Nhà máy A"])
            #expect(try await found("https://ravao.test/c/\(codeA)") == ["Nhà máy A"])
            #expect(try await found(world.places["A"]!) == ["Nhà máy A"])
            // Chợ B is in another ward: not by name, code, link or id.
            #expect(try await found("Chợ B").isEmpty)
            #expect(try await found(codeB).isEmpty)
            #expect(try await found("https://ravao.test/c/\(codeB)").isEmpty)
            #expect(try await found(world.places["B"]!).isEmpty)
            let citizen = try await app.signIn("0955555501")
            #expect(try await app.request(.get, "/api/v1/jurisdiction/places?q=a", token: citizen).status == .forbidden)

            // The alert form takes the place's name; a province officer with two matches chooses one.
            try await jurisdiction.makeOfficer(app, phone: "0933333302", unit: "48", functions: [.health])
            let web = try await WebClient.signedIn(app, phone: "0933333302")
            let window = [("from", AuthorityPages.inputValue(app.time.seconds() - 86_400)), ("to", AuthorityPages.inputValue(app.time.seconds()))]
            _ = try await web.get("/authorities/alert")
            let byName = try await web.post("/authorities/alert", [("place", "xe dua don")] + window)
            #expect(byName.body.contains("Xe đưa đón C: <span id=\"alert-count\">"), "\(byName.body)")
            let several = try await web.post("/authorities/alert", [("place", "1 duong so 1"), ("placeId", "")] + window)
            #expect(several.body.contains("id=\"alert-choose\"") && several.body.contains("id=\"place-choices\""), "\(several.body)")
            #expect(several.body.contains("value=\"\(world.places["B"]!)\""))
            let chosen = try await web.post("/authorities/alert", [("place", "1 duong so 1"), ("placeId", world.places["B"]!)] + window)
            #expect(chosen.body.contains("Chợ B: <span id=\"alert-count\">"), "\(chosen.body)")
            app.time.advance(by: 61)  // the resend wait after the API sign-in
            let webWard = try await WebClient.signedIn(app, phone: "0933333301")
            _ = try await webWard.get("/authorities/alert")
            let outside = try await webWard.post("/authorities/alert", [("place", "https://ravao.test/c/\(codeB)")] + window)
            #expect(outside.body.contains("id=\"alert-error\"") && !outside.body.contains("alert-count"), "\(outside.body)")
        }
    }

    @Test(arguments: TestEngine.available)
    func unitPickersReplaceTypedCodes(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray.compactMap { $0["code"] as? String }
            try await jurisdiction.makeOfficer(app, phone: "0933333303", unit: "48", functions: [.statistics, .health, .zones])
            let web = try await WebClient.signedIn(app, phone: "0933333303")
            let zones = try await web.get("/authorities/zones")
            #expect(zones.body.contains("name=\"unitCodeProvince\"") && !zones.body.contains("<input name=\"unitCode\""))
            // The province alone (no ward chosen) declares the province's zone; a ward wins over its province.
            #expect(try await web.post("/authorities/zones", [("unitCodeProvince", "48"), ("unitCode", ""), ("level", "2"), ("from", "2026-01-01")]).status == .seeOther)
            _ = try await web.get("/authorities/zones")
            #expect(try await web.post("/authorities/zones", [("unitCodeProvince", "48"), ("unitCode", wards[1]), ("level", "3"), ("from", "2026-01-01")]).status == .seeOther)
            let listed = try await web.get("/authorities/zones")
            #expect(listed.body.contains("(48)") && listed.body.contains("(\(wards[1]))"), "\(listed.body)")
            let risk = try await web.get("/authorities/risk?unitProvince=48&unit=\(wards[0])")
            #expect(risk.status == .ok && risk.body.contains("data-ward=\"\(wards[0])\""))
            let officers = try await web.get("/authorities/officers")
            #expect(officers.body.contains("id=\"officer-province\""))
            _ = try await web.post("/authorities/officers", [("phone", "0933333304"), ("unitCodeProvince", "48"), ("unitCode", wards[2]), ("function", "health")])
            #expect(try await app.store.officers.all().contains { $0.phone == "+84933333304" && $0.unitCode == wards[2] })
            // The declaration's other wards: pickers, several of them.
            let citizen = try await WebClient.signedIn(app, phone: "0955555502")
            let form = try await citizen.get("/me/declare")
            #expect(form.body.contains("name=\"moreWard\"") && !form.body.contains("name=\"moreWards\""))
            _ = try await citizen.post("/me/declare", [("contact", "no"), ("wardCode", wards[0]), ("moreWard", wards[1]), ("moreWard", wards[2])])
            let visited = try await app.store.engine.read { db in
                try await db.raw("SELECT visited_wards FROM declarations").first()?.decode(column: "visited_wards", as: String.self)
            }
            #expect([wards[0], wards[1], wards[2]].allSatisfy { visited?.contains($0) == true }, "\(visited ?? "none")")
        }
    }

    @Test(arguments: TestEngine.available)
    func tracingNamesTheCaseGroupsByPersonReviewsAndMarksF0(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray.compactMap { $0["code"] as? String }
            let world = try await jurisdiction.build(app, wardA: wards[0], wardB: wards[1], wardC: wards[2])
            // Y is also at B while X is: one person, two visits.
            _ = try await jurisdiction.scan(app, token: world.owner, place: world.places["B"]!, person: 2, direction: "in", hoursAgo: 5.8)
            try await jurisdiction.makeOfficer(app, phone: "0933333305", unit: "48", functions: [.health])
            let web = try await WebClient.signedIn(app, phone: "0933333305")
            let page = try await web.get("/authorities/tracing?cccd=079085000001")
            #expect(page.body.contains("id=\"case-name\">Người Số 1<") && page.body.contains("id=\"case-cccd\">079085000001<"), "\(page.body)")
            let people = page.body.matches(of: /class="contact-person level-1" data-person="([0-9A-F-]+)" data-visits="(\d+)"/).map { (String($0.1), Int($0.2)!) }
            #expect(Set(people.map(\.0)) == Set([world.people["Y"]!, world.people["Z"]!, world.people["W"]!].map { $0.uppercased() }), "\(people)")
            #expect(people.count == 3 && people.contains { $0.0 == world.people["Y"]!.uppercased() && $0.1 == 2 })
            // CCCD-only contacts show their number.
            #expect(page.body.contains("CCCD 079085000002"))
            let csv = try await web.get("/authorities/tracing.csv?cccd=079085000001")
            let lines = csv.body.split(whereSeparator: \.isNewline)
            #expect(lines.filter { $0.hasPrefix("F1,") }.count == 3, "\(csv.body)")

            // Review lists who is marked and who is texted; nothing happens until confirmed.
            let sent = app.sms.messages.count
            let review = try await web.post("/authorities/tracing/mark?cccd=079085000001", [("notify", "1")])
            #expect(review.body.matches(of: /class="review-row"/).count == 3 && review.body.contains("id=\"review-owners\""), "\(review.body)")
            #expect(app.sms.messages.count == sent)
            let marks = { try await app.store.engine.read { db in try await db.raw("SELECT COUNT(*) AS n FROM person_marks WHERE cleared_at IS NULL").first()!.decode(column: "n", as: Int.self) } }
            #expect(try await marks() == 0)
            // A stale confirmation (another list) is reviewed again, not applied.
            let stale = try await web.post("/authorities/tracing/mark?cccd=079085000001", [("notify", "1"), ("confirm", "0000")])
            let marksAfterStale = try await marks()
            #expect(stale.body.contains("id=\"review-changed\"") && marksAfterStale == 0)

            // F0 from the page.
            _ = try await web.get("/authorities/tracing?cccd=079085000001")
            let f0 = try await web.post("/authorities/tracing/case?cccd=079085000001", [("mark", "F0")])
            #expect(f0.status == .seeOther && f0.headers[.location]?.contains("caseMarked=F0") == true)
            let mark = try await app.store.engine.read { db in
                try await db.raw("SELECT mark FROM person_marks WHERE person_id = \(bind: world.people["X"]!) AND cleared_at IS NULL").first()?.decode(column: "mark", as: String.self)
            }
            #expect(mark == "F0")
        }
    }
}
