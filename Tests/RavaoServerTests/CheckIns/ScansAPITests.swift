import Foundation
import Hummingbird
import RavaoCore
import RavaoStore
import Testing

/// `POST /api/v1/scans`: what a staff station records (a first slice of the check-in feature).
@Suite("Scans API") struct ScansAPITests {
    static let cccd = "079085001234|123456789|Nguyễn Văn An|15081985|Nam|Số 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh|10052021"

    func scan(_ app: TestHarness, token: String, placeId: String, payload: String, clientId: UUID = UUID(), extra: String = "") async throws -> Reply {
        let body: [String: Any] = ["placeId": placeId, "payload": payload, "clientId": clientId.uuidString]
        var json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        if !extra.isEmpty { json = String(json.dropLast()) + "," + extra + "}" }
        return try await app.request(.post, "/api/v1/scans", json: json, token: token)
    }

    @Test(arguments: TestEngine.available)
    func aCardScanIsRecordedOnceAndMasked(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: token)["id"] as? String)
            let clientId = UUID()
            let first = try await scan(app, token: token, placeId: placeId, payload: Self.cccd + "\r\n", clientId: clientId)
            #expect(first.status == .created, "\(first.body)")
            #expect(first.string("kind") == "cccd")
            #expect(first.json["duplicate"] as? Bool == false)
            let person = try #require(first.json["person"] as? [String: Any])
            #expect(person["displayName"] as? String == "Nguyễn Văn ***")
            // A card-first person has no date of birth on record: no birth year is claimed.
            #expect(first.json["birthYear"] == nil)
            #expect((first.json["today"] as? [String: Any])?["entries"] as? Int == 1)
            #expect((first.json["today"] as? [String: Any])?["exits"] as? Int == 0)
            // The same clientId again (a retry, an offline upload) is not a second check-in.
            let retry = try await scan(app, token: token, placeId: placeId, payload: Self.cccd, clientId: clientId)
            #expect(retry.status == .ok)
            #expect(retry.json["duplicate"] as? Bool == true)
            #expect(retry.string("checkInId") == first.string("checkInId"))
            // A later scan of the same card is the same person.
            let later = try await scan(app, token: token, placeId: placeId, payload: Self.cccd, extra: #""direction":"out""#)
            #expect((later.json["person"] as? [String: Any])?["id"] as? String == person["id"] as? String)
            #expect((later.json["today"] as? [String: Any])?["entries"] as? Int == 1)
            #expect((later.json["today"] as? [String: Any])?["exits"] as? Int == 1)
            let count = try await app.store.engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM checkins").first()!.decode(column: "n", as: Int.self)
            }
            #expect(count == 2)
        }
    }

    @Test(arguments: TestEngine.available)
    func privilegedPlacesSeeFullNames(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let hospital = try #require(try await app.createPlace(token: token, name: "Bệnh viện C", type: "hospital")["id"] as? String)
            // The type alone unmasks nothing (trust rule 2): only an officer's grant does.
            let before = try await scan(app, token: token, placeId: hospital, payload: Self.cccd)
            #expect((before.json["person"] as? [String: Any])?["displayName"] as? String == "Nguyễn Văn ***")
            try await app.grantPrivilege(hospital)
            let reply = try await scan(app, token: token, placeId: hospital, payload: Self.cccd)
            #expect((reply.json["person"] as? [String: Any])?["displayName"] as? String == "Nguyễn Văn An")
        }
    }

    @Test(arguments: TestEngine.available)
    func unreadableScansAreKeptAndExplained(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = try await app.createPlace(token: token)
            let placeId = try #require(place["id"] as? String)
            let garbage = try await scan(app, token: token, placeId: placeId, payload: "hello world")
            #expect(garbage.status == .unprocessableContent)
            #expect(garbage.errorCode == "unrecognized_payload")
            // A place's own poster scanned at a station is named as such.
            let poster = try await scan(app, token: token, placeId: placeId, payload: place["checkinUrl"] as! String)
            #expect(poster.status == .unprocessableContent)
            #expect((poster.json["error"] as? [String: Any])?["fields"].map { "\($0)" }?.contains("place") == true)
            #expect(try await app.store.checkIns.rejectedCount(placeId: UUID(uuidString: placeId)!) == 2)
        }
    }

    @Test(arguments: TestEngine.available)
    func scanTimesAreBounded(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: token)["id"] as? String)
            let formatter = ISO8601DateFormatter()
            func at(_ offset: TimeInterval) -> String { #""scannedAt":"\#(formatter.string(from: app.time.now().addingTimeInterval(offset)))""# }
            #expect(try await scan(app, token: token, placeId: placeId, payload: Self.cccd, extra: at(600)).errorCode == "time_in_future")
            #expect(try await scan(app, token: token, placeId: placeId, payload: Self.cccd, extra: at(-8 * 86_400)).errorCode == "time_too_old")
            #expect(try await scan(app, token: token, placeId: placeId, payload: Self.cccd, extra: #""scannedAt":"yesterday""#).errorCode == "invalid_time")
            let old = UUID()
            #expect(try await scan(app, token: token, placeId: placeId, payload: Self.cccd, clientId: old, extra: at(-6 * 86_400)).status == .created)
            // Re-sent after the 7 days have passed, a recorded scan is still a duplicate, not an error.
            app.time.advance(by: 2 * 86_400)
            let resent = try await scan(app, token: token, placeId: placeId, payload: Self.cccd, clientId: old, extra: at(-8 * 86_400))
            #expect(resent.status == .ok && resent.json["duplicate"] as? Bool == true, "\(resent.body)")
            app.time.advance(by: -2 * 86_400)
            #expect(try await scan(app, token: token, placeId: placeId, payload: Self.cccd, extra: at(60)).status == .created)
            // A station in Vietnam sends local time with its offset; it means the same instant.
            let local = ISO8601DateFormatter()
            local.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
            let stamped = try await scan(app, token: token, placeId: placeId, payload: Self.cccd,
                                         extra: #""scannedAt":"\#(local.string(from: app.time.now().addingTimeInterval(-3600)))""#)
            #expect(stamped.status == .created)
            #expect(stamped.string("scannedAt") == ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: (app.time.now().timeIntervalSince1970 - 3600).rounded(.down))))
        }
    }

    @Test(arguments: TestEngine.available)
    func onlyStaffOfThePlaceMayScan(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let stranger = try await app.signIn("0987654321")
            #expect(try await scan(app, token: stranger, placeId: placeId, payload: Self.cccd).status == .notFound)
            let anonymous = try await app.request(.post, "/api/v1/scans", json: #"{"placeId":"\#(placeId)","payload":"x","clientId":"\#(UUID().uuidString)"}"#)
            #expect(anonymous.status == .unauthorized)
            let badId = try await app.request(.post, "/api/v1/scans", json: #"{"placeId":"\#(placeId)","payload":"x","clientId":"nope"}"#, token: owner)
            #expect(badId.status == .badRequest)
        }
    }

    @Test(arguments: TestEngine.available)
    func personalTokensAreVerifiedAndRevocable(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: token)["id"] as? String)
            let citizen = try await app.store.accounts.findOrCreate(phone: PhoneNumber("0977000111")!, language: .vi, now: app.time.seconds())
            let personId = try await app.store.checkIns.person(forAccount: citizen, now: app.time.seconds())
            let qr = PersonalToken.issue(personId: personId, version: 1, key: app.services.keys.personalTokenKey)
            let ok = try await scan(app, token: token, placeId: placeId, payload: qr)
            #expect(ok.status == .created, "\(ok.body)")
            #expect(ok.string("kind") == "ravao")
            #expect((ok.json["person"] as? [String: Any])?["id"] as? String == personId.uuidString)
            // The guard types the citizen's phone instead: the same person.
            let byPhone = try await scan(app, token: token, placeId: placeId, payload: "0977 000 111")
            #expect((byPhone.json["person"] as? [String: Any])?["id"] as? String == personId.uuidString)
            // Re-issued: the old QR is refused with a clear reason.
            try await app.store.engine.write { db in try await db.raw("UPDATE people SET token_version = 2 WHERE id = \(bind: personId.uuidString)").run() }
            let old = try await scan(app, token: token, placeId: placeId, payload: qr)
            #expect(old.errorCode == "token_revoked")
            // A token signed with another key is refused.
            let forged = PersonalToken.issue(personId: personId, version: 2, key: .init(size: .bits256))
            #expect(try await scan(app, token: token, placeId: placeId, payload: forged).status == .unprocessableContent)
        }
    }
}
