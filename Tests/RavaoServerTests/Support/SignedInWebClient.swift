import Foundation
import Hummingbird
import RavaoCore
import Testing

extension WebClient {
    /// Signs in through the forms and returns the client holding the session cookie.
    static func signedIn(_ app: TestHarness, phone: String = "0912345678") async throws -> WebClient {
        let web = WebClient(app)
        #expect(try await web.get("/signin").status == .ok)
        let sent = try await web.post("/signin", [("phone", phone), ("next", "/places")])
        #expect(sent.status == .ok)
        #expect(sent.body.contains("name=\"code\""))
        let code = try #require(app.sms.lastCode(to: PhoneNumber(phone)!.e164))
        let verified = try await web.post("/signin/verify", [("phone", phone), ("code", code), ("next", "/places")])
        #expect(verified.status == .seeOther)
        #expect(verified.headers[.location] == "/places")
        #expect(web.cookie("ravao_session") != nil)
        return web
    }
}
