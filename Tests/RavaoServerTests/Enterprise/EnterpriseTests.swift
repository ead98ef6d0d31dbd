import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import RavaoCore
@testable import RavaoServer
import RavaoStore
import Testing

/// Organisations (E1–E3): roster import, daily coverage across places and buses, midnight edges,
/// bus trips, and who may see what.
@Suite("Enterprises") struct EnterpriseTests {
    static func cccd(_ n: Int) -> String { String(format: "0790850%05d", n) }
    static func cccdPayload(_ n: Int, name: String) -> String {
        cccd(n) + "|123456789|\(name)|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"
    }
    static let bhytPayload = "GD4797932345678|4e677579e1bb856e2056c4836e2041|15/08/1985|1|53e1bb91203132204cc3aa204ce1bba3692c205068c6b0e1bb9d6e672042e1babf6e204e6768c3a92c2054502e2048e1bb93204368c3ad204d696e68|79 - 001|01/01/2021|31/12/2021|01/01/2021|79014797932345|-|4|01/01/2025|0a1b2c3d4e5f6071-2021|$"

    static func utf8BOM(_ text: String) -> [UInt8] { [0xEF, 0xBB, 0xBF] + Array(text.utf8) }
    static func utf16(_ text: String, littleEndian: Bool) -> [UInt8] {
        var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for unit in text.utf16 {
            let hi = UInt8(unit >> 8), lo = UInt8(unit & 0xFF)
            bytes += littleEndian ? [lo, hi] : [hi, lo]
        }
        return bytes
    }

