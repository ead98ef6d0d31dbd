import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Trust rule 5 (issue 15): identity is proven before history moves. A name and a number are no proof of a
/// card; the card's own QR, matching what the gate read from the real card, is. An SMS code proves a phone;
/// a guest form or a typed number proves nothing. A hand-over re-issues the QR.
extension CitizenTests {
    static func cccdCard(_ number: String, name: String, birth: String = "15081985", address: String = "Số 12 Lê Lợi, TP. Hồ Chí Minh",
                         issued: String = "10052021", oldID: String = "123456789") -> String {
        "\(number)|\(oldID)|\(name)|\(birth)|Nam|\(address)|\(issued)"
    }

    func claim(_ app: TestHarness, _ payload: String, token: String, path: String = "/api/v1/me") async throws -> Reply {
        try await app.request(.post, "\(path)/cards/claim", json: Self.json(["payload": payload]), token: token)
    }

    func historyCount(_ app: TestHarness, token: String, path: String = "/api/v1/me") async throws -> Int {
        (try await app.request(.get, "\(path)/checkins", token: token).json["items"] as? [[String: Any]])?.count ?? -1
    }

    @Test(arguments: TestEngine.available)
    func aNameAndANumberClaimNobodysHistory(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner, name: "Chợ Hàn", type: "market")["id"] as? String)
            // The gate scanned a stranger's chip ID card twice before she had an account.
            let number = "079085000123"
            let real = Self.cccdCard(number, name: "Nguyễn Văn An")
            let first = try await scan(app, token: owner, placeId: placeId, payload: real)
            #expect(first.status == .created)
            let cardPerson = try #require((first.json["person"] as? [String: Any])?["id"] as? String)
            #expect(try await scan(app, token: owner, placeId: placeId, payload: real).status == .created)

            // An attacker who knows her name and number saves them on a profile: saved, unverified, nothing moves.
            let attacker = try await app.signIn("0912000001")
            let ward = try await app.danangWard()
            let saved = try await app.request(.put, "/api/v1/me", json: profile(ward, name: "Nguyễn Văn An", cccd: number), token: attacker)
            #expect(saved.status == .ok, "\(saved.body)")
            #expect(saved.string("cccd") == number && saved.json["cccdVerified"] as? Bool == false)
            #expect(try await historyCount(app, token: attacker) == 0)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins WHERE person_id = '\(cardPerson)'") == 2)
            // Her later scans stay with her card's record: the typed number shadows nobody.
            let later = try await scan(app, token: owner, placeId: placeId, payload: real)
            #expect((later.json["person"] as? [String: Any])?["id"] as? String == cardPerson)
            #expect(try await historyCount(app, token: attacker) == 0)

            // A QR made up from the name and the number (other fields guessed) is refused, five times a day.
            for day in 1...5 {
                let forged = Self.cccdCard(number, name: "Nguyễn Văn An", birth: String(format: "%02d081985", day))
                let refused = try await claim(app, forged, token: attacker)
                #expect(refused.status == .unprocessableContent && refused.errorCode == "card_not_proven", "\(refused.body)")
            }
            // Then even the right QR is refused for the day, and still nothing moved.
            let limited = try await claim(app, real, token: attacker)
            #expect(limited.status == .tooManyRequests && limited.errorCode == "too_many_card_claims", "\(limited.body)")
            #expect(try await historyCount(app, token: attacker) == 0)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM people WHERE id = '\(cardPerson)' AND merged_into IS NULL") == 1)

            // The real holder proves the card with its own QR: her three scans join her account.
            let holder = try await app.signIn("0912000002")
            let proven = try await claim(app, real, token: holder)
            #expect(proven.status == .ok, "\(proven.body)")
            #expect(proven.json["moved"] as? Int == 3)
            let mine = try #require(proven.json["profile"] as? [String: Any])
            #expect(mine["cccd"] as? String == number && mine["cccdVerified"] as? Bool == true)
            #expect(try await historyCount(app, token: holder) == 3)
            let again = try await scan(app, token: owner, placeId: placeId, payload: real)
            #expect((again.json["person"] as? [String: Any])?["id"] as? String == mine["id"] as? String)
            // The attacker's claim is now someone else's card.
            #expect(try await claim(app, real, token: owner).errorCode == "identifier_taken")
            #expect(try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: number), token: owner).errorCode == "identifier_taken")
        }
    }

    @Test(arguments: TestEngine.available)
    func aCardNeverScannedByItsQRCannotBeProven(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            // A guard typed the number: nothing the gate read can be compared, so no QR proves it.
            #expect(try await scan(app, token: owner, placeId: placeId, payload: "079085000777").status == .created)
            let citizen = try await app.signIn("0912000003")
            let refused = try await claim(app, Self.cccdCard("079085000777", name: "Trần Văn Bảy"), token: citizen)
            #expect(refused.errorCode == "card_not_proven", "\(refused.body)")
            #expect(try await historyCount(app, token: citizen) == 0)
            // Nor does a card nobody scanned yet: a QR anyone can write from a name and a number proves nothing
            // until a gate has read the real card. Typed on the profile, such a number stays unverified.
            let fresh = try await claim(app, Self.cccdCard("079085000888", name: "Trần Văn Tám"), token: citizen)
            #expect(fresh.errorCode == "card_not_proven", "\(fresh.body)")
            let ward = try await app.danangWard()
            let saved = try await app.request(.put, "/api/v1/me", json: profile(ward, name: "Trần Văn Tám", cccd: "079085000888"), token: citizen)
            #expect(saved.status == .ok && saved.json["cccdVerified"] as? Bool == false, "\(saved.body)")
            // Once the gate has scanned the card's QR, the same QR proves it.
            #expect(try await scan(app, token: owner, placeId: placeId, payload: Self.cccdCard("079085000888", name: "Trần Văn Tám")).status == .created)
            let proven = try await claim(app, Self.cccdCard("079085000888", name: "Trần Văn Tám"), token: citizen)
            #expect(proven.status == .ok && (proven.json["profile"] as? [String: Any])?["cccdVerified"] as? Bool == true, "\(proven.body)")
            #expect(try await historyCount(app, token: citizen) == 1)
            #expect(try await claim(app, "hello", token: citizen).errorCode == "invalid_card_payload")
            // Someone else's dependent path is not found.
            #expect(try await claim(app, Self.cccdCard("079085000999", name: "A B"), token: citizen, path: "/api/v1/me/dependents/\(UUID().uuidString)").status == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func aNumberTypedFirstShadowsNobody(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let ward = try await app.danangWard()
            // No gate has read this card yet. An attacker types its number first, before the card's holder.
            let number = "079085000555"
            let real = Self.cccdCard(number, name: "Lê Thị Năm")
            let attacker = try await app.signIn("0912000005")
            let typed = try await app.request(.put, "/api/v1/me", json: profile(ward, name: "Lê Thị Năm", cccd: number), token: attacker)
            #expect(typed.status == .ok && typed.json["cccdVerified"] as? Bool == false, "\(typed.body)")
            let attackerPerson = try #require(typed.string("id"))
            // Nothing links: the number names no one, so the card's scans make the card's own record.
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM person_identifiers WHERE kind = 'cccd' AND value = '\(number)'") == 0)
            let first = try await scan(app, token: owner, placeId: placeId, payload: real)
            let cardPerson = try #require((first.json["person"] as? [String: Any])?["id"] as? String)
            #expect(cardPerson != attackerPerson)
            #expect(try await historyCount(app, token: attacker) == 0)
            // The holder, second to type it, is not refused, and proves the card with its QR.
            let holder = try await app.signIn("0912000006")
            let saved = try await app.request(.put, "/api/v1/me", json: profile(ward, name: "Lê Thị Năm", cccd: number), token: holder)
            #expect(saved.status == .ok, "\(saved.body)")
            // A hospital's gate saw the card's full data; that disclosure is logged under the card's record.
            let hospital = try #require(try await app.createPlace(token: owner, name: "Bệnh viện C", type: "hospital")["id"] as? String)
            try await app.grantPrivilege(hospital)
            _ = try await scan(app, token: owner, placeId: hospital, payload: real)
            func fullViews(_ person: String) async throws -> Int {
                try await count(app, "SELECT COUNT(*) AS n FROM unmasked_views WHERE person_id = '\(person)'")
            }
            for _ in 0..<50 where try await fullViews(cardPerson) == 0 { try await Task.sleep(for: .milliseconds(50)) }
            #expect(try await fullViews(cardPerson) == 1)
            // The card's visits are in the stays tracing reads (the projector has passed) before the claim.
            try await app.store.projector.catchUp()
            let proven = try await claim(app, real, token: holder)
            #expect(proven.status == .ok && proven.json["moved"] as? Int == 2, "\(proven.body)")
            // Tracing reads stays: the visits the card's own record made are hers now, as in her history.
            let now = app.time.seconds(), traced = app.store.tracing()
            let holderPerson = try #require(saved.string("id").flatMap(UUID.init(uuidString:)))
            #expect(try await traced.stays(of: holderPerson, from: now - 86_400, to: now + 86_400).count == 2)
            // So is the hospital's full view of her card: she sees it among who saw her data.
            let views = try await app.request(.get, "/api/v1/me/views", token: holder).json["items"] as? [[String: Any]] ?? []
            #expect(views.contains { $0["place"] as? String == "Bệnh viện C" && ($0["reason"] as? String)?.hasPrefix("scan:") == false }, "\(views)")
            #expect(try await fullViews(cardPerson) == 0)
            #expect(try await traced.stays(of: try #require(UUID(uuidString: cardPerson)), from: now - 86_400, to: now + 86_400).isEmpty)
            let again = try await scan(app, token: owner, placeId: placeId, payload: real)
            #expect((again.json["person"] as? [String: Any])?["id"] as? String == saved.string("id"))
            #expect(try await historyCount(app, token: holder) == 3)
            #expect(try await historyCount(app, token: attacker) == 0)
            #expect(try await traced.stays(of: holderPerson, from: now - 86_400, to: now + 86_400).count == 3)
            // The dashboards count her once: her visits moved off the card's record, which no longer counts.
            try await app.store.projector.catchUp()
            let day = "(scanned_at + \(LocalTime.offsetSeconds)) / 86400"
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM place_day_people WHERE person_id = '\(cardPerson)'") == 0)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM unit_people_days WHERE person_id = '\(cardPerson)'") == 0)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM place_day_people") ==
                    count(app, "SELECT COUNT(*) AS n FROM (SELECT DISTINCT place_id, \(day), person_id FROM checkins) v"))
            #expect(try await app.request(.get, "/api/v1/me", token: attacker).json["cccdVerified"] as? Bool == false)
            // Now that the card is proven, typing it on another profile is refused.
            #expect(try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: number), token: attacker).errorCode == "identifier_taken")

            // An officer tracing by a number no gate has read finds the one citizen who typed it; two find nobody.
            let tracing = app.store.tracing()
            let lone = try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: "079085000556"), token: owner)
            #expect(try await tracing.person(kind: "cccd", value: "079085000556")?.uuidString == lone.string("id"))
            _ = try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: "079085000557"), token: owner)
            _ = try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: "079085000557"), token: try await app.signIn("0912000007"))
            #expect(try await tracing.person(kind: "cccd", value: "079085000557") == nil)
        }
    }

    @Test(arguments: TestEngine.available)
    func aPhoneIsClaimedOnlyByItsSMSCode(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let place = try await app.createPlace(token: owner)
            let placeId = try #require(place["id"] as? String)
            let code = try #require(place["code"] as? String)
            // A stranger leaves someone else's phone at a poster, under a name of their own.
            let web = WebClient(app)
            _ = try await web.get("/c/\(code)")
            let done = try await web.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Kẻ Giả Danh"), ("phone", "0977333444")])
            #expect(done.status == .seeOther)
            let guestPerson = try #require(try await app.store.people.find(kind: "phone", value: PhoneNumber("0977333444")!.e164))
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM people WHERE account_id IS NOT NULL AND id = '\(guestPerson)'") == 0)
            // A guard types the same phone.
            #expect(try await scan(app, token: owner, placeId: placeId, payload: "0977333444").status == .created)

            // The phone's owner signs in with the SMS code: the two check-ins made under her phone are hers,
            // the name the stranger typed is not.
            let her = try await app.signIn("0977333444")
            let me = try await app.request(.get, "/api/v1/me", token: her)
            #expect(me.string("name") != "Kẻ Giả Danh")
            #expect(try await historyCount(app, token: her) == 2)
            // Tracing reads stays: the visits she made under her phone are hers there too, and the
            // record the stranger's form made keeps none.
            let herPerson = try #require(try await app.store.people.find(kind: "phone", value: PhoneNumber("0977333444")!.e164))
            let now = app.time.seconds()
            let tracing = app.store.tracing()
            #expect(try await tracing.stays(of: herPerson, from: now - 86_400, to: now + 86_400).count == 2)
            #expect(try await tracing.stays(of: guestPerson, from: now - 86_400, to: now + 86_400).isEmpty)
            // Her phone now names her: later typed scans and guest check-ins are hers, not the stranger's record.
            let typed = try await scan(app, token: owner, placeId: placeId, payload: "0977333444")
            #expect(typed.status == .created)
            #expect(try await historyCount(app, token: her) == 3)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins WHERE person_id = '\(guestPerson.uuidString)'") == 0)

            // Another stranger's guest check-in with her phone names nobody: her empty name is not filled with theirs…
            let other = WebClient(app)
            _ = try await other.get("/c/\(code)")
            #expect(try await other.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Lê Thị Hoa"), ("phone", "0977333444")]).status == .seeOther)
            #expect(try await app.request(.get, "/api/v1/me", token: her).string("name") ?? "" == "")
            // …and once she has a name, the stranger's receipt shows only the name they typed, not hers.
            let ward = try await app.danangWard()
            #expect(try await app.request(.put, "/api/v1/me", json: profile(ward, name: "Vũ Thị Mai"), token: her).status == .ok)
            _ = try await other.get("/c/\(code)")
            let again = try await other.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Lê Thị Hoa"), ("phone", "0977333444")])
            let receipt = try await other.get(try #require(again.headers[.location]))
            #expect(receipt.status == .ok && receipt.body.contains("Lê Thị ***"))
            #expect(!receipt.body.contains("Vũ Thị"))
        }
    }

    @Test(arguments: TestEngine.available)
    func aHandOverReissuesTheQR(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let guardian = try await app.signIn("0912000004")
            let ward = try await app.danangWard()
            let created = try await app.request(.post, "/api/v1/me/dependents", json: Self.json(["name": "Phạm Văn Con", "birthDate": "2005-03-02", "gender": "male", "wardCode": ward]), token: guardian)
            let child = try #require(created.string("id"))
            let printed = try #require(created.string("token"))
            #expect(try await scan(app, token: owner, placeId: placeId, payload: printed).status == .created)
            #expect(try await app.request(.post, "/api/v1/me/dependents/\(child)/handover", json: #"{"phone":"0977555666"}"#, token: guardian).status == .noContent)
            let him = try await app.signIn("0977555666")
            #expect(try await app.request(.post, "/api/v1/me/handovers/\(child)/accept", token: him).status == .ok)
            // The card the guardian printed no longer checks in the record that is now his.
            let old = try await scan(app, token: owner, placeId: placeId, payload: printed)
            #expect(old.status == .unprocessableContent && old.errorCode == "token_revoked", "\(old.body)")
            let current = try #require(try await app.request(.get, "/api/v1/me/token", token: him).string("token"))
            #expect(current != printed)
            #expect(try await scan(app, token: owner, placeId: placeId, payload: current).status == .created)
        }
    }

    @Test(arguments: TestEngine.available)
    func theProfilePageProvesACard(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let number = "079085000555"
            let real = Self.cccdCard(number, name: "Đỗ Thị Năm")
            #expect(try await scan(app, token: owner, placeId: placeId, payload: real).status == .created)
            let web = try await WebClient.signedIn(app, phone: "0912000005")
            let ward = try await app.danangWard()
            try await web.get("/me/profile")
            let saved = try await web.post("/me/profile", [("name", "Đỗ Thị Năm"), ("birthDate", "1985-08-15"), ("gender", "female"), ("wardCode", ward), ("cccd", number)])
            #expect(saved.status == .seeOther)
            let page = try await web.get("/me/profile")
            #expect(page.body.contains("id=\"card-claim-form\"") && page.body.contains("chưa xác minh"))
            // A wrong QR: the page says so, nothing moves.
            let wrong = try await web.post("/me/cards/claim", [("payload", Self.cccdCard(number, name: "Đỗ Thị Năm", birth: "01011990"))])
            #expect(wrong.status == .unprocessableContent && wrong.body.contains("id=\"card-claim-error\"") && wrong.body.contains("không khớp"))
            // The card's own QR: its scan joins the profile, and the page says how many.
            let right = try await web.post("/me/cards/claim", [("payload", real)])
            #expect(right.status == .seeOther && right.headers[.location] == "/me/profile?claimed=1")
            let done = try await web.get("/me/profile?claimed=1&lang=en")
            #expect(done.body.contains("Card proven; 1 check-ins joined this profile.") && !done.body.contains("id=\"unproven\""))
        }
    }
}
