import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import Testing

/// Issue 18, item 1 (and the invitee's notice of item 6): after sign-in each person lands where their
/// work is, and the menu offers only what their roles allow.
@Suite("Navigation and landing by role") struct NavigationTests {
    /// Signs in through the forms without asking for a page; returns the client and where it landed.
    func signIn(_ app: TestHarness, _ phone: String) async throws -> (WebClient, String) {
        // The API sign-ins that set up roles count against the 60-second resend wait.
        app.time.advance(by: 61)
        let web = WebClient(app)
        _ = try await web.get("/signin")
        let sent = try await web.post("/signin", [("phone", phone)])
        #expect(sent.status == .ok, "\(sent.body)")
        #expect(sent.body.contains("name=\"next\" value=\"\""), "no page asked for, none invented")
        let code = try #require(app.sms.lastCode(to: PhoneNumber(phone)!.e164))
        let verified = try await web.post("/signin/verify", [("phone", phone), ("code", code), ("next", "")])
        #expect(verified.status == .seeOther)
        return (web, verified.headers[.location] ?? "")
    }

    func menu(_ page: String) -> Set<String> {
        Set(page.matches(of: /<a href="[^"]*" id="(nav-[a-z-]+)"/).map { String($0.1) }).subtracting(["nav-new-place"])
    }

    @Test(arguments: TestEngine.available)
    func eachRoleLandsOnItsWork(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            // A citizen: their own page; no owner pages in the menu, only the way to register a place.
            let (citizen, citizenHome) = try await signIn(app, "0955000001")
            #expect(citizenHome == "/me")
            let me = try await citizen.get("/me")
            #expect(menu(me.body) == ["nav-me"], "\(menu(me.body))")
            #expect(me.body.contains("id=\"nav-new-place\"") && me.body.contains("aria-current=\"page\""))
            #expect(try await citizen.get("/").headers[.location] == "/me")

            // An owner: their places, with the station one tap away.
            let ownerToken = try await app.signIn("0911000001")
            let place = try #require(try await app.createPlace(token: ownerToken)["id"] as? String)
            let (owner, ownerHome) = try await signIn(app, "0911000001")
            #expect(ownerHome == "/places")
            let places = try await owner.get("/places")
            #expect(menu(places.body).isSuperset(of: ["nav-places", "nav-station", "nav-orgs", "nav-me"]) && !menu(places.body).contains("nav-authorities"))
            #expect(places.body.contains("href=\"/places/\(place)/station\" id=\"nav-station\""), "one place: its station directly")

            // A guard (entry controller only): the station of their one place.
            let shared = try await app.request(.post, "/api/v1/places/\(place)/shares", json: #"{"phones":"0977000001","role":"controller"}"#, token: ownerToken)
            let shareId = try #require((shared.json["shares"] as? [[String: Any]])?.first?["id"] as? String, "\(shared.body)")
            let code = try #require(app.sms.lastCode(to: "+84977000001"))
            #expect(try await app.request(.post, "/api/v1/shares/\(shareId)/confirm", json: #"{"code":"\#(code)"}"#, token: ownerToken).status == .ok)
            let (_, guardHome) = try await signIn(app, "0977000001")
            #expect(guardHome == "/places/\(place)/station")

            // An officer: the dashboard; without statistics, tracing.
            try await JurisdictionTests().makeOfficer(app, phone: "0933000001", unit: "48", functions: [.statistics, .health])
            let (officer, officerHome) = try await signIn(app, "0933000001")
            #expect(officerHome == "/authorities")
            #expect(menu(try await officer.get("/authorities").body).contains("nav-authorities"))
            try await JurisdictionTests().makeOfficer(app, phone: "0933000002", unit: "48", functions: [.health])
            #expect(try await signIn(app, "0933000002").1 == "/authorities/tracing")

            // HR of one company: that company.
            let orgReply = try await app.request(.post, "/api/v1/orgs", json: #"{"name":"Công ty May Hòa"}"#, token: ownerToken)
            let org = try #require(orgReply.string("id"))
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/members", json: #"{"phone":"0988000001","role":"manager"}"#, token: ownerToken).status == .noContent)
            let (hr, hrHome) = try await signIn(app, "0988000001")
            #expect(hrHome == "/orgs/\(org)")
            #expect(menu(try await hr.get(hrHome).body) == ["nav-orgs", "nav-me"])

            // An invitation waiting: it comes first, with a count in the menu.
            _ = try await app.request(.post, "/api/v1/places/\(place)/shares", json: #"{"phones":"0955000001","role":"manager"}"#, token: ownerToken)
            let (invitee, inviteeHome) = try await signIn(app, "0955000001")
            #expect(inviteeHome == "/shares")
            let invitations = try await invitee.get("/shares")
            #expect(invitations.body.contains("id=\"nav-shares\"") && invitations.body.contains("class=\"badge\""))

            // A page asked for still wins, and foreign ones are still refused.
            #expect(SignInPages.safeNext("/authorities/risk") == "/authorities/risk")
            #expect(SignInPages.safeNext("//evil.example") == nil)
        }
    }
}