    func upload(_ app: TestHarness, _ uri: String, _ bytes: [UInt8], token: String) async throws -> Reply {
        var headers = HTTPFields()
        headers[.init("X-Forwarded-For")!] = "203.0.113.1"
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "text/csv"
        return try await app.client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
            Reply(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    func createOrg(_ app: TestHarness, token: String, name: String = "Công ty TNHH ABC") async throws -> String {
        let reply = try await app.request(.post, "/api/v1/orgs", json: #"{"name":"\#(name)"}"#, token: token)
        #expect(reply.status == .created, "\(reply.body)")
        return try #require(reply.string("id"))
    }

    func errors(_ reply: Reply) -> [[String: Any]] { reply.json["errors"] as? [[String: Any]] ?? [] }

    func total(_ app: TestHarness, org: String, token: String) async throws -> Int {
        try #require(try await app.request(.get, "/api/v1/orgs/\(org)/employees", token: token).json["total"] as? Int)
    }

    // MARK: Import

    @Test(arguments: TestEngine.available)
    func importAcceptsExcelVariantsAndRejectsBadFilesWhole(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let org = try await createOrg(app, token: owner)
            let roster = "/api/v1/orgs/\(org)/roster"

            // UTF-8 with BOM, comma, Vietnamese headers, a quoted cell with a comma, and Excel's dropped leading zeros.
            let vietnamese = """
                Mã nhân viên,Họ tên,Số điện thoại,Số CCCD,Số thẻ BHYT,Phòng ban\r
                NV001,Nguyễn Văn An,0912000001,079085000001,,"May 1, tổ A"\r
                NV002,Trần Thị Bình,912000002,79085000002,,Cắt\r
                NV003,Lê Văn Cường,,,gd4797932345678,Cắt\r

                """
            let good = try await upload(app, roster, Self.utf8BOM(vietnamese), token: owner)
            #expect(good.status == .ok, "\(good.body)")
            #expect(good.json["imported"] as? Int == 3 && errors(good).isEmpty && good.string("encoding") == "utf-8")
            let listed = try await app.request(.get, "/api/v1/orgs/\(org)/employees", token: owner).json["items"] as? [[String: Any]] ?? []
            let binh = try #require(listed.first { $0["name"] as? String == "Trần Thị Bình" })
            #expect(binh["phone"] as? String == "0912000002" && binh["cccd"] as? String == "079085000002")
            #expect(listed.contains { $0["department"] as? String == "May 1, tổ A" })
            #expect(listed.contains { $0["bhyt"] as? String == "GD4797932345678" })

            // Excel "Unicode Text": UTF-16 LE with BOM, tab-separated, English headers; replaces the roster.
            let english = "name\tphone\tCCCD\tBHYT\tdepartment\temployee number\r\nPhạm Văn Dũng\t0912000004\t\t\tWelding\tE4\r\nVõ Thị Em\t\t079085000005\t\tWelding\tE5\r\n"
            let utf16le = try await upload(app, roster + "?mode=replace", Self.utf16(english, littleEndian: true), token: owner)
            #expect(utf16le.status == .ok && utf16le.json["imported"] as? Int == 2 && utf16le.string("encoding") == "utf-16le", "\(utf16le.body)")
            #expect(try await total(app, org: org, token: owner) == 2)
            // UTF-16 BE, semicolons (a Vietnamese regional setting), appended to the roster.
            let semicolons = "Họ và tên;SĐT;Bộ phận;Mã NV\r\nĐỗ Văn Phúc;0912000006;Kho;E6\r\n"
            let utf16be = try await upload(app, roster + "?mode=append", Self.utf16(semicolons, littleEndian: false), token: owner)
            #expect(utf16be.status == .ok && utf16be.json["imported"] as? Int == 1 && utf16be.string("separator") == ";", "\(utf16be.body)")
            #expect(try await total(app, org: org, token: owner) == 3)

            // Bad rows: every problem is named by row and column in both languages, and nothing is imported.
            let bad = """
                name,phone,cccd,department
                Good Person,0912000007,,A
                ,0912000008,,A
                Bad Phone,12345,,A
                Bad CCCD,,07908500000X,A
                No Identifier,,,A
                """
            let refused = try await upload(app, roster, Array(bad.utf8), token: owner)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json["imported"] as? Int == 0)
            #expect((refused.json["error"] as? [String: Any])?["code"] as? String == "roster_invalid")
            let problems = errors(refused)
            #expect(problems.count == 4, "\(refused.body)")
            #expect(problems.contains { $0["row"] as? Int == 3 && $0["column"] as? String == "name" && $0["code"] as? String == "missing_name" })
            #expect(problems.contains { $0["row"] as? Int == 4 && $0["column"] as? String == "phone" && ($0["messageVi"] as? String ?? "").contains("không phải số điện thoại") })
            #expect(problems.contains { $0["row"] as? Int == 5 && $0["column"] as? String == "cccd" && $0["code"] as? String == "invalid_cccd" })
            #expect(problems.contains { $0["row"] as? Int == 6 && $0["code"] as? String == "no_identifier" })
            #expect(try await total(app, org: org, token: owner) == 3)

            // Duplicate rows: the same employee number, or the same phone, as an earlier row.
            let duplicates = "name,phone,employee number\nA One,0912000011,X1\nA Two,0912000012,X1\nA Three,0912000011,X3\n"
            let dup = try await upload(app, roster, Array(duplicates.utf8), token: owner)
            #expect(dup.status == .unprocessableContent)
            let dupProblems = errors(dup)
            #expect(dupProblems.count == 2)
            #expect(dupProblems.contains { $0["row"] as? Int == 3 && $0["column"] as? String == "employeeNumber" && ($0["message"] as? String ?? "").contains("row 2") })
            #expect(dupProblems.contains { $0["row"] as? Int == 4 && $0["column"] as? String == "phone" && $0["code"] as? String == "duplicate_row" })
            #expect(try await total(app, org: org, token: owner) == 3)

            // Wrong encoding (a Windows code page) and a header without a name column.
            let latin1: [UInt8] = Array("name,phone\nNguy".utf8) + [0xEA, 0x6E] + Array(",0912000013\n".utf8)
            let encoding = try await upload(app, roster, latin1, token: owner)
            #expect(encoding.status == .unprocessableContent && errors(encoding).first?["code"] as? String == "bad_encoding")
            let noName = try await upload(app, roster, Array("phone,cccd\n0912000014,\n".utf8), token: owner)
            #expect(errors(noName).first?["code"] as? String == "missing_column")
            #expect(try await upload(app, roster, [], token: owner).status == .badRequest)
            #expect(try await upload(app, roster + "?mode=everything", Array(vietnamese.utf8), token: owner).status == .badRequest)

            // Appending someone whose phone is already on the roster is refused whole, naming the holder.
            let clash = try await upload(app, roster + "?mode=append", Array("name,phone\nNew Person,0912000015\nSomeone Else,0912000006\n".utf8), token: owner)
            #expect(clash.status == .unprocessableContent)
            #expect(errors(clash).count == 1 && errors(clash)[0]["row"] as? Int == 3 && (errors(clash)[0]["message"] as? String ?? "").contains("Đỗ Văn Phúc"))
            #expect(try await total(app, org: org, token: owner) == 3)

            // The preview parses without importing.
            let preview = try await upload(app, roster + "/preview", Self.utf8BOM(vietnamese), token: owner)
            #expect(preview.status == .ok && preview.json["count"] as? Int == 3 && preview.json["currentCount"] as? Int == 3)
            #expect((preview.json["rows"] as? [[String: Any]])?.first?["row"] as? Int == 2)
            #expect(try await total(app, org: org, token: owner) == 3)

            // By hand: add, edit (with the same checks), refuse a clash, remove.
            let added = try await app.request(.post, "/api/v1/orgs/\(org)/employees", json: #"{"name":"Hồ Văn Giang","phone":"0912000016","department":"Kho"}"#, token: owner)
            #expect(added.status == .created, "\(added.body)")
            let gid = try #require(added.string("id"))
            let badEdit = try await app.request(.put, "/api/v1/orgs/\(org)/employees/\(gid)", json: #"{"name":"Hồ Văn Giang","phone":"123"}"#, token: owner)
            #expect(badEdit.status == .unprocessableContent)
            let clashEdit = try await app.request(.put, "/api/v1/orgs/\(org)/employees/\(gid)", json: #"{"name":"Hồ Văn Giang","phone":"0912000006"}"#, token: owner)
            #expect(clashEdit.status == .conflict && clashEdit.errorCode == "already_on_roster")
            let edited = try await app.request(.put, "/api/v1/orgs/\(org)/employees/\(gid)", json: #"{"name":"Hồ Văn Giang","cccd":"079085000016","department":"Kho 2"}"#, token: owner)
            #expect(edited.status == .ok && edited.string("cccd") == "079085000016" && edited.json["phone"] == nil, "\(edited.body)")
            #expect(try await total(app, org: org, token: owner) == 4)
            #expect(try await app.request(.delete, "/api/v1/orgs/\(org)/employees/\(gid)", token: owner).status == .noContent)
            #expect(try await app.request(.delete, "/api/v1/orgs/\(org)/employees/\(gid)", token: owner).status == .notFound)
            #expect(try await total(app, org: org, token: owner) == 3)
        }
    }

    // MARK: Coverage

    func scan(_ app: TestHarness, token: String, placeId: String, payload: String, at seconds: Int64, direction: String = "in") async throws {
        let iso = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        let body: [String: Any] = ["placeId": placeId, "payload": payload, "clientId": UUID().uuidString, "direction": direction, "scannedAt": iso]
        let reply = try await app.request(.post, "/api/v1/scans", json: String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self), token: token)
        #expect(reply.status == .created, "\(reply.body)")
    }

    @Test(arguments: TestEngine.available)
    func coverageCountsNestedPlacesAndBusesWithinTheLocalDay(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let factory = try #require(try await app.createPlace(token: owner, name: "Nhà máy ABC", type: "factory")["id"] as? String)
            let workshop = try #require(try await app.createPlace(token: owner, name: "Phân xưởng May", type: "workshop", extra: #","parentId":"\#(factory)""#)["id"] as? String)
            let bus = try #require(try await app.createPlace(token: owner, name: "Xe đưa đón", type: "vehicle", extra: #","plate":"98C-123.45""#)["id"] as? String)
            let elsewhere = try #require(try await app.createPlace(token: owner, name: "Quán nước ngoài cổng")["id"] as? String)
            let org = try await createOrg(app, token: owner)
            for place in [factory, bus] {
                let added = try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(place)"}"#, token: owner)
                #expect(added.status == .noContent, "\(added.body)")
            }
            let places = try await app.request(.get, "/api/v1/orgs/\(org)/places", token: owner).jsonArray
            #expect(Set(places.compactMap { $0["id"] as? String }) == [factory, workshop, bus])

            // The roster is imported before anyone has ever been scanned: matching happens at coverage time.
            let csv = """
                Mã NV,Họ tên,SĐT,CCCD,BHYT,Phòng ban
                1,Gate Worker,,\(Self.cccd(1)),,May
                2,Phone Worker,0912000002,,,May
                3,Card Worker,,,GD4797932345678,May
                4,Bus Rider,0912000004,\(Self.cccd(4)),,Cắt
                5,Elsewhere Worker,0912000055,\(Self.cccd(5)),,Cắt
                6,Late Yesterday,,\(Self.cccd(6)),,Cắt
                7,Early Tomorrow,,\(Self.cccd(7)),,Cắt
                8,Last Second,,\(Self.cccd(8)),,Cắt
                9,=HYPERLINK(evil),0912000009,,,Cắt
                """
            let imported = try await upload(app, "/api/v1/orgs/\(org)/roster", Array(csv.utf8), token: owner)
            #expect(imported.json["imported"] as? Int == 9, "\(imported.body)")

            // A full local day in the past (Asia/Ho_Chi_Minh), and scans on both sides of its midnights.
            let day = LocalDate(containing: app.time.seconds()).adding(days: -1)
            try await scan(app, token: owner, placeId: workshop, payload: Self.cccdPayload(1, name: "Gate Worker"), at: day.start + 7 * 3600)
            try await scan(app, token: owner, placeId: factory, payload: "0912000002", at: day.start, direction: "out")
            try await scan(app, token: owner, placeId: factory, payload: Self.bhytPayload, at: day.start + 8 * 3600)
            try await scan(app, token: owner, placeId: bus, payload: Self.cccdPayload(4, name: "Bus Rider"), at: day.start + 6 * 3600)
            try await scan(app, token: owner, placeId: bus, payload: "0912000002", at: day.start + 6 * 3600 + 600)
            try await scan(app, token: owner, placeId: bus, payload: Self.cccdPayload(4, name: "Bus Rider"), at: day.start + 17 * 3600)
            try await scan(app, token: owner, placeId: elsewhere, payload: Self.cccdPayload(5, name: "Elsewhere Worker"), at: day.start + 9 * 3600)
            try await scan(app, token: owner, placeId: factory, payload: Self.cccdPayload(6, name: "Late Yesterday"), at: day.start - 1)
            try await scan(app, token: owner, placeId: factory, payload: Self.cccdPayload(7, name: "Early Tomorrow"), at: day.end)
            try await scan(app, token: owner, placeId: factory, payload: Self.cccdPayload(8, name: "Last Second"), at: day.end - 1)

            let reply = try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: owner)
            #expect(reply.status == .ok, "\(reply.body)")
            #expect(reply.json["total"] as? Int == 9 && reply.json["present"] as? Int == 5 && reply.string("view") == "full", "\(reply.body)")
            let missing = try #require(reply.json["missing"] as? [[String: Any]])
            #expect(Set(missing.compactMap { $0["name"] as? String }) == ["Elsewhere Worker", "Late Yesterday", "Early Tomorrow", "=HYPERLINK(evil)"])
            let elsewhereRow = try #require(missing.first { $0["name"] as? String == "Elsewhere Worker" })
            // The number HR uploaded to this roster, in full (issue 18): it is the roster's own data.
            #expect(elsewhereRow["phone"] as? String == "0912000055" && elsewhereRow["department"] as? String == "Cắt")
            let departments = try #require(reply.json["departments"] as? [[String: Any]])
            #expect(departments.contains { $0["name"] as? String == "May" && $0["present"] as? Int == 3 && $0["total"] as? Int == 3 && $0["percent"] as? Double == 100 })
            #expect(departments.contains { $0["name"] as? String == "Cắt" && $0["present"] as? Int == 2 && $0["total"] as? Int == 6 && $0["percent"] as? Double == 33.3 })
            #expect(reply.json["percent"] as? Double == 55.6)

            // A bus taken out of the organisation no longer counts; put back, it does again.
            #expect(try await app.request(.delete, "/api/v1/orgs/\(org)/places/\(bus)", token: owner).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: owner).json["present"] as? Int == 4)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(bus)"}"#, token: owner).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: owner).json["present"] as? Int == 5)

            // The neighbouring days see the scans just across midnight.
            let before = try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day.adding(days: -1))", token: owner)
            #expect(before.json["present"] as? Int == 1)
            let after = try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day.adding(days: 1))", token: owner)
            #expect(after.json["present"] as? Int == 1)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=2021-02-30", token: owner).errorCode == "invalid_date")

            // The 30-day history agrees with the daily figures.
            let history = try #require(try await app.request(.get, "/api/v1/orgs/\(org)/coverage/history?date=\(day.adding(days: 1))", token: owner).json["days"] as? [[String: Any]])
            #expect(history.count == 30)
            #expect(history.first { $0["date"] as? String == day.description }?["present"] as? Int == 5)
            #expect(history.first { $0["date"] as? String == day.adding(days: -1).description }?["present"] as? Int == 1)
            #expect(history.last?["present"] as? Int == 1)

            // Export: UTF-8 with BOM, the roster's phones, and a formula-looking name neutralised.
            let exported = try await app.request(.get, "/api/v1/orgs/\(org)/coverage.csv?date=\(day)", token: owner)
            #expect(exported.status == .ok && exported.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(exported.body.hasPrefix("\u{FEFF}"))
            #expect(exported.body.contains("Elsewhere Worker") && exported.body.contains("0912000055"))
            #expect(exported.body.contains("'=HYPERLINK(evil)") && !exported.body.contains(",=HYPERLINK"))
            #expect(!exported.body.contains("Gate Worker"))
            #expect(exported.body.contains(",\(HealthStatus.displayDate(day.description))\r\n"), "the day as dd/mm/yyyy (issue 18)")

            // Buses: the morning and the evening run are two trips; a long enough gap makes them one.
            let buses = try await app.request(.get, "/api/v1/orgs/\(org)/buses", token: owner).jsonArray
            #expect(buses.map { $0["id"] as? String } == [bus])
            let trips = try #require(try await app.request(.get, "/api/v1/orgs/\(org)/buses/\(bus)/trips?date=\(day)", token: owner).json["trips"] as? [[String: Any]])
            #expect(trips.count == 2)
            let morning = try #require(trips.first?["riders"] as? [[String: Any]])
            #expect(Set(morning.compactMap { $0["name"] as? String }) == ["Bus Rider", "Phone Worker"])
            #expect(morning.allSatisfy { $0["matched"] as? Bool == true })
            #expect((trips.last?["riders"] as? [[String: Any]])?.count == 1)
            let oneTrip = try await app.request(.get, "/api/v1/orgs/\(org)/buses/\(bus)/trips?date=\(day)&gap=700", token: owner)
            #expect((oneTrip.json["trips"] as? [[String: Any]])?.count == 1 && oneTrip.json["gapMinutes"] as? Int == 700)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/buses/\(elsewhere)/trips?date=\(day)", token: owner).status == .notFound)

            // The pages render the same figures.
            let page = try await app.request(.get, "/orgs/\(org)/coverage?date=\(day)", token: owner)
            #expect(page.status == .ok && page.body.contains("55.6 %") && page.body.contains("Elsewhere Worker") && page.body.contains("=HYPERLINK(evil)"))
            let chart = try await app.request(.get, "/orgs/\(org)/chart.svg?date=\(day)", token: owner)
            #expect(chart.headers[.contentType] == "image/svg+xml" && chart.body.contains("<svg") && chart.body.contains("\(HealthStatus.displayDate(day.description)): 55.6 %"))
            let busPage = try await app.request(.get, "/orgs/\(org)/buses?date=\(day)", token: owner)
            #expect(busPage.body.contains("98C-123.45") && busPage.body.contains("Bus Rider"))

            // A check-in recorded after the last coverage query is picked up by the next one.
            try await scan(app, token: owner, placeId: bus, payload: Self.cccdPayload(5, name: "Elsewhere Worker"), at: day.start + 18 * 3600)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: owner).json["present"] as? Int == 6)
            #expect((try await app.request(.get, "/api/v1/orgs/\(org)/buses/\(bus)/trips?date=\(day)", token: owner).json["trips"] as? [[String: Any]])?.count == 3)
        }
    }

    /// A coverage answer starts from the previous one's missing list (OrgStore.coverage): every
    /// change after an answer that can put someone on that list must show in the next answer, in
    /// the owner's view and in the board's.
    @Test(arguments: TestEngine.available)
    func coverageFollowsRosterChangesMadeAfterAnAnswer(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let gate = try #require(try await app.createPlace(token: owner, name: "Cổng chính", type: "factory")["id"] as? String)
            let org = try await createOrg(app, token: owner)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(gate)"}"#, token: owner).status == .noContent)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0866276777","role":"board"}"#, token: owner).status == .noContent)
            let board = try await app.signIn("0866276777")
            let csv = """
                Mã NV,Họ tên,SĐT,CCCD,BHYT,Phòng ban
                1,Came,,\(Self.cccd(1)),,May
                2,Stayed Home,,\(Self.cccd(2)),,May
                """
            #expect(try await upload(app, "/api/v1/orgs/\(org)/roster", Array(csv.utf8), token: owner).json["imported"] as? Int == 2)
            let day = LocalDate(containing: app.time.seconds()).adding(days: -1)
            // Person 3 is scanned before being on the roster; nobody scans person 4 yet.
            for n in [1, 3] {
                try await scan(app, token: owner, placeId: gate, payload: Self.cccdPayload(n, name: "Worker \(n)"), at: day.start + 8 * 3600)
            }
            func expectCoverage(present: Int, total: Int, missing: Set<String>, _ step: String) async throws {
                let full = try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: owner)
                let names = Set((full.json["missing"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String })
                #expect(full.json["present"] as? Int == present && full.json["total"] as? Int == total && names == missing, "\(step): \(full.body)")
                let stats = try await app.request(.get, "/api/v1/orgs/\(org)/coverage?date=\(day)", token: board)
                #expect(stats.json["present"] as? Int == present && stats.json["total"] as? Int == total, "\(step), board: \(stats.body)")
            }
            try await expectCoverage(present: 1, total: 2, missing: ["Stayed Home"], "imported")
            try await expectCoverage(present: 1, total: 2, missing: ["Stayed Home"], "asked again")

            let scannedBefore = try await app.request(.post, "/api/v1/orgs/\(org)/employees", json: #"{"name":"Scanned Before","cccd":"\#(Self.cccd(3))","department":"Cắt"}"#, token: owner)
            #expect(scannedBefore.status == .created, "\(scannedBefore.body)")
            try await expectCoverage(present: 2, total: 3, missing: ["Stayed Home"], "added someone already scanned")
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/employees", json: #"{"name":"New Hire","cccd":"\#(Self.cccd(4))","department":"Cắt"}"#, token: owner).status == .created)
            try await expectCoverage(present: 2, total: 4, missing: ["Stayed Home", "New Hire"], "added someone never scanned")

            let rows = try #require(try await app.request(.get, "/api/v1/orgs/\(org)/employees", token: owner).json["items"] as? [[String: Any]])
            let came = try #require(rows.first { $0["name"] as? String == "Came" }?["id"] as? String)
            let stayedHome = try #require(rows.first { $0["name"] as? String == "Stayed Home" }?["id"] as? String)
            let edited = try await app.request(.put, "/api/v1/orgs/\(org)/employees/\(came)", json: #"{"name":"Came","cccd":"\#(Self.cccd(5))","department":"May"}"#, token: owner)
            #expect(edited.status == .ok, "\(edited.body)")
            try await expectCoverage(present: 1, total: 4, missing: ["Stayed Home", "New Hire", "Came"], "changed a number to one nobody scanned")

            #expect(try await app.request(.delete, "/api/v1/orgs/\(org)/employees/\(stayedHome)", token: owner).status == .noContent)
            try await expectCoverage(present: 1, total: 3, missing: ["New Hire", "Came"], "removed someone missing")
            try await scan(app, token: owner, placeId: gate, payload: Self.cccdPayload(4, name: "New Hire"), at: day.start + 9 * 3600)
            try await expectCoverage(present: 2, total: 3, missing: ["Came"], "a late scan")

            let replacement = "name,cccd,department\nOnly One,\(Self.cccd(2)),May\n"
            #expect(try await upload(app, "/api/v1/orgs/\(org)/roster?mode=replace", Array(replacement.utf8), token: owner).json["imported"] as? Int == 1)
            try await expectCoverage(present: 0, total: 1, missing: ["Only One"], "roster replaced")
        }
    }

    // MARK: Access

    @Test(arguments: TestEngine.available)
    func aBoardSeesPercentagesOnlyAndOutsidersNothing(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let org = try await createOrg(app, token: owner)
            let gate = try #require(try await app.createPlace(token: owner, name: "Cổng chính", type: "factory")["id"] as? String)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(gate)"}"#, token: owner).status == .noContent)
            _ = try await upload(app, "/api/v1/orgs/\(org)/roster", Array("name,phone,department\nSecret Name,0912000021,May\nOther Name,0912000022,May\n".utf8), token: owner)
            try await scan(app, token: owner, placeId: gate, payload: "0912000021", at: app.time.seconds() - 60)

            // Shared by phone before the board ever signed in, as seed 004 asks with the Department's number.
            let shared = try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0866.276.777","role":"board"}"#, token: owner)
            #expect(shared.status == .noContent, "\(shared.body)")
            let board = try await app.signIn("0866276777")
            let stats = try await app.request(.get, "/api/v1/orgs/\(org)/coverage", token: board)
            #expect(stats.status == .ok && stats.string("view") == "statistics" && stats.json["percent"] as? Double == 50, "\(stats.body)")
            #expect(stats.json["missing"] == nil && !stats.body.contains("Name") && !stats.body.contains("0912"))
            let overview = try await app.request(.get, "/api/v1/board/coverage", token: board)
            #expect((overview.json["orgs"] as? [[String: Any]])?.first?["percent"] as? Double == 50)
            for path in ["coverage.csv", "employees", "places", "members", "buses"] {
                #expect(try await app.request(.get, "/api/v1/orgs/\(org)/\(path)", token: board).status == .forbidden, "\(path)")
            }
            #expect(try await upload(app, "/api/v1/orgs/\(org)/roster", Array("name,phone\nX,0912000023\n".utf8), token: board).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0866276777","role":"owner"}"#, token: board).status == .forbidden)
            let boardPage = try await app.request(.get, "/orgs/\(org)/coverage", token: board)
            #expect(boardPage.status == .ok && boardPage.body.contains("50 %") && !boardPage.body.contains("Other Name"))
            #expect(try await app.request(.get, "/orgs/\(org)/roster", token: board).status == .forbidden)

            // An outsider cannot tell the organisation exists.
            let outsider = try await app.signIn("0987654321")
            for path in ["", "/coverage", "/coverage.csv", "/employees", "/coverage/history"] {
                #expect(try await app.request(.get, "/api/v1/orgs/\(org)\(path)", token: outsider).status == .notFound, "\(path)")
            }
            #expect(try await upload(app, "/api/v1/orgs/\(org)/roster", Array("name,phone\nX,0912000023\n".utf8), token: outsider).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage").status == .unauthorized)
            // Adding a place needs its ownership: the outsider's own place cannot join someone else's organisation…
            let outsiderPlace = try #require(try await app.createPlace(token: outsider, name: "Kho ngoài")["id"] as? String)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(outsiderPlace)"}"#, token: outsider).status == .notFound)
            // …and a manager of the organisation cannot add a place they do not own.
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0987654321","role":"manager"}"#, token: owner).status == .noContent)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(outsiderPlace)"}"#, token: owner).status == .notFound)
            let managerAdds = try await app.request(.post, "/api/v1/orgs/\(org)/places", json: #"{"placeId":"\#(outsiderPlace)"}"#, token: outsider)
            #expect(managerAdds.status == .noContent, "the manager owns this place: \(managerAdds.body)")
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage", token: outsider).json["missing"] != nil)
            // A manager shares with boards but does not appoint owners or managers, and the last owner stays.
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0911111111","role":"manager"}"#, token: outsider).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0911111111","role":"board"}"#, token: outsider).status == .noContent)
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"12","role":"board"}"#, token: owner).status == .unprocessableContent)
            #expect(try await app.request(.delete, "/api/v1/orgs/\(org)/members/0912345678", token: outsider).status == .forbidden)
            #expect(try await app.request(.delete, "/api/v1/orgs/\(org)/members/0866276777", token: owner).status == .noContent)
            #expect(try await app.request(.get, "/api/v1/orgs/\(org)/coverage", token: board).status == .notFound)
        }
    }
}
