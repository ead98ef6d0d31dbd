import Foundation
import Hummingbird
import RavaoCore
import Testing

/// The place pages through the router: forms, posters, requests, rotation and deletion.
@Suite("Place pages") struct PlacePagesTests {
    @Test(arguments: TestEngine.available)
    func registerEditAndFindAPlaceThroughTheForms(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            let form = try await web.get("/places/new")
            #expect(form.body.contains("id=\"province\""))
            #expect(form.body.contains("Thành phố Đà Nẵng"))
            let ward = try await app.danangWard()
            // A bad submission comes back with the message and the typed values kept.
            let bad = try await web.post("/places", [("name", "Quán <b>Cơm</b> Bà Ba"), ("type", "restaurant"), ("wardCode", ""), ("registrantName", "Bà Ba")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("chọn phường/xã"))
            #expect(bad.body.contains("Quán &lt;b&gt;Cơm&lt;/b&gt; Bà Ba"))
            #expect(!bad.body.contains("<b>Cơm</b>"))
            let created = try await web.post("/places", [("name", "Quán Cơm Bà Ba"), ("type", "restaurant"), ("wardCode", ward),
                                                         ("address", "12 Lê Duẩn"), ("registrantName", "Bà Ba"), ("defaultStayMinutes", "")])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let detail = try await web.get(location)
            #expect(detail.status == .ok)
            #expect(detail.body.contains("id=\"place-name\">Quán Cơm Bà Ba<"))
            #expect(detail.body.contains("<svg"))
            #expect(detail.body.contains("https://ravao.test/c/"))
            try await web.get(location + "/edit")
            let edited = try await web.post(location, [("name", "Quán Cơm Bà Ba 2"), ("type", "restaurant"), ("wardCode", ward), ("address", "14 Lê Duẩn"), ("registrantName", "Bà Ba")])
            #expect(edited.status == .seeOther)
            #expect(try await web.get(location).body.contains("14 Lê Duẩn"))
            // A GET form sends spaces as "+".
            let list = try await web.get("/places?q=quan+com")
            #expect(list.body.contains("<li class=\"place-row\"><a href=\"\(location)\">"))
            #expect(list.body.contains("Quán Cơm Bà Ba 2"))
            #expect(list.body.contains("1 kết quả"))
            #expect(try await web.get("/places?q=khong%20co").body.contains("0 kết quả"))
        }
    }

    @Test(arguments: TestEngine.available)
    func posterAndSheetPrintTheQRLargeEnough(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            try await web.get("/places")
            let ward = try await app.danangWard()
            let created = try await web.post("/places", [("name", "Quán Cơm Bà Ba"), ("type", "restaurant"), ("wardCode", ward), ("address", "12 Lê Duẩn"), ("registrantName", "Bà Ba")])
            let location = try #require(created.headers[.location])
            let poster = try await web.get(location + "/poster")
            #expect(poster.status == .ok)
            #expect(poster.body.contains("class=\"poster-qr\""))
            #expect(poster.body.contains("QUÉT MÃ QR KHI RA VÀO"))
            #expect(poster.body.contains("Thành phố Đà Nẵng"))
            let css = try await app.request(.get, "/static/app.css")
            // The poster's QR: 187 mm box less 2 × 16 mm quiet zone = 155 mm of modules, over the 15 × 15 cm minimum.
            #expect(css.body.contains(".poster-qr { width: 187mm; height: 187mm; padding: 16mm;"))
            #expect(poster.body.contains("viewBox=\"0 0 "))
            #expect(css.body.contains("@page { size: A4"))
            let sheet = try await web.get(location + "/sheet")
            #expect(sheet.body.components(separatedBy: "class=\"table-card\"").count - 1 == 6)
            let english = try await web.get(location + "/poster?lang=en")
            #expect(english.body.contains("SCAN THE QR CODE"))
            // Someone without a role gets a 404, not the poster.
            let stranger = try await WebClient.signedIn(app, phone: "0987654321")
            #expect(try await stranger.get(location + "/poster").status == .notFound)
        }
    }

    @Test(arguments: TestEngine.available)
    func anOwnerAcceptsARequestOnThePlacePage(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await WebClient.signedIn(app)
            try await owner.get("/places")
            let ward = try await app.danangWard()
            let location = try #require(try await owner.post("/places", [("name", "Công ty TNHH An Viên"), ("type", "factory"), ("wardCode", ward), ("registrantName", "Chủ")]).headers[.location])
            let page = try await owner.get(location)
            let url = try #require(page.body.range(of: #"https://ravao\.test/c/[A-Za-z0-9]+"#, options: .regularExpression).map { String(page.body[$0]) })
            let hr = try await WebClient.signedIn(app, phone: "0987654321")
            try await hr.get("/places/add")
            let sent = try await hr.post("/places/add", [("code", url)])
            #expect(sent.body.contains("Đã gửi yêu cầu"))
            #expect(try await hr.get(location).status == .notFound)
            let withRequest = try await owner.get(location)
            #expect(withRequest.body.contains("0987654321"))
            let action = try #require(withRequest.body.range(of: #"/place-requests/[0-9A-F-]+"#, options: .regularExpression).map { String(withRequest.body[$0]) })
            let accepted = try await owner.post(action, [("role", "manager"), ("decision", "accept")])
            #expect(accepted.status == .seeOther)
            let seen = try await hr.get(location)
            #expect(seen.status == .ok)
            #expect(seen.body.contains("Người quản lý"))
        }
    }

    @Test(arguments: TestEngine.available)
    func rotatingAndDeletingThroughTheForms(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await WebClient.signedIn(app)
            try await owner.get("/places")
            let ward = try await app.danangWard()
            let location = try #require(try await owner.post("/places", [("name", "Chợ Hàn"), ("type", "market"), ("wardCode", ward), ("registrantName", "Chủ")]).headers[.location])
            func code() async throws -> String {
                let page = try await owner.get(location)
                return try #require(page.body.range(of: #"ravao\.test/c/[A-Za-z0-9]+"#, options: .regularExpression).map { String(page.body[$0].split(separator: "/").last!) })
            }
            let before = try await code()
            #expect(try await owner.post(location + "/code", []).status == .seeOther)
            let after = try await code()
            #expect(after != before)
            #expect(try await app.request(.get, "/c/\(before)").status == .gone)
            #expect(try await owner.post(location + "/delete", []).status == .seeOther)
            #expect(try await owner.get(location).status == .notFound)
            #expect(try await owner.get("/places").body.contains("0 kết quả"))
        }
    }
}
