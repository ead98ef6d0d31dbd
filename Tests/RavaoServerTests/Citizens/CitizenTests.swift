import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Citizens (H1–H8): profile, personal QR, dependents, declarations, records, history, and the status a
/// guard sees in the scan answer.
@Suite("Citizens and health status") struct CitizenTests {
    static func json(_ object: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func scan(_ app: TestHarness, token: String, placeId: String, payload: String) async throws -> Reply {
        try await app.request(.post, "/api/v1/scans", json: Self.json(["placeId": placeId, "payload": payload, "clientId": UUID().uuidString]), token: token)
    }

    func profile(_ ward: String, name: String = "Nguyễn Văn An", cccd: String? = nil, bhyt: String? = nil) -> String {
        var body: [String: Any] = ["name": name, "birthDate": "1985-08-15", "gender": "male", "wardCode": ward, "address": "12 Lê Lợi"]
        if let cccd { body["cccd"] = cccd }
        if let bhyt { body["bhyt"] = bhyt }
        return Self.json(body)
    }

    static func cccdPayload(_ number: String, name: String) -> String {
        "\(number)|123456789|\(name)|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"
    }

    func count(_ app: TestHarness, _ sql: String) async throws -> Int {
        try await app.store.engine.read { db in try await db.raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int.self) }
    }

