import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Testing

/// The officers' pages: dashboard with chart and drill-down, tracing with export and marking, zones,
/// officers; and the rollups the dashboard reads.
@Suite("Authorities: pages and rollups") struct AuthorityPagesTests {
    let jurisdiction = JurisdictionTests()

    @Test(arguments: TestEngine.available)
    func tracingPageMarksAndNotifiesAndExports(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let wards = try await app.request(.get, "/api/v1/units?parent=48").jsonArray.compactMap { $0["code"] as? String }
            let world = try await jurisdiction.build(app, wardA: wards[0], wardB: wards[1], wardC: wards[2])
            try await jurisdiction.makeOfficer(app, phone: "0933333333", unit: "48", functions: [.statistics, .health, .zones])
            let web = try await WebClient.signedIn(app, phone: "0933333333")

            // Dashboard: totals, one row per ward, an SVG chart, and a drill-down link.
            let dash = try await web.get("/authorities")
            #expect(dash.status == .ok)
            #expect(dash.body.contains("id=\"total-scans\">8<") && dash.body.contains("<svg class=\"chart\""))
            #expect(dash.body.contains("unit=\(wards[1])"))
            let drill = try await web.get("/authorities?unit=\(wards[1])")
            #expect(drill.body.contains("id=\"total-scans\">2<"))
            // Issue 18: the ward's places where the drill-down stops, a breadcrumb back up, and the
            // chart's second scale drawn (the line had an invisible one).
            #expect(drill.body.contains("id=\"unit-places\"") && drill.body.contains("<td>Chợ B</td>") && drill.body.contains("id=\"breadcrumbs\""))
            #expect(drill.body.contains("<a href=\"/authorities?unit=48&amp;") || drill.body.contains("<a href=\"/authorities?unit=48&"))
            #expect(drill.body.contains("class=\"right-scale\"") && drill.body.contains("thang bên phải"))
            #expect(!dash.body.contains("id=\"unit-places\"") && !dash.body.contains("id=\"breadcrumbs\""), "the officer's own unit needs neither")
            let csv = try await web.get("/authorities/stats.csv?unit=48")
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true && csv.body.hasPrefix("\u{FEFF}Mã đơn vị,Đơn vị,Địa điểm đã đăng ký"))
            #expect(csv.body.range(of: #"\r\n\d{2}/\d{2}/\d{4},"#, options: .regularExpression) != nil, "days as dd/mm/yyyy")

            // Tracing by CCCD: the timeline and contacts, then export and marking.
            let page = try await web.get("/authorities/tracing?cccd=079085000001&depth=2")
            #expect(page.status == .ok)
            #expect(page.body.contains("id=\"timeline\"") && page.body.contains("Nhà máy A") && page.body.contains("Người Số 2"))
            #expect(page.body.contains("id=\"contact-people\">3<"))
            let exported = try await web.get("/authorities/tracing.csv?cccd=079085000001&depth=2")
            #expect(exported.body.hasPrefix("\u{FEFF}case,Người Số 1") && exported.body.contains("level,personId,name") && exported.body.contains("Người Số 3"))
            let unknown = try await web.get("/authorities/tracing?phone=0999999999")
            #expect(unknown.body.contains("id=\"trace-error\""))

            // The first click only reviews: nobody is marked, nothing is sent.
            _ = try await web.get("/authorities/tracing?cccd=079085000001&depth=2")
            let sentBefore = app.sms.messages.count
            let review = try await web.post("/authorities/tracing/mark?cccd=079085000001&depth=2", [("notify", "1")])
            #expect(review.status == .ok && review.body.contains("id=\"review\"") && !review.body.contains("id=\"mark-done\""), "\(review.body)")
            #expect(app.sms.messages.count == sentBefore)
            let digest = try #require(review.body.firstMatch(of: /name="confirm" value="([0-9a-f]+)"/)?.1)
            let marked = try await web.post("/authorities/tracing/mark?cccd=079085000001&depth=2", [("notify", "1"), ("confirm", String(digest))])
            #expect(marked.status == .ok && marked.body.contains("id=\"mark-done\""), "\(marked.body)")
            let marks = try await app.store.engine.read { db in
                try await db.raw("SELECT person_id, mark FROM person_marks WHERE cleared_at IS NULL ORDER BY person_id").all().map {
                    (try $0.decode(column: "person_id", as: String.self), try $0.decode(column: "mark", as: String.self))
                }
            }
            #expect(Dictionary(uniqueKeysWithValues: marks) == [world.people["Y"]!: "F1", world.people["Z"]!: "F1", world.people["W"]!: "F1"])
            #expect(try await app.store.health.exposures(of: UUID(uuidString: world.people["Z"]!)!, since: 0).first?.level == 1)
            // The owner of the three places is told the windows, at most three notices a day.
            let owner = app.sms.messages.filter { $0.to == "+84911111111" && $0.text.contains("Co quan y te") }
            #expect(owner.count == 3)
            _ = try await web.get("/authorities/tracing?cccd=079085000001&depth=2")
            _ = try await web.post("/authorities/tracing/mark?cccd=079085000001&depth=2", [("notify", "1"), ("confirm", String(digest))])
            #expect(app.sms.messages.filter { $0.to == "+84911111111" && $0.text.contains("Co quan y te") }.count == 3)

