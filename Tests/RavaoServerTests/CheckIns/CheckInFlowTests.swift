import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Kiosk devices, the group-commit writer under concurrency, the poster flow and the live view.
@Suite("Check-in flows") struct CheckInFlowTests {
    static func cccd(_ n: Int, name: String = "Nguyễn Văn An") -> String {
        String(format: "0790850%05d", n) + "|123456789|\(name)|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"
    }

    func scan(_ app: TestHarness, token: String, placeId: String, payload: String, clientId: UUID = UUID(), direction: String = "in") async throws -> Reply {
        let body: [String: Any] = ["placeId": placeId, "payload": payload, "clientId": clientId.uuidString, "direction": direction]
        return try await app.request(.post, "/api/v1/scans", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), token: token)
    }

    func count(_ app: TestHarness, _ sql: String) async throws -> Int {
        try await app.store.engine.read { db in try await db.raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int.self) }
    }

    @Test(arguments: TestEngine.available)
    func aDeviceKeyScansAtItsPlaceOnlyUntilRevoked(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let otherPlace = try #require(try await app.createPlace(token: owner, name: "Nhà xe")["id"] as? String)
            #expect(try await app.request(.post, "/api/v1/places/\(placeId)/devices", json: #"{"name":"  "}"#, token: owner).status == .unprocessableContent)
            let created = try await app.request(.post, "/api/v1/places/\(placeId)/devices", json: #"{"name":"Kiosk nhà ăn"}"#, token: owner)
            #expect(created.status == .created, "\(created.body)")
            let key = try #require(created.string("key"))
            #expect(key.hasPrefix("rvd_") && key.count > 40)
            #expect(created.string("kioskUrl") == "https://ravao.test/kiosk#key=\(key)")
            let deviceId = try #require(created.string("id"))

            // The key is shown once: the list never carries it, and only its hash is stored.
            let listed = try await app.request(.get, "/api/v1/places/\(placeId)/devices", token: owner)
            let devices = try #require(listed.json["devices"] as? [[String: Any]])
            #expect(devices.count == 1 && devices[0]["key"] == nil && devices[0]["name"] as? String == "Kiosk nhà ăn")
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM devices WHERE key_hash = '\(key)'") == 0)

            let me = try await app.request(.get, "/api/v1/device", token: key)
            #expect((me.json["place"] as? [String: Any])?["id"] as? String == placeId)
            let ok = try await scan(app, token: key, placeId: placeId, payload: Self.cccd(1))
            #expect(ok.status == .created, "\(ok.body)")
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins WHERE device_id = '\(deviceId)' AND scanned_by IS NULL") == 1)
            // A device is not a person: it scans at its own place and does nothing else.
            #expect(try await scan(app, token: key, placeId: otherPlace, payload: Self.cccd(1)).errorCode == "wrong_place")
            #expect(try await app.request(.get, "/api/v1/places", token: key).status == .unauthorized)
            #expect(try await app.request(.post, "/api/v1/places/\(placeId)/devices", json: #"{"name":"x"}"#, token: key).status == .unauthorized)
            // Someone without a role at the place can neither see nor create devices.
            let stranger = try await app.signIn("0987654321")
            #expect(try await app.request(.post, "/api/v1/places/\(placeId)/devices", json: #"{"name":"x"}"#, token: stranger).status == .notFound)
            #expect(try await app.request(.delete, "/api/v1/places/\(placeId)/devices/\(deviceId)", token: stranger).status == .notFound)

            #expect(try await app.request(.delete, "/api/v1/places/\(placeId)/devices/\(deviceId)", token: owner).status == .noContent)
            // Revocation takes effect at once on this instance, despite the access cache.
            let refused = try await scan(app, token: key, placeId: placeId, payload: Self.cccd(1))
            #expect(refused.status == .unauthorized && refused.errorCode == "invalid_device_key")
            #expect(try await app.request(.delete, "/api/v1/places/\(placeId)/devices/\(deviceId)", token: owner).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/device", token: "rvd_made-up").status == .unauthorized)
        }
    }

    @Test(arguments: TestEngine.available)
    func concurrentScansAreBatchedWithoutLossOrDoubles(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let repeated = UUID()
            // 240 scans at once: 40 people, each scanned 5 times, plus one clientId sent 40 times in parallel.
            let replies = try await withThrowingTaskGroup(of: (Bool, Reply).self) { group in
                for i in 0..<200 {
                    group.addTask { (false, try await scan(app, token: owner, placeId: placeId, payload: Self.cccd(i % 40, name: "Người Số \(i % 40)"))) }
                }
                for _ in 0..<40 {
                    group.addTask { (true, try await scan(app, token: owner, placeId: placeId, payload: Self.cccd(99), clientId: repeated)) }
                }
                var all: [(Bool, Reply)] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            #expect(replies.filter { !$0.0 }.allSatisfy { $0.1.status == .created })
            let sameId = replies.filter(\.0).map(\.1)
            #expect(sameId.filter { $0.status == .created }.count == 1)
            #expect(sameId.filter { $0.status == .ok && $0.json["duplicate"] as? Bool == true }.count == 39)
            #expect(Set(sameId.compactMap { $0.string("checkInId") }).count == 1)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins") == 201)
            // Scans of one card in the same batch are one person, not five.
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM people") == 41)
            #expect(try await count(app, "SELECT COUNT(DISTINCT person_id) AS n FROM checkins") == 41)
            let names = Set(replies.filter { !$0.0 }.compactMap { ($0.1.json["person"] as? [String: Any])?["displayName"] as? String })
            #expect(names.contains("Người Số ***"))
        }
    }

    @Test(arguments: TestEngine.available)
    func aSignedInCitizenChecksInAtAPosterWithOneCall(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let place = try await app.createPlace(token: owner, extra: #","defaultStayMinutes":90"#)
            let code = try #require(place["code"] as? String)
            let citizen = try await app.signIn("0977000111")
            let clientId = UUID().uuidString
            let body = #"{"placeCode":"\#(code)","clientId":"\#(clientId)"}"#
            #expect(try await app.request(.post, "/api/v1/checkins", json: body).status == .unauthorized)
            let first = try await app.request(.post, "/api/v1/checkins", json: body, token: citizen)
            #expect(first.status == .created, "\(first.body)")
            #expect((first.json["place"] as? [String: Any])?["name"] as? String == "Quán Cơm Bà Ba")
            let scannedText = try #require(first.string("scannedAt"))
            let untilText = try #require(first.string("stayUntil"))
            let scannedAt = try #require(ISOTime.parse(scannedText))
            let until = try #require(ISOTime.parse(untilText))
            #expect(until.timeIntervalSince(scannedAt) == 90 * 60)
            let again = try await app.request(.post, "/api/v1/checkins", json: body, token: citizen)
            #expect(again.status == .ok && again.json["duplicate"] as? Bool == true && again.string("checkInId") == first.string("checkInId"))
            // The whole poster URL works too, as a camera app hands it over.
            let viaURL = try await app.request(.post, "/api/v1/checkins", json: #"{"placeCode":"https://ravao.test/c/\#(code)","direction":"out","clientId":"\#(UUID().uuidString)"}"#, token: citizen)
            #expect(viaURL.status == .created && viaURL.string("direction") == "out" && viaURL.json["stayUntil"] == nil)
            #expect(try await app.request(.post, "/api/v1/checkins", json: #"{"placeCode":"zzzzzzzzzzzz","clientId":"\#(UUID().uuidString)"}"#, token: citizen).errorCode == "unknown_code")
            // The citizen's check-ins are theirs: one person, linked to the account.
            #expect(try await count(app, "SELECT COUNT(DISTINCT c.person_id) AS n FROM checkins c JOIN people p ON p.id = c.person_id JOIN accounts a ON a.id = p.account_id WHERE a.phone = '+84977000111'") == 1)
            // A rotated poster answers 410 with a reason.
            let placeId = try #require(place["id"] as? String)
            #expect(try await app.request(.post, "/api/v1/places/\(placeId)/code", token: owner).status == .ok)
            #expect(try await app.request(.post, "/api/v1/checkins", json: #"{"placeCode":"\#(code)","clientId":"\#(UUID().uuidString)"}"#, token: citizen).errorCode == "code_replaced")
        }
    }

    @Test(arguments: TestEngine.available)
    func aGuestLeavesNameAndPhoneGetsAReceiptAndChecksOut(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let place = try await app.createPlace(token: owner)
            let code = try #require(place["code"] as? String)
            let web = WebClient(app)
            let landing = try await web.get("/c/\(code)")
            #expect(landing.status == .ok && landing.body.contains("id=\"guest-name\""))
            let clientId = try #require(landing.body.range(of: #"name="clientId" value="([0-9A-F-]{36})""#, options: .regularExpression).map {
                String(landing.body[$0].dropFirst(#"name="clientId" value=""#.count).dropLast())
            })
            // Bad input: a clear message, the typed name kept, nothing recorded.
            let badPhone = try await web.post("/c/\(code)/guest", [("clientId", clientId), ("name", "Lê Thị <b>Hoa</b>"), ("phone", "12345")])
            #expect(badPhone.status == .unprocessableContent && badPhone.body.contains("Số điện thoại không hợp lệ"))
            #expect(badPhone.body.contains("Lê Thị &lt;b&gt;Hoa&lt;/b&gt;"))
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins") == 0)

            let done = try await web.post("/c/\(code)/guest", [("clientId", clientId), ("name", "Lê Thị Hoa"), ("phone", "0905 123 456")])
            #expect(done.status == .seeOther)
            let receiptURL = try #require(done.headers[.location])
            // Submitting the same form twice (a double tap) is one check-in.
            let twice = try await web.post("/c/\(code)/guest", [("clientId", clientId), ("name", "Lê Thị Hoa"), ("phone", "0905 123 456")])
            #expect(twice.headers[.location] == receiptURL)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins WHERE kind = 'guest'") == 1)

            let receipt = try await web.get(receiptURL)
            #expect(receipt.status == .ok && receipt.body.contains("Quán Cơm Bà Ba") && receipt.body.contains("Lê Thị ***"))
            #expect(!receipt.body.contains("Hoa"))
            let checkoutId = try #require(receipt.body.range(of: #"name="clientId" value="([0-9A-F-]{36})""#, options: .regularExpression).map {
                String(receipt.body[$0].dropFirst(#"name="clientId" value=""#.count).dropLast())
            })
            let token = try #require(receiptURL.split(separator: "/").last.map(String.init))
            let out = try await web.post("/c/\(code)/checkout", [("receipt", token), ("clientId", checkoutId)])
            #expect(out.status == .seeOther)
            let outLocation = try #require(out.headers[.location])
            // A receipt link cannot be guessed or altered.
            #expect(try await web.get(String(receiptURL.dropLast(2)) + "xx").status == .notFound)
            let outReceipt = try await web.get(outLocation)
            #expect(outReceipt.body.contains("Đã khai báo ra") && !outReceipt.body.contains("id=\"checkout\""))
            #expect(try await count(app, "SELECT COUNT(DISTINCT person_id) AS n FROM checkins") == 1)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins WHERE direction = 'out'") == 1)
            // The guest's phone number finds them again when a guard types it, but a typed number
            // reveals no name (trust rule 3): the answer shows the number, masked.
            let staffScan = try await scan(app, token: owner, placeId: try #require(place["id"] as? String), payload: "0905123456")
            #expect((staffScan.json["person"] as? [String: Any])?["displayName"] as? String == "0905123***")
            #expect((staffScan.json["person"] as? [String: Any])?["typed"] as? Bool == true)
            #expect(try await count(app, "SELECT COUNT(DISTINCT person_id) AS n FROM checkins") == 1)
            // No CSRF token, no check-in.
            #expect(try await web.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "A"), ("phone", "0905123456")], withCSRF: false).status == .forbidden)
        }
    }

    @Test(arguments: TestEngine.available)
    func guestCheckInsAreCappedPerPhone(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let code = try #require(try await app.createPlace(token: owner)["code"] as? String)
            let web = WebClient(app)
            _ = try await web.get("/c/\(code)")
            for _ in 0..<CheckInService.guestPerPhonePerHour {
                let ok = try await web.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Khách"), ("phone", "0905123456")])
                #expect(ok.status == .seeOther)
            }
            let capped = try await web.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Khách"), ("phone", "0905123456")])
            #expect(capped.status == .tooManyRequests && capped.body.contains("Quá nhiều lượt khai báo"))
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM checkins") == CheckInService.guestPerPhonePerHour)
            // Another phone still works; an hour later the first one does again.
            #expect(try await web.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Khách"), ("phone", "0905123457")]).status == .seeOther)
            app.time.advance(by: 3601)
            #expect(try await web.post("/c/\(code)/guest", [("clientId", UUID().uuidString), ("name", "Khách"), ("phone", "0905123456")]).status == .seeOther)
        }
    }

    @Test(arguments: TestEngine.available)
    func theLiveViewCountsTodayAndShowsTheLatestMasked(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: owner, extra: #","defaultStayMinutes":60"#)["id"] as? String)
            _ = try await scan(app, token: owner, placeId: placeId, payload: Self.cccd(1, name: "Trần Văn Một"))
            _ = try await scan(app, token: owner, placeId: placeId, payload: Self.cccd(2, name: "Trần Văn Hai"))
            _ = try await scan(app, token: owner, placeId: placeId, payload: Self.cccd(2, name: "Trần Văn Hai"), direction: "out")
            let live = try await app.request(.get, "/api/v1/places/\(placeId)/live", token: owner)
            #expect(live.status == .ok, "\(live.body)")
            let counts = try #require(live.json["counts"] as? [String: Any])
            #expect(counts["entries"] as? Int == 2 && counts["exits"] as? Int == 1 && counts["people"] as? Int == 2 && counts["present"] as? Int == 1)
            let recent = try #require(live.json["recent"] as? [[String: Any]])
            #expect(recent.count == 3 && recent.allSatisfy { ($0["name"] as? String)?.hasSuffix("***") == true })
            // After the default stay, nobody is counted as present any more.
            app.time.advance(by: 3601)
            let later = try await app.request(.get, "/api/v1/places/\(placeId)/live", token: owner)
            #expect((later.json["counts"] as? [String: Any])?["present"] as? Int == 0)
            let stranger = try await app.signIn("0987654321")
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/live", token: stranger).status == .notFound)
        }
    }
}
