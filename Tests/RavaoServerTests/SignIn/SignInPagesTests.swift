import Foundation
import Hummingbird
import RavaoCore
import Testing

/// The sign-in pages through the router, the way a phone browser uses them: cookies, CSRF, redirects.
@Suite("Sign-in pages") struct SignInPagesTests {
    @Test(arguments: TestEngine.available)
    func sessionCookieIsHttpOnlyAndSameSite(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = WebClient(app)
            try await web.get("/signin")
            try await web.post("/signin", [("phone", "0912345678")])
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            let reply = try await web.post("/signin/verify", [("phone", "0912345678"), ("code", code)])
            let cookie = try #require(reply.headers[values: .setCookie].first { $0.hasPrefix("ravao_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Secure"))  // the test base URL is https
        }
    }

    @Test(arguments: TestEngine.available)
    func formsWithoutTheCSRFTokenAreRefused(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            try await web.get("/places/new")
            let ward = try await app.danangWard()
            let forged = try await web.post("/places", [("name", "Forged"), ("type", "shop"), ("wardCode", ward), ("registrantName", "X")], withCSRF: false)
            #expect(forged.status == .forbidden)
            let wrong = try await web.post("/places", [("name", "Forged"), ("type", "shop"), ("wardCode", ward), ("registrantName", "X"), ("_csrf", "AAAA")], withCSRF: false)
            #expect(wrong.status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/places", headers: [.cookie: "ravao_session=\(web.cookie("ravao_session")!)"]).json["total"] as? Int == 0)
            // The anonymous sign-in form is protected too.
            let anonymous = WebClient(app)
            #expect(try await anonymous.post("/signin", [("phone", "0912345678")], withCSRF: false).status == .forbidden)
            #expect(app.sms.messages.count == 1)
        }
    }

    @Test(arguments: TestEngine.available)
    func cookieAPIWritesNeedTheCSRFHeader(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            let ward = try await app.danangWard()
            let body = #"{"name":"X","type":"shop","wardCode":"\#(ward)","registrantName":"A"}"#
            let cookie: HTTPFields = [.cookie: "ravao_session=\(web.cookie("ravao_session")!)"]
            let refused = try await app.request(.post, "/api/v1/places", json: body, headers: cookie)
            #expect(refused.status == .forbidden)
            try await web.get("/places")
            var withHeader = cookie
            withHeader[.init("X-CSRF-Token")!] = try #require(web.csrf)
            #expect(try await app.request(.post, "/api/v1/places", json: body, headers: withHeader).status == .created)
        }
    }

    @Test(arguments: TestEngine.available)
    func pagesSendStrangersToSignInAndBack(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = WebClient(app)
            let reply = try await web.get("/places/new")
            #expect(reply.status == .seeOther)
            #expect(reply.headers[.location] == "/signin?next=/places/new")
            #expect(try await web.get("/").body.contains("href=\"/signin\""))
            // After sign-in, only local paths are followed.
            try await web.get("/signin")
            try await web.post("/signin", [("phone", "0912345678"), ("next", "https://evil.example/")])
            let code = try #require(app.sms.lastCode(to: "+84912345678"))
            let verified = try await web.post("/signin/verify", [("phone", "0912345678"), ("code", code), ("next", "//evil.example/")])
            // A foreign page is ignored: the person lands where their work is (a new account: their own page).
            #expect(verified.headers[.location] == "/me")
        }
    }

    @Test(arguments: TestEngine.available)
    func wrongCodeShowsAMessageAndKeepsTheForm(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = WebClient(app)
            try await web.get("/signin")
            try await web.post("/signin", [("phone", "0912345678")])
            let reply = try await web.post("/signin/verify", [("phone", "0912345678"), ("code", "000000")])
            #expect(reply.status == .unauthorized)
            #expect(reply.body.contains("Mã xác thực không đúng"))
            #expect(reply.body.contains("name=\"code\""))
            let bad = try await web.post("/signin", [("phone", "12")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("Số điện thoại không hợp lệ"))
        }
    }

    @Test(arguments: TestEngine.available)
    func signingOutEndsTheSession(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app)
            let session = try #require(web.cookie("ravao_session"))
            try await web.get("/places")
            let out = try await web.post("/signout", [])
            #expect(out.status == .seeOther)
            #expect(web.cookie("ravao_session") == nil)
            // The old cookie no longer works even if someone kept it.
            let replay = try await app.request(.get, "/places", headers: [.cookie: "ravao_session=\(session)"])
            #expect(replay.status == .seeOther)
        }
    }
}