    @Test(arguments: TestEngine.available)
    func theGuardSeesTheStatusTheCitizenDeclared(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner, name: "Văn phòng An Viên", type: "office")["id"] as? String)
            let citizen = try await app.signIn("0912345678")
            let ward = try await app.danangWard()
            let saved = try await app.request(.put, "/api/v1/me", json: profile(ward), token: citizen)
            #expect(saved.status == .ok, "\(saved.body)")
            #expect(saved.string("name") == "Nguyễn Văn An" && saved.string("wardCode") == ward && saved.string("phone") == "0912345678")
            let token = try #require(try await app.request(.get, "/api/v1/me/token", token: citizen).string("token"))
            #expect(token.hasPrefix("RV1."))

            // No declaration yet: unknown.
            var answer = try await scan(app, token: owner, placeId: placeId, payload: token)
            #expect(answer.status == .created, "\(answer.body)")
            var status = try #require(answer.json["status"] as? [String: Any])
            #expect(status["level"] as? String == "unknown")
            #expect((answer.json["person"] as? [String: Any])?["displayName"] as? String == "Nguyễn Văn ***")
            // The profile has a date of birth: the guard sees the year to match the card to the face.
            #expect(answer.json["birthYear"] as? Int == 1985)

            // A cough in the morning turns the gate red, with vaccination and test as recorded by a health facility.
            let declared = try await app.request(.post, "/api/v1/me/declarations", json: #"{"symptoms":["cough"],"contact":false,"visitedWards":[]}"#, token: citizen)
            #expect(declared.status == .created, "\(declared.body)")
            let meText = try #require(saved.string("id"))
            let me = try #require(UUID(uuidString: meText))
            let officer = UUID()
            try await app.store.health.addDose(me, vaccine: "AstraZeneca", date: "2021-07-01", verified: true, by: officer, now: app.time.seconds())
            try await app.store.health.addDose(me, vaccine: "AstraZeneca", date: "2021-09-12", verified: true, by: officer, now: app.time.seconds())
            try await app.store.health.addTest(me, kind: "rapid", result: "negative", date: "2021-10-20", verified: true, by: officer, now: app.time.seconds())
            app.services.healthCache.personChanged(me)
            answer = try await scan(app, token: owner, placeId: placeId, payload: token)
            status = try #require(answer.json["status"] as? [String: Any])
            #expect(status["level"] as? String == "abnormal")
            #expect(status["reasons"] as? [String] == ["cough"])
            #expect((status["vaccination"] as? [String: Any])?["doses"] as? Int == 2)
            #expect((status["vaccination"] as? [String: Any])?["lastDate"] as? String == "2021-09-12")
            #expect((status["test"] as? [String: Any])?["result"] as? String == "negative")
            #expect(status["summaryVi"] as? String == "Bất thường — ho · 2 liều vắc xin, mũi cuối 12/09/2021 · Xét nghiệm âm tính 20/10/2021")

            // A zone declared on the citizen's ward: orange alert; a mark: F1.
            _ = try await app.store.health.addZone(unitCode: ward, level: "high", from: app.time.seconds() - 86_400, to: nil, by: officer, now: app.time.seconds())
            app.services.healthCache.zonesChanged()
            try await app.store.health.setMark(me, mark: .f1, source: "test", by: officer, now: app.time.seconds())
            app.services.healthCache.personChanged(me)
            answer = try await scan(app, token: owner, placeId: placeId, payload: token)
            status = try #require(answer.json["status"] as? [String: Any])
            #expect(status["alerts"] as? [String] == ["f1", "epidemic_zone"])
            // The most serious fact leads the line: the zone, then the contact, then the declaration.
            #expect((status["summaryVi"] as? String)?.hasPrefix("Đến từ vùng dịch · Tiếp xúc gần (F1) · Bất thường — ho") == true)

            // The declaration expires after 24 hours.
            app.time.advance(by: 25 * 3600)
            app.services.healthCache.personChanged(me)
            answer = try await scan(app, token: owner, placeId: placeId, payload: token)
            #expect((answer.json["status"] as? [String: Any])?["level"] as? String == "unknown")

            // The citizen's own view says the same.
            let mine = try await app.request(.get, "/api/v1/me", token: citizen)
            #expect((mine.json["status"] as? [String: Any])?["level"] as? String == "unknown")
        }
    }

    @Test(arguments: TestEngine.available)
    func badInputIsRefusedAndChangesNothing(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let citizen = try await app.signIn()
            let ward = try await app.danangWard()
            #expect(try await app.request(.put, "/api/v1/me", json: profile(ward), token: citizen).status == .ok)
            let bad = try await app.request(.put, "/api/v1/me", json: #"{"name":"X","birthDate":"2099-01-01","gender":"robot","cccd":"123","bhyt":"AB12","wardCode":"nope"}"#, token: citizen)
            #expect(bad.status == .unprocessableContent)
            let fields = ((bad.json["error"] as? [String: Any])?["fields"] as? [String: Any]).map { Array($0.keys) } ?? []
            #expect(Set(fields) == ["name", "birthDate", "gender", "cccd", "bhyt", "wardCode"])
            #expect(try await app.request(.get, "/api/v1/me", token: citizen).string("name") == "Nguyễn Văn An")

            for body in [#"{"symptoms":["sneeze"],"contact":false}"#, #"{"symptoms":[],"contact":false,"visitedWards":["99999999"]}"#, #"{"symptoms":[]}"#] {
                let reply = try await app.request(.post, "/api/v1/me/declarations", json: body, token: citizen)
                #expect(reply.status == .unprocessableContent, "\(body)")
            }
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM declarations") == 0)
            #expect(try await app.request(.post, "/api/v1/me/vaccinations", json: #"{"vaccine":"","date":"2021-13-01"}"#, token: citizen).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/me/tests", json: #"{"kind":"blood","result":"maybe","date":"2021-10-01"}"#, token: citizen).status == .unprocessableContent)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM vaccinations") + count(app, "SELECT COUNT(*) AS n FROM health_tests") == 0)
            // Self-declared records are never verified, whatever the request claims.
            #expect(try await app.request(.post, "/api/v1/me/tests", json: #"{"kind":"pcr","result":"negative","date":"2021-10-01","verified":true}"#, token: citizen).status == .created)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM health_tests WHERE verified = 0") == 1)
            // Everything needs a signed-in citizen.
            #expect(try await app.request(.get, "/api/v1/me").status == .unauthorized)
            #expect(try await app.request(.post, "/api/v1/me/declarations", json: #"{"symptoms":[],"contact":false}"#).status == .unauthorized)
        }
    }

    @Test(arguments: TestEngine.available)
    func reissuedAndForgedTokensAreRefused(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let citizen = try await app.signIn()
            let first = try #require(try await app.request(.get, "/api/v1/me/token", token: citizen).string("token"))
            #expect(try await scan(app, token: owner, placeId: placeId, payload: first).status == .created)
            let reissued = try await app.request(.post, "/api/v1/me/token/reissue", token: citizen)
            let second = try #require(reissued.string("token"))
            #expect(second != first && reissued.json["version"] as? Int == 2)
            let refused = try await scan(app, token: owner, placeId: placeId, payload: first)
            #expect(refused.status == .unprocessableContent && refused.errorCode == "token_revoked")
            #expect(try await scan(app, token: owner, placeId: placeId, payload: second).status == .created)

            // Someone else's person id under our token's signature, and a token signed with another key.
            let meText = try #require(try await app.request(.get, "/api/v1/me", token: citizen).string("id"))
            let me = try #require(UUID(uuidString: meText))
            var chars = Array(second)
            chars[10] = chars[10] == "B" ? "C" : "B"
            let tampered = String(chars)
            #expect(try await scan(app, token: owner, placeId: placeId, payload: tampered).errorCode == "unrecognized_payload")
            let foreign = PersonalToken.issue(personId: me, version: 2, key: .init(size: .bits256))
            #expect(try await scan(app, token: owner, placeId: placeId, payload: foreign).errorCode == "unrecognized_payload")
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM rejected_scans") == 3)
        }
    }

    @Test(arguments: TestEngine.available)
    func aCardNumberOnAProfileLinksOnlyWhatItProves(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner, name: "Chợ Hàn", type: "market")["id"] as? String)
            // The gate scanned a chip ID card before its holder had an account.
            let card = "079085000123"
            let first = try await scan(app, token: owner, placeId: placeId, payload: Self.cccdPayload(card, name: "Nguyễn Văn An"))
            #expect(first.status == .created)
            let cardPerson = try #require((first.json["person"] as? [String: Any])?["id"] as? String)

            let citizen = try await app.signIn()
            let ward = try await app.danangWard()
            // Typing the number (even with the same name) is no proof: saved, unverified, nothing moves.
            let saved = try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: "0790 8500 0123"), token: citizen)
            #expect(saved.status == .ok, "\(saved.body)")
            #expect(saved.string("cccd") == card && saved.json["cccdVerified"] as? Bool == false)
            let me = try #require(saved.string("id"))
            #expect(me != cardPerson)
            #expect((try await app.request(.get, "/api/v1/me/checkins", token: citizen).json["items"] as? [[String: Any]])?.count == 0)
            // The card's QR proves it: its scan comes over, and the card now resolves to the citizen.
            let proven = try await app.request(.post, "/api/v1/me/cards/claim", json: Self.json(["payload": Self.cccdPayload(card, name: "Nguyễn Văn An")]), token: citizen)
            #expect(proven.status == .ok && proven.json["moved"] as? Int == 1, "\(proven.body)")
            let history = try await app.request(.get, "/api/v1/me/checkins", token: citizen)
            let items = try #require(history.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["placeName"] as? String == "Chợ Hàn" && items[0]["byStaff"] as? Bool == true)
            let again = try await scan(app, token: owner, placeId: placeId, payload: Self.cccdPayload(card, name: "Nguyễn Văn An"))
            #expect((again.json["person"] as? [String: Any])?["id"] as? String == me)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins WHERE person_id = '\(cardPerson)'") == 0)
            #expect(try await app.request(.get, "/api/v1/me", token: citizen).json["cccdVerified"] as? Bool == true)

            // A second citizen cannot claim the same number.
            let second = try await app.signIn("0987654321")
            let taken = try await app.request(.put, "/api/v1/me", json: profile(ward, cccd: card), token: second)
            #expect(taken.status == .conflict && taken.errorCode == "identifier_taken")
        }
    }

    @Test(arguments: TestEngine.available)
    func aGuardianDeclaresForDependentsAndNobodyElseCan(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let placeId = try #require(try await app.createPlace(token: owner, name: "Trạm y tế", type: "office")["id"] as? String)
            let guardian = try await app.signIn()
            let ward = try await app.danangWard()
            let created = try await app.request(.post, "/api/v1/me/dependents", json: Self.json(["name": "Phạm Thị Hoa", "birthDate": "1941-03-02", "gender": "female", "wardCode": ward]), token: guardian)
            #expect(created.status == .created, "\(created.body)")
            let grandma = try #require(created.string("id"))
            let card = try #require(created.string("token"))
            let scanned = try await scan(app, token: owner, placeId: placeId, payload: card)
            #expect((scanned.json["person"] as? [String: Any])?["id"] as? String == grandma)
            #expect(try await app.request(.post, "/api/v1/me/dependents/\(grandma)/declarations", json: #"{"symptoms":["fever"],"contact":false}"#, token: guardian).status == .created)
            let status = try await scan(app, token: owner, placeId: placeId, payload: card).json["status"] as? [String: Any]
            #expect(status?["reasons"] as? [String] == ["fever"])
            let list = try await app.request(.get, "/api/v1/me/dependents", token: guardian).jsonArray
            #expect(list.count == 1 && list[0]["name"] as? String == "Phạm Thị Hoa")
            let history = try await app.request(.get, "/api/v1/me/dependents/\(grandma)/checkins", token: guardian)
            #expect((history.json["items"] as? [[String: Any]])?.count == 2)
            // The guardian's own history is separate.
            #expect((try await app.request(.get, "/api/v1/me/checkins", token: guardian).json["items"] as? [[String: Any]])?.count == 0)

            // Another citizen sees and changes nothing of hers, and neither does the guardian of nobody.
            let neighbour = try await app.signIn("0987654321")
            for (method, path, body) in [(HTTPRequest.Method.get, "", nil), (.put, "", profile(ward)), (.get, "/token", nil), (.post, "/token/reissue", nil),
                                          (.post, "/declarations", #"{"symptoms":[],"contact":false}"#), (.get, "/checkins", nil),
                                          (.post, "/vaccinations", #"{"vaccine":"Pfizer","date":"2021-09-01"}"#), (.post, "/handover", #"{"phone":"0987654321"}"#)] as [(HTTPRequest.Method, String, String?)] {
                let reply = try await app.request(method, "/api/v1/me/dependents/\(grandma)\(path)", json: body, token: neighbour)
                #expect(reply.status == .notFound, "\(method) \(path): \(reply.status)")
            }
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM declarations") == 1)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM people WHERE id = '\(grandma)' AND token_version = 1 AND full_name = 'Phạm Thị Hoa'") == 1)

            // Later she gets a phone: the guardian hands the profile over and she accepts it.
            #expect(try await app.request(.post, "/api/v1/me/dependents/\(grandma)/handover", json: #"{"phone":"0912345678"}"#, token: guardian).errorCode == "handover_to_self")
            #expect(try await app.request(.post, "/api/v1/me/dependents/\(grandma)/handover", json: #"{"phone":"0977111222"}"#, token: guardian).status == .noContent)
            let her = try await app.signIn("0977111222")
            let offers = try await app.request(.get, "/api/v1/me/handovers", token: her).jsonArray
            #expect(offers.count == 1 && offers[0]["id"] as? String == grandma)
            #expect(try await app.request(.post, "/api/v1/me/handovers/\(grandma)/accept", token: neighbour).status == .notFound)
            let accepted = try await app.request(.post, "/api/v1/me/handovers/\(grandma)/accept", token: her)
            #expect(accepted.status == .ok && accepted.string("id") == grandma && accepted.string("phone") == "0977111222")
            #expect(try await app.request(.get, "/api/v1/me", token: her).string("id") == grandma)
            #expect((try await app.request(.get, "/api/v1/me/checkins", token: her).json["items"] as? [[String: Any]])?.count == 2)
            #expect(try await app.request(.get, "/api/v1/me/dependents/\(grandma)", token: guardian).status == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func theCitizenSeesWhoSawTheirDataUnmasked(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let nurse = try await app.signIn("0909000001")
            let hospital = try #require(try await app.createPlace(token: nurse, name: "Bệnh viện Đà Nẵng", type: "hospital")["id"] as? String)
            try await app.grantPrivilege(hospital)
            let cafe = try #require(try await app.createPlace(token: nurse, name: "Cà phê Góc Phố", type: "restaurant")["id"] as? String)
            let citizen = try await app.signIn()
            let ward = try await app.danangWard()
            #expect(try await app.request(.put, "/api/v1/me", json: profile(ward), token: citizen).status == .ok)
            let token = try #require(try await app.request(.get, "/api/v1/me/token", token: citizen).string("token"))
            let before = try await app.request(.get, "/api/v1/me/views", token: citizen)
            #expect(before.status == .ok && (before.json["items"] as? [[String: Any]])?.isEmpty == true)

            // The café sees "Nguyễn Văn ***" and logs nothing; the hospital gate sees the full name, and that is logged.
            let atCafe = try await scan(app, token: nurse, placeId: cafe, payload: token)
            #expect((atCafe.json["person"] as? [String: Any])?["displayName"] as? String == "Nguyễn Văn ***")
            let atHospital = try await scan(app, token: nurse, placeId: hospital, payload: token)
            #expect((atHospital.json["person"] as? [String: Any])?["displayName"] as? String == "Nguyễn Văn An")
            // Both scans are disclosures (masked name and status to each place); the hospital's full view
            // is logged too, with its reason (written off the request, hence the wait).
            var items: [[String: Any]] = []
            for _ in 0..<50 {
                items = try await app.request(.get, "/api/v1/me/views", token: citizen).json["items"] as? [[String: Any]] ?? []
                if items.count >= 3 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(items.count == 3)
            #expect(items.filter { $0["reason"] as? String == "scan:ravao" }.compactMap { $0["place"] as? String }.sorted() == ["Bệnh viện Đà Nẵng", "Cà phê Góc Phố"].sorted())
            let unmasked = items.filter { ($0["reason"] as? String)?.hasPrefix("scan:") == false }
            #expect(unmasked.count == 1 && unmasked.first?["place"] as? String == "Bệnh viện Đà Nẵng" && unmasked.first?["viewer"] as? String == "0909000***")
            app.time.advance(by: 61)  // the resend wait before the same phone signs in on the web
            let web = try await WebClient.signedIn(app)
            let page = try await web.get("/me/checkins")
            #expect(page.body.contains("id=\"views\"") && page.body.contains("Bệnh viện Đà Nẵng") && page.body.contains("0909000***"))
            // Nobody else reads that log.
            let other = try await app.signIn("0987654321")
            #expect((try await app.request(.get, "/api/v1/me/views", token: other).json["items"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test(arguments: TestEngine.available)
    func onlyAHealthOfficerRecordsVerifiedDosesAndTests(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let citizen = try await app.signIn()
            let ward = try await app.danangWard()
            let me = try #require(try await app.request(.put, "/api/v1/me", json: profile(ward), token: citizen).string("id"))
            // A nationwide health officer, made as `ravao officer add` makes one.
            let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber("0966000001")!, language: .vi, now: app.time.seconds())
            try await app.store.officers.upsert(account: account.id, unitCode: "VN", functions: [.health], by: nil, now: app.time.seconds())
            let officer = try await app.signIn("0966000001")

            #expect(try await app.request(.post, "/api/v1/people/\(me)/vaccinations", json: #"{"vaccine":"AstraZeneca","date":"2021-09-12"}"#, token: officer).status == .created)
            #expect(try await app.request(.post, "/api/v1/people/\(me)/tests", json: #"{"kind":"pcr","result":"negative","date":"2021-10-20"}"#, token: officer).status == .created)
            var status = try #require(try await app.request(.get, "/api/v1/me", token: citizen).json["status"] as? [String: Any])
            #expect((status["vaccination"] as? [String: Any])?["verified"] as? Bool == true)
            #expect((status["test"] as? [String: Any])?["verified"] as? Bool == true)

            // The citizen cannot reach the officers' endpoint, and what they declare themselves stays unverified.
            #expect(try await app.request(.post, "/api/v1/people/\(me)/vaccinations", json: #"{"vaccine":"Pfizer","date":"2021-10-01"}"#, token: citizen).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/me/vaccinations", json: #"{"vaccine":"Pfizer","date":"2021-10-01","verified":true}"#, token: citizen).status == .created)
            status = try #require(try await app.request(.get, "/api/v1/me", token: citizen).json["status"] as? [String: Any])
            #expect((status["vaccination"] as? [String: Any])?["doses"] as? Int == 2)
            #expect((status["vaccination"] as? [String: Any])?["verified"] as? Bool == false)
        }
    }

    @Test(arguments: TestEngine.available)
    func historyIsNewestFirstAndPaged(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0909000001")
            let place = try await app.createPlace(token: owner, name: "Siêu thị Co.op")
            let placeId = try #require(place["id"] as? String)
            let citizen = try await app.signIn()
            let token = try #require(try await app.request(.get, "/api/v1/me/token", token: citizen).string("token"))
            for _ in 0..<5 {
                #expect(try await scan(app, token: owner, placeId: placeId, payload: token).status == .created)
                app.time.advance(by: 60)
            }
            let code = try #require(place["code"] as? String)
            let own = try await app.request(.post, "/api/v1/checkins", json: #"{"placeCode":"\#(code)","clientId":"\#(UUID().uuidString)"}"#, token: citizen)
            #expect(own.status == .created && (own.json["status"] as? [String: Any])?["level"] as? String == "unknown", "\(own.body)")
            let page1 = try await app.request(.get, "/api/v1/me/checkins?limit=4", token: citizen)
            let items1 = try #require(page1.json["items"] as? [[String: Any]])
            #expect(items1.count == 4 && items1[0]["byStaff"] as? Bool == false && items1[1]["byStaff"] as? Bool == true)
            let next = try #require(page1.string("next"))
            let page2 = try await app.request(.get, "/api/v1/me/checkins?limit=4&cursor=\(next)", token: citizen)
            let items2 = try #require(page2.json["items"] as? [[String: Any]])
            #expect(items2.count == 2 && page2.json["next"] == nil)
            let times = (items1 + items2).compactMap { $0["scannedAt"] as? String }
            #expect(times == times.sorted(by: >) && Set((items1 + items2).compactMap { $0["checkInId"] as? String }).count == 6)
            #expect(try await app.request(.get, "/api/v1/me/checkins?cursor=garbage", token: citizen).status == .badRequest)
        }
    }

    @Test(arguments: TestEngine.available)
    func citizenPages(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            let home = try await web.get("/me")
            #expect(home.status == .ok)
            #expect(home.body.contains("id=\"personal-qr\"") && home.body.contains("<svg") && home.body.contains("/static/citizen.js"))
            #expect(home.body.contains("Chưa khai báo y tế"))
            // Issue 17: the QR comes before the status, framed in its colour; the place scanner uses the shared camera code.
            #expect(home.body.contains("data-tone=\"unknown\"") && home.body.contains("id=\"scan-place\"") && home.body.contains("/static/camera.js"))
            let qrAt = try #require(home.body.range(of: "id=\"personal-qr\"")), statusAt = try #require(home.body.range(of: "id=\"status\""))
            #expect(qrAt.lowerBound < statusAt.lowerBound)
            let form = try await web.get("/me/declare")
            #expect(form.body.contains("name=\"symptom\" value=\"cough\""))
            let sent = try await web.post("/me/declare", [("symptom", "cough"), ("symptom", "fever"), ("contact", "no")])
            #expect(sent.status == .seeOther && sent.headers[.location] == "/me")
            let declaredHome = try await web.get("/me").body
            #expect(declaredHome.contains("Bất thường — sốt, ho") && declaredHome.contains("data-tone=\"abnormal\""))
            // Without the CSRF token nothing is recorded.
            #expect(try await web.post("/me/declare", [("symptom", "breath"), ("contact", "no")], withCSRF: false).status == .forbidden)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM declarations") == 1)

            try await web.get("/me/profile")
            let ward = try await app.danangWard()
            let bad = try await web.post("/me/profile", [("name", "Trần Thị Ba"), ("birthDate", "1990-02-30"), ("gender", "female"), ("wardCode", ward)])
            #expect(bad.status == .unprocessableContent && bad.body.contains("Ngày sinh phải là ngày hợp lệ"))
            let good = try await web.post("/me/profile", [("name", "Trần Thị Ba"), ("birthDate", "1990-02-28"), ("gender", "female"), ("wardCode", ward)])
            #expect(good.status == .seeOther)

            try await web.get("/me/dependents/new")
            let added = try await web.post("/me/dependents", [("name", "Trần Văn Tí"), ("birthDate", "2015-06-01"), ("gender", "male")])
            #expect(added.status == .seeOther)
            let dependentPath = try #require(added.headers[.location])
            let card = try await web.get("\(dependentPath)/card")
            #expect(card.status == .ok && card.body.contains("id=\"qr-card\"") && card.body.contains("Trần Văn Tí") && card.body.contains("<svg"))
            #expect(try await web.get("/me/checkins").status == .ok)
            #expect(try await web.get("/me/health").body.contains("id=\"dose-form\""))

            // Another citizen's browser gets "not found" for the dependent's pages; a stranger is sent to sign in.
            let other = try await WebClient.signedIn(app, phone: "0987654321")
            #expect(try await other.get("\(dependentPath)/card").status == .notFound)
            // The poster receipt shows the status to its own citizen, and to nobody else holding the link.
            let ownerToken = try await app.signIn("0909000001")
            let code = try #require(try await app.createPlace(token: ownerToken)["code"] as? String)
            try await web.get("/c/\(code)")
            let tapped = try await web.post("/c/\(code)/checkin", [("clientId", UUID().uuidString), ("direction", "in")])
            #expect(tapped.status == .seeOther)
            let receiptPath = try #require(tapped.headers[.location])
            let receipt = try await web.get(receiptPath)
            #expect(receipt.body.contains("id=\"status\"") && receipt.body.contains("Bất thường — sốt, ho"))
            let seenByOther = try await other.get(receiptPath)
            #expect(seenByOther.status == .ok && !seenByOther.body.contains("id=\"status\"") && !seenByOther.body.contains("Bất thường"))

            let anonymous = try await WebClient(app).get("/me")
            #expect(anonymous.status == .seeOther && anonymous.headers[.location]?.hasPrefix("/signin") == true)
            #expect(try await app.request(.get, "/me-sw.js").status == .ok)
        }
    }
}
