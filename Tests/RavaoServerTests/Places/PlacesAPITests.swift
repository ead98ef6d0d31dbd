import Foundation
import Hummingbird
import RavaoCore
import RavaoStore
import Testing

/// Places through the JSON API (L1–L4): register, validate, search, edit, delete, QR, access.
@Suite("Places API") struct PlacesAPITests {
    @Test(arguments: TestEngine.available)
    func registerAPlaceInDaNang(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = try await app.createPlace(token: token)
            let code = try #require(place["code"] as? String)
            #expect(code.count >= 11)  // ≥ 64 bits from a 57-letter alphabet
            #expect(place["checkinUrl"] as? String == "https://ravao.test/c/\(code)")
            #expect(place["defaultStayMinutes"] as? Int == 90)
            #expect(place["provinceName"] as? String == "Thành phố Đà Nẵng")
            #expect(place["role"] as? String == "owner")
            #expect(place["registrantPhone"] as? String == "0912345678")
            let id = try #require(place["id"] as? String)
            let read = try await app.request(.get, "/api/v1/places/\(id)", token: token)
            #expect(read.status == .ok)
            #expect(read.string("name") == "Quán Cơm Bà Ba")
        }
    }

    @Test(arguments: TestEngine.available)
    func codesAreUniqueAndUnguessable(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            var codes: Set<String> = []
            for n in 0..<8 { codes.insert(try await app.createPlace(token: token, name: "Quầy \(n)")["code"] as? String ?? "") }
            #expect(codes.count == 8)
            #expect(codes.allSatisfy { PlaceCode.isWellFormed($0) && $0.count == 12 })
        }
    }

    @Test(arguments: TestEngine.available)
    func badInputIsRefusedWithFieldMessagesAndChangesNothing(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let ward = try await app.danangWard()
            let cases: [(String, String)] = [
                (#"{"name":"X","type":"spaceship","wardCode":"\#(ward)","registrantName":"A"}"#, "type"),
                (#"{"name":"","type":"shop","wardCode":"\#(ward)","registrantName":"A"}"#, "name"),
                (#"{"name":"X","type":"shop","wardCode":"99999","registrantName":"A"}"#, "wardCode"),
                (#"{"name":"X","type":"shop","wardCode":"48","registrantName":"A"}"#, "wardCode"),
                (#"{"name":"X","type":"shop","wardCode":"\#(ward)","registrantName":"A","defaultStayMinutes":0}"#, "defaultStayMinutes"),
                (#"{"name":"X","type":"vehicle","wardCode":"\#(ward)","registrantName":"A"}"#, "plate"),
                (#"{"name":"X","type":"vehicle","wardCode":"\#(ward)","registrantName":"A","plate":"ABC-123"}"#, "plate"),
                (#"{"name":"X","type":"shop","wardCode":"\#(ward)","registrantName":"A","plate":"51F12345"}"#, "plate"),
                (#"{"name":"X","type":"shop","wardCode":"\#(ward)","registrantName":"A","parentId":"\#(UUID().uuidString)"}"#, "parentId"),
            ]
            for (body, field) in cases {
                let reply = try await app.request(.post, "/api/v1/places", json: body, token: token)
                #expect(reply.status == .unprocessableContent, "\(body): \(reply.body)")
                let fields = (reply.json["error"] as? [String: Any])?["fields"] as? [String: Any]
                #expect(fields?[field] != nil, "expected a message for \(field): \(reply.body)")
            }
            let list = try await app.request(.get, "/api/v1/places", token: token)
            #expect(list.json["total"] as? Int == 0)
        }
    }

    @Test(arguments: TestEngine.available)
    func aShuttleBusIsNamedByItsPlate(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let ward = try await app.danangWard()
            let bus = try await app.request(.post, "/api/v1/places", json: #"{"type":"vehicle","wardCode":"\#(ward)","plate":"98c12345","registrantName":"HR"}"#, token: token)
            #expect(bus.status == .created)
            #expect(bus.string("plate") == "98C-123.45")
            #expect(bus.string("name") == "Xe 98C-123.45")
            // The same bus typed another way is the same bus.
            let again = try await app.request(.post, "/api/v1/places", json: #"{"type":"vehicle","wardCode":"\#(ward)","plate":"98C-123.45","registrantName":"HR"}"#, token: token)
            #expect(again.status == .conflict)
            #expect(again.errorCode == "plate_taken")
        }
    }

    @Test(arguments: TestEngine.available)
    func aWorkshopInsideACompany(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let company = try await app.createPlace(token: token, name: "Công ty TNHH An Viên", type: "factory")
            let companyId = try #require(company["id"] as? String)
            let workshop = try await app.createPlace(token: token, name: "Phân xưởng 1", type: "workshop", extra: #","parentId":"\#(companyId)""#)
            #expect(workshop["parentId"] as? String == companyId)
            let workshopId = try #require(workshop["id"] as? String)
            // A loop is refused: the company cannot be put inside its own workshop.
            let loop = try await app.request(.patch, "/api/v1/places/\(companyId)", json: #"{"parentId":"\#(workshopId)"}"#, token: token)
            #expect(loop.status == .unprocessableContent)
            // Clearing the parent with null.
            let cleared = try await app.request(.patch, "/api/v1/places/\(workshopId)", json: #"{"parentId":null}"#, token: token)
            #expect(cleared.status == .ok)
            #expect(cleared.json["parentId"] == nil)
            // Someone else's place cannot be a parent.
            let other = try await app.signIn("0987654321")
            let foreign = try await app.request(.post, "/api/v1/places", json: #"{"name":"X","type":"workshop","wardCode":"\#(try await app.danangWard())","registrantName":"B","parentId":"\#(companyId)"}"#, token: other)
            #expect(foreign.status == .unprocessableContent)
        }
    }

    @Test(arguments: TestEngine.available)
    func searchMyPlacesByEveryField(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            _ = try await app.createPlace(token: token)
            _ = try await app.createPlace(token: token, name: "Chợ Hàn", type: "market")
            let hospitalWard = try #require(try await app.request(.get, "/api/v1/units?parent=01").jsonArray.first?["code"] as? String)
            let hospital = try await app.request(.post, "/api/v1/places", json: #"{"name":"Bệnh viện Bạch Mai","type":"hospital","wardCode":"\#(hospitalWard)","address":"78 Giải Phóng","registrantName":"Lê Văn Cường"}"#, token: token)
            // Choosing the type grants nothing by itself (trust rule 2).
            #expect(hospital.json["privileged"] as? Bool == false)

            func names(_ query: String) async throws -> [String] {
                let reply = try await app.request(.get, "/api/v1/places?\(query)", token: token)
                #expect(reply.status == .ok)
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
            }
            #expect(try await names("q=quan%20com") == ["Quán Cơm Bà Ba"])          // no diacritics
            #expect(try await names("q=quan+com") == ["Quán Cơm Bà Ba"])            // form encoding
            #expect(try await names("q=Qu%C3%A1n%20C%C6%A1m") == ["Quán Cơm Bà Ba"])  // with diacritics
            #expect(try await names("q=le%20duan").count == 2)                         // address
            #expect(try await names("q=giai%20phong") == ["Bệnh viện Bạch Mai"])
            #expect(try await names("q=ha%20noi") == ["Bệnh viện Bạch Mai"])           // province name
            #expect(try await names("q=da%20nang").count == 2)
            #expect(try await names("q=cho") == ["Chợ Hàn"])                           // "chợ" matches name and type
            #expect(try await names("q=market") == ["Chợ Hàn"])                        // type in English
            #expect(try await names("q=cuong") == ["Bệnh viện Bạch Mai"])              // registrant
            #expect(try await names("q=0912345").count == 3)                           // owner phone
            #expect(try await names("type=hospital") == ["Bệnh viện Bạch Mai"])
            #expect(try await names("province=48").count == 2)
            #expect(try await names("ward=\(hospitalWard)") == ["Bệnh viện Bạch Mai"])
            #expect(try await names("q=%25").isEmpty)                                  // LIKE wildcards are literal
            #expect(try await names("q=nothing%20here").isEmpty)
            // Another account sees none of them.
            let other = try await app.signIn("0987654321")
            #expect(try await app.request(.get, "/api/v1/places", token: other).json["total"] as? Int == 0)
        }
    }

    @Test(arguments: TestEngine.available)
    func editingKeepsTheCodeAndUpdatesSearch(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = try await app.createPlace(token: token)
            let id = try #require(place["id"] as? String)
            let hue = try #require(try await app.request(.get, "/api/v1/units?parent=46").jsonArray.first?["code"] as? String)
            let edited = try await app.request(.patch, "/api/v1/places/\(id)", json: #"{"name":"Cơm Bà Ba","wardCode":"\#(hue)","defaultStayMinutes":45}"#, token: token)
            #expect(edited.status == .ok, "\(edited.body)")
            #expect(edited.string("name") == "Cơm Bà Ba")
            #expect(edited.string("provinceCode") == "46")
            #expect(edited.json["defaultStayMinutes"] as? Int == 45)
            #expect(edited.string("code") == place["code"] as? String)
            #expect(edited.string("address") == "12 Lê Duẩn")
            let found = try await app.request(.get, "/api/v1/places?province=46", token: token)
            #expect(found.json["total"] as? Int == 1)
            let bad = try await app.request(.patch, "/api/v1/places/\(id)", json: #"{"name":"   "}"#, token: token)
            #expect(bad.status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/places/\(id)", token: token).string("name") == "Cơm Bà Ba")
        }
    }

    @Test(arguments: TestEngine.available)
    func strangersCannotSeeOrChangeAPlace(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let id = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let stranger = try await app.signIn("0987654321")
            #expect(try await app.request(.get, "/api/v1/places/\(id)", token: stranger).status == .notFound)
            #expect(try await app.request(.patch, "/api/v1/places/\(id)", json: #"{"name":"Hacked"}"#, token: stranger).status == .notFound)
            #expect(try await app.request(.delete, "/api/v1/places/\(id)", token: stranger).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/places/\(id)/qr.png", token: stranger).status == .notFound)
            #expect(try await app.request(.post, "/api/v1/places/\(id)/code", token: stranger).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/places/\(id)/requests", token: stranger).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/places/not-a-uuid", token: owner).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/places/\(id)", token: owner).string("name") == "Quán Cơm Bà Ba")
        }
    }

    @Test(arguments: TestEngine.available)
    func deletingIsSoftAndRetiresThePoster(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = try await app.createPlace(token: token)
            let id = try #require(place["id"] as? String)
            let code = try #require(place["code"] as? String)
            #expect(try await app.request(.get, "/c/\(code)").status == .ok)
            #expect(try await app.request(.delete, "/api/v1/places/\(id)", token: token).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/places/\(id)", token: token).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/places", token: token).json["total"] as? Int == 0)
            #expect(try await app.request(.get, "/c/\(code)").status == .gone)
            // The row is still there for tracing.
            let stored = try await app.store.places.place(id: UUID(uuidString: id)!)
            #expect(stored?.deletedAt != nil)
        }
    }

    @Test(arguments: TestEngine.available)
    func rotatingTheCodeRetiresOldPosters(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = try await app.createPlace(token: token)
            let id = try #require(place["id"] as? String)
            let old = try #require(place["code"] as? String)
            let rotated = try await app.request(.post, "/api/v1/places/\(id)/code", token: token)
            #expect(rotated.status == .ok)
            let new = try #require(rotated.string("code"))
            #expect(new != old)
            let oldPoster = try await app.request(.get, "/c/\(old)")
            #expect(oldPoster.status == .gone)
            #expect(oldPoster.body.contains("id=\"retired\""))
            let newPoster = try await app.request(.get, "/c/\(new)")
            #expect(newPoster.status == .ok)
            #expect(newPoster.body.contains("Quán Cơm Bà Ba"))
            #expect(try await app.request(.get, "/c/zzzzzzzzzzzz").status == .notFound)
            #expect(try await app.request(.get, "/c/%3Cscript%3E").status == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func addingSomeoneElsesPlaceNeedsTheOwnersAcceptance(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let place = try await app.createPlace(token: owner)
            let id = try #require(place["id"] as? String)
            let url = try #require(place["checkinUrl"] as? String)
            let guard_ = try await app.signIn("0987654321")
            // The guard pastes what the phone camera showed: the whole URL.
            let requested = try await app.request(.post, "/api/v1/place-requests", json: #"{"code":"\#(url)"}"#, token: guard_)
            #expect(requested.status == .created, "\(requested.body)")
            let requestId = try #require(requested.string("id"))
            #expect(requested.string("status") == "pending")
            // Pending: no access yet.
            #expect(try await app.request(.get, "/api/v1/places/\(id)", token: guard_).status == .notFound)
            // Only the owner can answer.
            #expect(try await app.request(.post, "/api/v1/place-requests/\(requestId)/accept", json: #"{"role":"owner"}"#, token: guard_).status == .notFound)
            let pending = try await app.request(.get, "/api/v1/places/\(id)/requests", token: owner)
            #expect(pending.jsonArray.count == 1)
            #expect(pending.jsonArray.first?["phone"] as? String == "0987654321")
            #expect(try await app.request(.post, "/api/v1/place-requests/\(requestId)/accept", json: #"{"role":"janitor"}"#, token: owner).status == .unprocessableContent)
            #expect(try await app.request(.post, "/api/v1/place-requests/\(requestId)/accept", json: #"{"role":"#, token: owner).status == .badRequest)
            #expect(try await app.request(.post, "/api/v1/place-requests/\(requestId)/accept", json: #"{"role":"controller"}"#, token: owner).status == .noContent)
            let seen = try await app.request(.get, "/api/v1/places/\(id)", token: guard_)
            #expect(seen.status == .ok)
            #expect(seen.string("role") == "controller")
            // A controller may not edit or delete.
            #expect(try await app.request(.patch, "/api/v1/places/\(id)", json: #"{"name":"X"}"#, token: guard_).status == .forbidden)
            #expect(try await app.request(.delete, "/api/v1/places/\(id)", token: guard_).status == .forbidden)
            // Answering twice is a conflict; unknown codes are not found.
            #expect(try await app.request(.post, "/api/v1/place-requests/\(requestId)/decline", token: owner).status == .conflict)
            #expect(try await app.request(.post, "/api/v1/place-requests", json: #"{"code":"nonexistent1"}"#, token: guard_).status == .notFound)
        }
    }
}