            // A forged form (no CSRF token) changes nothing.
            #expect(try await web.post("/authorities/zones", [("unitCode", wards[0]), ("level", "3"), ("from", "2026-01-01")], withCSRF: false).status == .forbidden)
            _ = try await web.get("/authorities/zones")
            #expect(try await web.post("/authorities/zones", [("unitCode", wards[0]), ("level", "3"), ("from", "2026-01-01")]).status == .seeOther)
            #expect(try await web.get("/authorities/zones").body.contains("(\(wards[0]))"))

            // Issue 18: a refused form keeps what was typed; functions are named, not coded.
            let zone = try await web.post("/authorities/zones", [("unitCode", "99999"), ("level", "2"), ("from", "2026-02-03"), ("to", "2026-02-10")])
            #expect(zone.body.contains("role=\"alert\"") && zone.body.contains("<option value=\"2\" selected>") && zone.body.contains("value=\"2026-02-10\""))
            _ = try await web.get("/authorities/officers")
            let refused = try await web.post("/authorities/officers", [("phone", "0944000111"), ("unitCode", "99999"), ("function", "health"), ("function", "zones")])
            #expect(refused.body.contains("role=\"alert\"") && refused.body.contains("value=\"0944000111\""))
            #expect(refused.body.contains("value=\"health\" checked") && refused.body.contains("value=\"zones\" checked") && !refused.body.contains("value=\"statistics\" checked"))
            let tableStart = try #require(refused.body.range(of: "id=\"officers\""))
            let table = String(refused.body[tableStart.lowerBound...])
            #expect(table.contains("Y tế, truy vết") && !table.contains("statistics") && !table.contains(", health"), "\(table)")
        }
    }

    @Test(arguments: TestEngine.available)
    func pagesRefuseCitizensAndSendStrangersToSignIn(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let anonymous = WebClient(app)
            #expect(try await anonymous.get("/authorities").status == .seeOther)
            let citizen = try await WebClient.signedIn(app, phone: "0955555555")
            #expect(try await citizen.get("/authorities").status == .forbidden)
            #expect(try await citizen.get("/authorities/tracing").status == .forbidden)
        }
    }

    @Test(arguments: TestEngine.available)
    func rollupsFollowTheWriterAcrossBatchesAndDays(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let placeId = try #require(try await app.createPlace(token: owner)["id"] as? String)
            // Yesterday's local midnight, so every scan is in the past whatever the hour now.
            let midnight = LocalTime.startOfDay(containing: app.time.seconds()) - 86_400
            // Concurrent scans (batched by the writer), the same person twice, and one before local midnight.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<30 {
                    group.addTask {
                        let at = ISOTime.string(i == 0 ? midnight - 60 : midnight + Int64(i) * 60)
                        let body = #"{"placeId":"\#(placeId)","payload":"\#(CheckInFlowTests.cccd(i % 10))","clientId":"\#(UUID().uuidString)","scannedAt":"\#(at)"}"#
                        let reply = try await app.request(.post, "/api/v1/scans", json: body, token: owner)
                        #expect(reply.status == .created, "\(reply.body)")
                    }
                }
                try await group.waitForAll()
            }
            // The rollups follow the check-ins through the projector's queue; the dashboard's reads wait for it.
            try await app.store.projector.catchUp()
            let rows = try await app.store.engine.read { db in
                try await db.raw("SELECT day, scans FROM place_days WHERE place_id = \(bind: placeId) ORDER BY day").all().map {
                    (try $0.decode(column: "day", as: Int64.self), try $0.decode(column: "scans", as: Int.self))
                }
            }
            let today = DashboardStore.day(midnight)
            #expect(rows.map(\.0) == [today - 1, today] && rows.map(\.1) == [1, 29])
            let people = try await app.store.engine.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM place_day_people WHERE place_id = \(bind: placeId) AND day = \(bind: today)").first()!.decode(column: "n", as: Int.self)
            }
            #expect(people == 10)
        }
    }

    @Test func csvCellsThatASpreadsheetWouldRunAreNeutralised() {
        #expect(CSVExport.cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(CSVExport.cell("+84912345678") == "'+84912345678")
        #expect(CSVExport.cell("-1") == "'-1" && CSVExport.cell("@SUM(A1)") == "'@SUM(A1)" && CSVExport.cell("\tx") == "'\tx")
        #expect(CSVExport.cell("\rx") == "\"'\rx\"")
        #expect(CSVExport.cell("Nguyễn Văn An") == "Nguyễn Văn An" && CSVExport.cell("a,b") == "\"a,b\"")
        #expect(CSVExport.document([["a"]]) == "\u{FEFF}a\r\n")
    }
}
