import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// Sharing a place by phone with SMS codes (S1), the place history (S2), scan history and exports (S3),
/// masking and the unmasked-view log (S4), and work history (S5), on both engines.
@Suite("Sharing, history and exports") struct SharingTests {
    static func cccd(_ n: Int, name: String) -> String {
        String(format: "0790850%05d", n) + "|123456789|\(name)|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"
    }

    static func e164(_ phone: String) -> String { PhoneNumber(phone)!.e164 }

    func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func share(_ app: TestHarness, _ token: String, _ placeId: String, phones: String, role: String, expiresAt: String? = nil, ip: String = "203.0.113.1") async throws -> Reply {
        var body: [String: Any] = ["phones": phones, "role": role]
        if let expiresAt { body["expiresAt"] = expiresAt }
        return try await app.request(.post, "/api/v1/places/\(placeId)/shares", json: try json(body), token: token, ip: ip)
    }

    func confirm(_ app: TestHarness, _ token: String, shareId: String, code: String) async throws -> Reply {
        try await app.request(.post, "/api/v1/shares/\(shareId)/confirm", json: #"{"code":"\#(code)"}"#, token: token)
    }

    func scan(_ app: TestHarness, _ token: String, _ placeId: String, _ payload: String, direction: String = "in") async throws -> Reply {
        try await app.request(.post, "/api/v1/scans", json: try json(["placeId": placeId, "payload": payload, "clientId": UUID().uuidString, "direction": direction]), token: token)
    }

    func count(_ app: TestHarness, _ sql: String) async throws -> Int {
        try await app.store.engine.read { db in try await db.raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int.self) }
    }

    func shareIds(_ reply: Reply) -> [String: String] {
        var out: [String: String] = [:]
        for s in reply.json["shares"] as? [[String: Any]] ?? [] { out[s["phone"] as! String] = s["id"] as? String }
        return out
    }

