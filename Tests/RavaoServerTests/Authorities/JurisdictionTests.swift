import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Officers see only their jurisdiction (A1): counts, tracing, marks, zones, officers, place alerts.
@Suite("Authorities: jurisdictions") struct JurisdictionTests {
    struct World {
        let owner: String
        let places: [String: String]   // name → id
        let people: [String: String]   // name → person id
    }

    func officer(_ app: TestHarness, phone: String, unit: String, functions: Set<OfficerFunction>) async throws -> String {
        try await makeOfficer(app, phone: phone, unit: unit, functions: functions)
        return try await app.signIn(phone)
    }

    /// What `ravao officer add` does: the account (created if new) becomes an officer.
    func makeOfficer(_ app: TestHarness, phone: String, unit: String, functions: Set<OfficerFunction>) async throws {
        let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber(phone)!, language: .vi, now: app.time.seconds())
        try await app.store.officers.upsert(account: account.id, unitCode: unit, functions: functions, by: nil, now: app.time.seconds())
    }

    func place(_ app: TestHarness, token: String, name: String, ward: String) async throws -> String {
        let body = #"{"name":"\#(name)","type":"factory","wardCode":"\#(ward)","address":"1 Đường Số 1","registrantName":"Trần Thị Ba"}"#
        let reply = try await app.request(.post, "/api/v1/places", json: body, token: token)
        #expect(reply.status == .created, "\(reply.body)")
        return try #require(reply.string("id"))
    }

    func scan(_ app: TestHarness, token: String, place: String, person: Int, direction: String, hoursAgo: Double) async throws -> String {
        let at = ISOTime.string(app.time.seconds() - Int64(hoursAgo * 3600))
        let body: [String: Any] = ["placeId": place, "payload": CheckInFlowTests.cccd(person, name: "Người Số \(person)"), "clientId": UUID().uuidString,
                                   "direction": direction, "scannedAt": at]
        let reply = try await app.request(.post, "/api/v1/scans", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), token: token)
        #expect(reply.status == .created, "\(reply.body)")
        return try #require((reply.json["person"] as? [String: Any])?["id"] as? String)
    }

    /// X (the case) and Y at place A in ward A; X and Z at place B in ward B; X at place C elsewhere.
    func build(_ app: TestHarness, wardA: String, wardB: String, wardC: String) async throws -> World {
        let owner = try await app.signIn("0911111111")
        let a = try await place(app, token: owner, name: "Nhà máy A", ward: wardA)
        let b = try await place(app, token: owner, name: "Chợ B", ward: wardB)
        let c = try await place(app, token: owner, name: "Xe đưa đón C", ward: wardC)
        let x = try await scan(app, token: owner, place: a, person: 1, direction: "in", hoursAgo: 10)
        _ = try await scan(app, token: owner, place: a, person: 1, direction: "out", hoursAgo: 9)
        let y = try await scan(app, token: owner, place: a, person: 2, direction: "in", hoursAgo: 9.5)
        _ = try await scan(app, token: owner, place: a, person: 2, direction: "out", hoursAgo: 8)
        _ = try await scan(app, token: owner, place: b, person: 1, direction: "in", hoursAgo: 6)
        let z = try await scan(app, token: owner, place: b, person: 3, direction: "in", hoursAgo: 5.5)
        _ = try await scan(app, token: owner, place: c, person: 1, direction: "in", hoursAgo: 3)
        let w = try await scan(app, token: owner, place: c, person: 4, direction: "in", hoursAgo: 3)
        return World(owner: owner, places: ["A": a, "B": b, "C": c], people: ["X": x, "Y": y, "Z": z, "W": w])
    }

    func trace(_ app: TestHarness, token: String, person: String) async throws -> Reply {
        let from = ISOTime.string(app.time.seconds() - 86_400), to = ISOTime.string(app.time.seconds())
        return try await app.request(.post, "/api/v1/tracing", json: #"{"person":{"personId":"\#(person)"},"from":"\#(from)","to":"\#(to)","depth":2}"#, token: token)
    }

    func contactPeople(_ reply: Reply) -> Set<String> {
        Set((reply.json["contacts"] as? [[String: Any]] ?? []).compactMap { $0["personId"] as? String })
    }

    func stayPlaces(_ reply: Reply) -> Set<String> {
        Set((reply.json["stays"] as? [[String: Any]] ?? []).compactMap { $0["placeId"] as? String })
    }

    @Test(arguments: TestEngine.available)
    func wardAndProvinceOfficersIn2025(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray.compactMap { $0["code"] as? String }
            let hanoi = try await app.request(.get, "/api/v1/units?parent=01").jsonArray.compactMap { $0["code"] as? String }
            let (wardA, wardB) = (wards[0], wards[1])
            let world = try await build(app, wardA: wardA, wardB: wardB, wardC: hanoi[0])
            let ward = try await officer(app, phone: "0922222222", unit: wardA, functions: [.statistics, .health])
            let province = try await officer(app, phone: "0933333333", unit: "48", functions: [.statistics, .health, .zones])
            let nation = try await officer(app, phone: "0944444444", unit: "VN", functions: [.health])
            let citizen = try await app.signIn("0955555555")

            // Not an officer: refused everywhere.
            #expect(try await app.request(.get, "/api/v1/stats", token: citizen).errorCode == "not_officer")
            #expect(try await trace(app, token: citizen, person: world.people["X"]!).errorCode == "not_officer")
            #expect(try await app.request(.get, "/api/v1/stats", token: nation).errorCode == "missing_function")

            // A ward officer sees the ward, not the next one.
            let own = try await app.request(.get, "/api/v1/stats", token: ward)
            #expect(own.status == .ok, "\(own.body)")
            #expect(own.json["places"] as? Int == 1 && own.json["scans"] as? Int == 4 && own.json["people"] as? Int == 2 && own.json["activePlaces"] as? Int == 1)
            #expect(try await app.request(.get, "/api/v1/stats?unit=\(wardB)", token: ward).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.get, "/api/v1/stats?unit=48", token: ward).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.get, "/api/v1/stats?unit=nope", token: ward).errorCode == "unknown_unit")

            // The province sees both wards and drills down.
            let prov = try await app.request(.get, "/api/v1/stats?unit=48", token: province)
            #expect(prov.json["places"] as? Int == 2 && prov.json["scans"] as? Int == 6 && prov.json["people"] as? Int == 3)
            let children = try #require(prov.json["children"] as? [[String: Any]])
            #expect(children.count == wards.count)
            #expect(children.first { $0["unit"] as? String == wardB }?["scans"] as? Int == 2)
            #expect((prov.json["days"] as? [[String: Any]])?.count == 7)
            #expect(try await app.request(.get, "/api/v1/stats?unit=\(wardB)", token: province).json["people"] as? Int == 2)

            // Tracing: each officer follows the case only through places of their jurisdiction.
            let wardTrace = try await trace(app, token: ward, person: world.people["X"]!)
            #expect(wardTrace.status == .ok, "\(wardTrace.body)")
            #expect(stayPlaces(wardTrace) == [world.places["A"]!] && contactPeople(wardTrace) == [world.people["Y"]!])
            let provTrace = try await trace(app, token: province, person: world.people["X"]!)
            #expect(stayPlaces(provTrace) == [world.places["A"]!, world.places["B"]!])
            #expect(contactPeople(provTrace) == [world.people["Y"]!, world.people["Z"]!])
            let national = try await trace(app, token: nation, person: world.people["X"]!)
            #expect(contactPeople(national) == [world.people["Y"]!, world.people["Z"]!, world.people["W"]!])
            #expect(((national.json["stays"] as? [[String: Any]])?.first?["from"] as? String)?.hasSuffix("+07:00") == true)
            // Viewing contacts in full is logged.
            #expect(try await app.store.officers.auditCount(subject: world.people["Y"]!, action: "unmasked_view") == 3)

            // Marks: a person outside the ward is not found for the ward officer.
            #expect(try await app.request(.post, "/api/v1/people/\(world.people["Z"]!)/marks", json: #"{"mark":"F1"}"#, token: ward).status == .notFound)
            #expect(try await app.request(.post, "/api/v1/people/\(world.people["Y"]!)/marks", json: #"{"mark":"F9"}"#, token: ward).errorCode == "invalid_mark")
            #expect(try await app.request(.post, "/api/v1/people/\(world.people["Y"]!)/marks", json: #"{"mark":"F1"}"#, token: ward).status == .noContent)
            let marks = try await app.store.engine.read { db in
                try await db.raw("SELECT mark FROM person_marks WHERE person_id = \(bind: world.people["Y"]!) AND cleared_at IS NULL").all().map { try $0.decode(column: "mark", as: String.self) }
            }
            #expect(marks == ["F1"])

            // Risk list: Y is marked; names are full for health officers, masked for statistics-only ones.
            let risk = try await app.request(.get, "/api/v1/risk?reason=marked", token: ward)
            #expect(risk.status == .ok, "\(risk.body)")
            #expect(risk.jsonArray.map { $0["personId"] as? String } == [world.people["Y"]!])
            #expect(risk.jsonArray.first?["name"] as? String == "Người Số 2" && (risk.jsonArray.first?["reasons"] as? [String])?.contains("F1") == true)
            let counter = try await officer(app, phone: "0977777777", unit: wardA, functions: [.statistics])
            let masked = try await app.request(.get, "/api/v1/risk?reason=marked", token: counter)
            #expect(masked.jsonArray.first?["name"] as? String == "Người Số ***" && masked.jsonArray.first?["masked"] as? Bool == true)
            #expect(try await app.request(.get, "/api/v1/risk?reason=bogus", token: ward).status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/risk?unit=\(wardB)", token: ward).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.post, "/api/v1/people/\(world.people["Y"]!)/tests", json: #"{"kind":"pcr","result":"positive","date":"2019-01-01"}"#, token: ward).status == .unprocessableContent)

            // Zones: only with the zones function, only inside the jurisdiction.
            #expect(try await app.request(.post, "/api/v1/zones", json: #"{"unitCode":"\#(wardB)","level":"3","from":"2026-01-01"}"#, token: ward).errorCode == "missing_function")
            #expect(try await app.request(.post, "/api/v1/zones", json: #"{"unitCode":"\#(hanoi[0])","level":"3","from":"2026-01-01"}"#, token: province).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.post, "/api/v1/zones", json: #"{"unitCode":"\#(wardB)","level":"9","from":"x"}"#, token: province).status == .unprocessableContent)
            let zone = try await app.request(.post, "/api/v1/zones", json: #"{"unitCode":"\#(wardB)","level":"3","from":"2026-01-01"}"#, token: province)
            #expect(zone.status == .created, "\(zone.body)")
            #expect(try await app.store.health.zones(since: 0).map(\.unitCode) == [wardB])
            let zoneId = try #require(zone.string("id"))
            #expect(try await app.request(.post, "/api/v1/zones/\(zoneId)/lift", token: province).status == .noContent)
            #expect(try await app.request(.post, "/api/v1/zones/\(zoneId)/lift", token: province).errorCode == "zone_ended")

            // Officers: created for units below only, with functions the creator holds.
            #expect(try await app.request(.post, "/api/v1/officers", json: #"{"phone":"0966666666","unitCode":"\#(wardB)","functions":["health"]}"#, token: ward).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.post, "/api/v1/officers", json: #"{"phone":"0966666666","unitCode":"48","functions":["health"]}"#, token: province).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.post, "/api/v1/officers", json: #"{"phone":"0966666666","unitCode":"\#(wardA)","functions":["zones"]}"#, token: ward).status == .unprocessableContent)
            let created = try await app.request(.post, "/api/v1/officers", json: #"{"phone":"0966666666","unitCode":"\#(wardB)","functions":["health","statistics"]}"#, token: province)
            #expect(created.status == .created, "\(created.body)")
            let newOfficer = try await app.signIn("0966666666")
            #expect(try await app.request(.get, "/api/v1/stats", token: newOfficer).json["places"] as? Int == 1)
            #expect(try await app.request(.get, "/api/v1/officers", token: ward).jsonArray.count == 2)

            // Place alert: everyone present is listed; the owner is told the window, not the case.
            #expect(try await app.request(.post, "/api/v1/alerts/place", json: #"{"placeId":"\#(world.places["B"]!)","from":"\#(ISOTime.string(app.time.seconds() - 86_400))","to":"\#(ISOTime.string(app.time.seconds()))"}"#, token: ward).status == .notFound)
            let alert = try await app.request(.post, "/api/v1/alerts/place", json: #"{"placeId":"\#(world.places["A"]!)","from":"\#(ISOTime.string(app.time.seconds() - 86_400))","to":"\#(ISOTime.string(app.time.seconds()))"}"#, token: province)
            #expect(alert.status == .created, "\(alert.body)")
            #expect(Set((alert.json["people"] as? [[String: Any]] ?? []).compactMap { $0["personId"] as? String }) == [world.people["X"]!, world.people["Y"]!])
            let exposures = try await app.store.health.exposures(of: UUID(uuidString: world.people["Y"]!)!, since: 0)
            #expect(exposures.contains { $0.source == "place_alert" && $0.placeId?.uuidString == world.places["A"]! })
            // The place is named by its code: its name is text a user typed (trust rule 8).
            let code = try #require(try await app.store.places.place(id: UUID(uuidString: world.places["A"]!)!)).code
            let ownerTexts = app.sms.messages.filter { $0.to == "+84911111111" && $0.text.contains(code) }
            #expect(ownerTexts.count == 1 && !ownerTexts[0].text.contains("Người Số 1") && !ownerTexts[0].text.contains("Nhà máy A"))
        }
    }

    /// A trace over the configured number of contacts is refused with a message saying how to narrow it.
    @Test(arguments: TestEngine.available)
    func traceOverTheContactLimitIsRefused(engine: TestEngine) async throws {
        try await withApp(engine, configure: { $0.maximumTraceContacts = 2 }) { app in
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray.compactMap { $0["code"] as? String }
            let world = try await build(app, wardA: wards[0], wardB: wards[1], wardC: wards[2])
            let nation = try await officer(app, phone: "0944444444", unit: "VN", functions: [.health])
            let refused = try await trace(app, token: nation, person: world.people["X"]!)
            #expect(refused.status == .unprocessableContent && refused.errorCode == "trace_too_large", "\(refused.body)")
            #expect(refused.body.contains("2 contacts") && refused.body.contains("level 1"), "\(refused.body)")
            // One ward holds one contact: within the limit.
            let ward = try await officer(app, phone: "0922222222", unit: wards[0], functions: [.health])
            let answered = try await trace(app, token: ward, person: world.people["X"]!)
            #expect(answered.status == .ok && contactPeople(answered) == [world.people["Y"]!], "\(answered.body)")
        }
    }

    @Test(arguments: TestEngine.available)
    func districtOfficerSeesItsWardsIn2021(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            try await app.store.units.activate(.y2021)
            // Districts with wards (Hoàng Sa, an island district, has none).
            var districts: [AdminUnit] = []
            for unit in try await app.store.units.children(of: "48", scheme: .y2021) where try await app.store.units.children(of: unit.code, scheme: .y2021).count >= 2 {
                districts.append(unit)
            }
            try #require(districts.count >= 2)
            let inFirst = try await app.store.units.children(of: districts[0].code, scheme: .y2021)
            let inSecond = try await app.store.units.children(of: districts[1].code, scheme: .y2021)
            let world = try await build(app, wardA: inFirst[0].code, wardB: inFirst[1].code, wardC: inSecond[0].code)
            let district = try await officer(app, phone: "0922222222", unit: districts[0].code, functions: [.statistics, .health])
            let ward = try await officer(app, phone: "0933333333", unit: inFirst[0].code, functions: [.statistics, .health])

            let stats = try await app.request(.get, "/api/v1/stats", token: district)
            #expect(stats.status == .ok, "\(stats.body)")
            #expect(stats.json["places"] as? Int == 2 && stats.json["scans"] as? Int == 6)
            let children = try #require(stats.json["children"] as? [[String: Any]])
            #expect(Set(children.compactMap { $0["unit"] as? String }) == Set(inFirst.map(\.code)))
            #expect(try await app.request(.get, "/api/v1/stats?unit=\(inFirst[1].code)", token: district).json["places"] as? Int == 1)
            #expect(try await app.request(.get, "/api/v1/stats?unit=\(inSecond[0].code)", token: district).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.get, "/api/v1/stats?unit=\(inFirst[1].code)", token: ward).errorCode == "outside_jurisdiction")
            #expect(try await app.request(.get, "/api/v1/stats?unit=\(districts[0].code)", token: ward).errorCode == "outside_jurisdiction")

            let districtTrace = try await trace(app, token: district, person: world.people["X"]!)
            #expect(contactPeople(districtTrace) == [world.people["Y"]!, world.people["Z"]!])
            #expect(contactPeople(try await trace(app, token: ward, person: world.people["X"]!)) == [world.people["Y"]!])
        }
    }
}