    @Test(arguments: TestEngine.available)
    func sharingWithSMSCodesGrantsRolesOnlyOnceConfirmed(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: owner, name: "Công ty TNHH An Viên", type: "office")["id"] as? String)
            let guard1 = try await app.signIn("0987000001")

            // Bad input changes nothing and names the bad number.
            let bad = try await share(app, owner, placeId, phones: "0987000001, 12345", role: "controller")
            #expect(bad.status == .unprocessableContent && bad.body.contains("12345"))
            #expect(try await share(app, owner, placeId, phones: "0987000001", role: "boss").status == .unprocessableContent)
            #expect(try await share(app, owner, placeId, phones: "0987000001", role: "controller", expiresAt: "2001-01-01").status == .unprocessableContent)
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM place_shares") == 0)

            let created = try await share(app, owner, placeId, phones: "0987000001, 0987000002 ,0987000003", role: "controller")
            #expect(created.status == .created, "\(created.body)")
            let ids = shareIds(created)
            #expect(ids.count == 3)
            #expect((created.json["shares"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "pending" } == true)
            for phone in ["0987000001", "0987000002", "0987000003"] { #expect(app.sms.lastCode(to: Self.e164(phone)) != nil) }

            // Before the code, the guard has no role.
            #expect(try await scan(app, guard1, placeId, Self.cccd(1, name: "Lê Văn Bảo")).status == .notFound)
            // A wrong code fails; a stranger cannot act on someone else's share.
            let stranger = try await app.signIn("0977111222")
            let code1 = try #require(app.sms.lastCode(to: Self.e164("0987000001")))
            #expect(try await confirm(app, stranger, shareId: ids["0987000001"]!, code: code1).status == .notFound)
            let wrong = try await confirm(app, guard1, shareId: ids["0987000001"]!, code: code1 == "000000" ? "111111" : "000000")
            #expect(wrong.status == .unprocessableContent && wrong.errorCode == "invalid_code")
            // The invitee, signed in, enters the code.
            let ok = try await confirm(app, guard1, shareId: ids["0987000001"]!, code: code1)
            #expect(ok.status == .ok && ok.string("status") == "active", "\(ok.body)")
            #expect(try await confirm(app, guard1, shareId: ids["0987000001"]!, code: code1).errorCode == "share_not_pending")

            // An entry controller scans, and does nothing else.
            #expect(try await scan(app, guard1, placeId, Self.cccd(1, name: "Lê Văn Bảo")).status == .created)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)", token: guard1).string("role") == "controller")
            #expect(try await app.request(.patch, "/api/v1/places/\(placeId)", json: #"{"name":"x"}"#, token: guard1).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/history", token: guard1).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/shares", token: guard1).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/scans.csv", token: guard1).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/qr.png", token: guard1).status == .forbidden)

            // Guard 2 has no account: the owner types the code the guard reads out; the role applies at first sign-in.
            let code2 = try #require(app.sms.lastCode(to: Self.e164("0987000002")))
            let byOwner = try await confirm(app, owner, shareId: ids["0987000002"]!, code: code2)
            #expect(byOwner.status == .ok && byOwner.string("status") == "active")
            #expect(try await count(app, "SELECT COUNT(*) AS n FROM accounts WHERE phone = '\(Self.e164("0987000002"))'") == 0)
            let guard2 = try await app.signIn("0987000002")
            #expect(try await scan(app, guard2, placeId, Self.cccd(2, name: "Phạm Thị Cúc")).status == .created)

            // Five wrong codes kill a code: even the right one no longer works.
            let code3 = try #require(app.sms.lastCode(to: Self.e164("0987000003")))
            let other = code3 == "000000" ? "111111" : "000000"
            for _ in 0..<5 { _ = try await confirm(app, owner, shareId: ids["0987000003"]!, code: other) }
            #expect(try await confirm(app, owner, shareId: ids["0987000003"]!, code: code3).errorCode == "invalid_code")

            // A manager shares, but never ownership; the code SMS are capped per phone.
            let managerShare = try await share(app, owner, placeId, phones: "0966000001", role: "manager")
            let managerCode = try #require(app.sms.lastCode(to: Self.e164("0966000001")))
            let manager = try await app.signIn("0966000001")
            #expect(try await confirm(app, manager, shareId: shareIds(managerShare)["0966000001"]!, code: managerCode).status == .ok)
            #expect(try await share(app, manager, placeId, phones: "0955000001", role: "owner").errorCode == "owner_only")
            #expect(try await share(app, manager, placeId, phones: "0955000001", role: "controller").status == .created)
            for _ in 0..<5 {
                _ = try await share(app, owner, placeId, phones: "0955000002", role: "controller")
                app.time.advance(by: 61)  // past the one-minute wait between codes to one number
            }
            let capped = try await share(app, owner, placeId, phones: "0955000002", role: "controller")
            #expect(capped.status == .tooManyRequests && capped.errorCode == "too_many_codes")

            // The listing shows shares and members; the history recorded every step with account and IP.
            let listed = try await app.request(.get, "/api/v1/places/\(placeId)/shares", token: manager)
            #expect((listed.json["members"] as? [[String: Any]])?.count == 4)
            let history = try await app.request(.get, "/api/v1/places/\(placeId)/history?action=shared", token: owner)
            let items = try #require(history.json["items"] as? [[String: Any]])
            #expect(items.count >= 3)
            #expect(items.allSatisfy { $0["ip"] as? String == "203.0.113.1" && $0["via"] as? String == "api" })
            #expect(items.contains { ($0["details"] as? [String: String])?["phone"] == "0987000001" && $0["account"] as? String == "0912345678" })

            // Downloads and API edits are recorded from the route table, with the call itself.
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/qr.svg", token: owner).status == .ok)
            #expect(try await app.request(.patch, "/api/v1/places/\(placeId)", json: #"{"address":"5 Trần Phú"}"#, token: owner).status == .ok)
            #expect(try await app.request(.patch, "/api/v1/places/\(placeId)", json: #"{"name":""}"#, token: owner).status == .unprocessableContent)
            var entries: [[String: Any]] = []
            var next: String? = nil
            repeat {
                let page = try await app.request(.get, "/api/v1/places/\(placeId)/history?limit=4" + (next.map { "&cursor=\($0)" } ?? ""), token: owner)
                entries += page.json["items"] as? [[String: Any]] ?? []
                next = page.string("next")
            } while next != nil && entries.count < 200
            #expect(Set(entries.compactMap { $0["id"] as? String }).count == entries.count, "pages do not overlap")
            let edits = entries.filter { $0["action"] as? String == "edited" }
            #expect(edits.count == 1, "a refused edit is not history")
            #expect((edits.first?["details"] as? [String: String])?["call"] == "PATCH /api/v1/places/\(placeId)")
            #expect(entries.first?["action"] as? String == "edited" && entries.contains { ($0["details"] as? [String: String])?["format"] == "svg" })
        }
    }

    @Test(arguments: TestEngine.available)
    func expiryRevocationAndTheLastOwnerRule(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let ownerId = try #require(try await app.store.accounts.account(phone: PhoneNumber("0912345678")!)?.id)
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            let manager = try await app.signIn("0966000001")
            let tomorrow = ISOTime.string(app.services.time.seconds() + 86_400)
            let made = try await share(app, owner, placeId, phones: "0966000001", role: "manager", expiresAt: tomorrow)
            let managerShare = try #require(shareIds(made)["0966000001"])
            #expect(try await confirm(app, manager, shareId: managerShare, code: app.sms.lastCode(to: Self.e164("0966000001"))!).status == .ok)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/history", token: manager).status == .ok)
            // After the expiry the role is gone, despite the role cache.
            app.time.advance(by: 2 * 86_400)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)/history", token: manager).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/places", token: manager).json["total"] as? Int == 0)
            let listed = try await app.request(.get, "/api/v1/places/\(placeId)/shares", token: owner)
            #expect((listed.json["shares"] as? [[String: Any]])?.first?["status"] as? String == "expired")

            // Revoking takes the role away at once.
            let guardToken = try await app.signIn("0987000001")
            let g = try await share(app, owner, placeId, phones: "0987000001", role: "controller")
            let guardShare = try #require(shareIds(g)["0987000001"])
            #expect(try await confirm(app, guardToken, shareId: guardShare, code: app.sms.lastCode(to: Self.e164("0987000001"))!).status == .ok)
            #expect(try await scan(app, guardToken, placeId, Self.cccd(1, name: "Lê Văn Bảo")).status == .created)
            #expect(try await app.request(.delete, "/api/v1/shares/\(guardShare)", token: owner).status == .noContent)
            #expect(try await scan(app, guardToken, placeId, Self.cccd(1, name: "Lê Văn Bảo")).status == .notFound)
            #expect(try await app.request(.delete, "/api/v1/shares/\(guardShare)", token: owner).errorCode == "already_revoked")

            // The last owner can neither leave nor be demoted; with a second owner, the first may leave.
            let left = try await app.request(.delete, "/api/v1/places/\(placeId)/members/\(ownerId.uuidString)", token: owner)
            #expect(left.status == .conflict && left.errorCode == "last_owner")
            let second = try await app.signIn("0933000001")
            let o = try await share(app, owner, placeId, phones: "0933000001", role: "owner")
            let ownerShare = try #require(shareIds(o)["0933000001"])
            #expect(try await confirm(app, second, shareId: ownerShare, code: app.sms.lastCode(to: Self.e164("0933000001"))!).status == .ok)
            #expect(try await app.request(.delete, "/api/v1/places/\(placeId)/members/\(ownerId.uuidString)", token: owner).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)", token: owner).status == .notFound)
            // Now the second owner is the last one: revoking their share is refused.
            let revokeLast = try await app.request(.delete, "/api/v1/shares/\(ownerShare)", token: second)
            #expect(revokeLast.errorCode == "last_owner")
            #expect(try await app.request(.get, "/api/v1/places/\(placeId)", token: second).string("role") == "owner")
            let actions = (try await app.request(.get, "/api/v1/places/\(placeId)/history", token: second).json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("unshared") && actions.contains("share_confirmed") && actions.contains("shared"))
        }
    }

    /// A place with a workshop inside, scans by the owner and by a controller.
    func scanWorld(_ app: TestHarness, type: String = "office") async throws -> (owner: String, guardToken: String, placeId: String, childId: String) {
        let owner = try await app.signIn()
        let placeId = try #require(try await app.createPlace(token: owner, name: "Công ty TNHH An Viên", type: type)["id"] as? String)
        let childId = try #require(try await app.createPlace(token: owner, name: "Xưởng 2", type: type, extra: #","parentId":"\#(placeId)""#)["id"] as? String)
        // A hospital shows full data only after a health officer's grant, and only for scans after it.
        if PlaceType.named(type)?.privileged == true { try await app.grantPrivilege(placeId) }
        let guardToken = try await app.signIn("0987000001")
        let g = try await share(app, owner, placeId, phones: "0987000001", role: "controller")
        #expect(try await confirm(app, guardToken, shareId: shareIds(g)["0987000001"]!, code: app.sms.lastCode(to: Self.e164("0987000001"))!).status == .ok)
        for i in 0..<5 { #expect(try await scan(app, owner, placeId, Self.cccd(i, name: "Nguyễn Văn An\(i)"), direction: i % 2 == 0 ? "in" : "out").status == .created) }
        #expect(try await scan(app, guardToken, placeId, Self.cccd(10, name: "Trần Thị Bích")).status == .created)
        #expect(try await scan(app, guardToken, placeId, "0916859123").status == .created)
        #expect(try await scan(app, owner, childId, Self.cccd(11, name: "=HYPERLINK(\"http://evil.example\",\"x\") Lê Văn")).status == .created)
        return (owner, guardToken, placeId, childId)
    }

    @Test(arguments: TestEngine.available)
    func scanHistoryFiltersPagesAndLetsControllersSeeOnlyTheirOwn(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let w = try await scanWorld(app)
            let all = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans", token: w.owner)
            #expect(all.status == .ok, "\(all.body)")
            let items = try #require(all.json["items"] as? [[String: Any]])
            #expect(items.count == 8, "the place and the workshop inside it")
            #expect((all.json["counts"] as? [String: Any])?["scans"] as? Int == 8)
            #expect((all.json["counts"] as? [String: Any])?["entries"] as? Int == 6)
            // Masked for an ordinary place: names and phones.
            #expect(items.contains { $0["name"] as? String == "Trần Thị ***" })
            #expect(!all.body.contains("Bích") && !all.body.contains("0916859123") && all.body.contains("0916859***"))
            let only = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?inside=0", token: w.owner)
            #expect((only.json["items"] as? [[String: Any]])?.count == 7)

            // The controller sees only the two scans they made.
            let mine = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans", token: w.guardToken)
            let mineItems = try #require(mine.json["items"] as? [[String: Any]])
            #expect(mineItems.count == 2 && mineItems.allSatisfy { $0["scannedByMe"] as? Bool == true })

            // Filters: direction, phone suffix, name as shown, time range.
            #expect((try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?direction=out", token: w.owner).json["items"] as? [[String: Any]])?.count == 2)
            // The owner sees phones masked ("0916859***"): only the visible digits are searchable (trust rule 4).
            let byPhone = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?q=0916859", token: w.owner)
            #expect((byPhone.json["items"] as? [[String: Any]])?.count == 1)
            #expect((try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?q=9123", token: w.owner).json["items"] as? [[String: Any]])?.count == 0)
            let byName = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?q=tran%20thi", token: w.owner)
            #expect((byName.json["items"] as? [[String: Any]])?.count == 1)
            // A masked given name is not searchable: the search would reveal it.
            #expect((try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?q=Bich", token: w.owner).json["items"] as? [[String: Any]])?.count == 0)
            let later = ISOTime.string(app.services.time.seconds() + 3600).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect((try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?from=\(later)", token: w.owner).json["items"] as? [[String: Any]])?.count == 0)
            #expect(try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?direction=up", token: w.owner).status == .unprocessableContent)
            #expect(try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?cursor=garbage", token: w.owner).status == .unprocessableContent)

            // Keyset pages of 3 walk every scan once.
            var seen: [String] = []
            var next: String? = nil
            repeat {
                let uri = "/api/v1/places/\(w.placeId)/scans?limit=3" + (next.map { "&cursor=\($0)" } ?? "")
                let page = try await app.request(.get, uri, token: w.owner)
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                next = page.string("next")
            } while next != nil && seen.count < 20
            #expect(seen.count == 8 && Set(seen).count == 8)
        }
    }

    @Test(arguments: TestEngine.available)
    func exportsKeepVietnameseAndNeutraliseFormulas(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let w = try await scanWorld(app)
            let csv = try await app.client.execute(uri: "/api/v1/places/\(w.placeId)/scans.csv", method: .get,
                                                   headers: [.authorization: "Bearer \(w.owner)", .init("X-Forwarded-For")!: "203.0.113.1"]) { response in
                (response.status, response.headers, Array(response.body.readableBytesView))
            }
            #expect(csv.0 == .ok && csv.1[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.1[.contentDisposition]?.contains("attachment") == true)
            #expect(Array(csv.2.prefix(3)) == [0xEF, 0xBB, 0xBF])
            let text = String(decoding: csv.2.dropFirst(3), as: UTF8.self)
            let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.count == 9)
            #expect(lines[0].hasPrefix("Thời gian (UTC+7),"))
            #expect(text.contains("Trần Thị ***") && text.contains("Công ty TNHH An Viên") && text.contains("Xưởng 2"))
            #expect(text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\") Lê ***\""))
            #expect(!lines.contains { $0.hasPrefix("=") || $0.contains(",=") })
            // The same filters apply to exports.
            let outs = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans.csv?direction=out&lang=en", token: w.owner)
            #expect(outs.body.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 3 && outs.body.contains("Time (UTC+7)"))

            let xlsx = try await app.client.execute(uri: "/api/v1/places/\(w.placeId)/scans.xlsx", method: .get,
                                                    headers: [.authorization: "Bearer \(w.owner)"]) { response in
                (response.status, response.headers, Array(response.body.readableBytesView))
            }
            #expect(xlsx.0 == .ok && xlsx.1[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(Array(xlsx.2.prefix(4)) == [0x50, 0x4B, 0x03, 0x04])
            let body = String(decoding: xlsx.2, as: UTF8.self)
            #expect(body.contains("'=HYPERLINK(&quot;http://evil.example&quot;"))
            #expect(body.contains("Trần Thị ***"))

            // Exports are logged in the place history and in the exporter's work history.
            let exported = try await app.request(.get, "/api/v1/places/\(w.placeId)/history?action=exported", token: w.owner)
            let formats = (exported.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["details"] as? [String: String])?["format"] }
            #expect(formats.sorted() == ["csv", "csv", "xlsx"])
            let work = try await app.request(.get, "/api/v1/me/work", token: w.owner)
            #expect((work.json["actions"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "exported" }.count == 3)
            #expect((work.json["scansPerDay"] as? [[String: Any]])?.first?["scans"] as? Int == 6)
            let guardWork = try await app.request(.get, "/api/v1/me/work", token: w.guardToken)
            #expect((guardWork.json["scansPerDay"] as? [[String: Any]])?.first?["scans"] as? Int == 2)
        }
    }

    @Test(arguments: TestEngine.available)
    func privilegedPlacesSeeFullDataAndEveryViewIsLogged(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let w = try await scanWorld(app, type: "hospital")
            let page = try await app.request(.get, "/api/v1/places/\(w.placeId)/scans?inside=0", token: w.owner)
            #expect(page.body.contains("Trần Thị Bích") && page.body.contains("0916859123"))
            let person = try #require(try await app.store.engine.read { db in
                try await db.raw("SELECT id FROM people WHERE full_name = 'Trần Thị Bích'").first()?.decode(column: "id", as: String.self)
            }.flatMap(UUID.init(uuidString:)))
            let views = try await app.store.history.unmaskedViews(personId: person)
            let ownerId = try await app.store.accounts.account(phone: PhoneNumber("0912345678")!)?.id
            #expect(views.contains { $0.viewerAccountId == ownerId && $0.reason == Disclosure.privilegedPlaceReason && $0.placeId?.uuidString == w.placeId })
            // The controller who scanned her saw her in full too, and that was logged.
            let guardId = try await app.store.accounts.account(phone: PhoneNumber("0987000001")!)?.id
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await app.store.history.unmaskedViews(personId: person).contains { $0.viewerAccountId == guardId })
        }
    }

    @Test(arguments: TestEngine.available)
    func theWebShareDialogSharesConfirmsAndRevokes(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: token)["id"] as? String)
            app.time.advance(by: 61)  // the API sign-in's code was sent under a minute ago
            let web = try await WebClient.signedIn(app)
            let page = try await web.get("/places/\(placeId)")
            #expect(page.body.contains("id=\"share-form\"") && page.body.contains("id=\"history-link\""))
            let posted = try await web.post("/places/\(placeId)/shares", [("phones", "0987000001, 0987000002"), ("role", "controller"), ("expiresAt", "")])
            #expect(posted.status == .seeOther)
            let after = try await web.get("/places/\(placeId)")
            #expect(after.body.components(separatedBy: "class=\"share-row\"").count == 3)
            let shareId = try #require(try await app.store.sharing.shares(placeId: UUID(uuidString: placeId)!).first { $0.phone.national == "0987000001" }?.id)
            let confirmed = try await web.post("/shares/\(shareId.uuidString)/confirm", [("code", app.sms.lastCode(to: Self.e164("0987000001"))!)])
            #expect(confirmed.status == .seeOther)
            #expect(try await app.store.sharing.share(id: shareId)?.status == "active")
            _ = try await web.get("/places/\(placeId)")
            #expect(try await web.post("/shares/\(shareId.uuidString)/revoke", []).status == .seeOther)
            #expect(try await app.store.sharing.share(id: shareId)?.status == "revoked")
            _ = try await web.get("/places/\(placeId)")
            let bad = try await web.post("/places/\(placeId)/shares", [("phones", "09"), ("role", "controller")])
            #expect(bad.status == .unprocessableContent && bad.body.contains("id=\"share-error\""))
            let history = try await web.get("/places/\(placeId)/history")
            #expect(history.status == .ok && history.body.contains("data-action=\"unshared\"") && history.body.contains("203.0.113.9"))
            let scans = try await web.get("/places/\(placeId)/scans?direction=in")
            #expect(scans.status == .ok && scans.body.contains("id=\"download-csv\"") && scans.body.contains("scans.csv?direction=in"))
            #expect(try await web.get("/work").status == .ok)
        }
    }
}
