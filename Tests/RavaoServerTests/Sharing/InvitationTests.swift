import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import Testing

/// Issue 18, item 6 (sharing): the invitee enters the code of an SMS once, whichever invitation it
/// belongs to; a wrong code can be retried on the same page; the only owner is not offered "leave"
/// and the server refuses it with a clear message.
@Suite("Sharing: invitations and leaving") struct InvitationTests {
    @Test(arguments: TestEngine.available)
    func inviteeRetriesAWrongCodeAndCodesNeverMixUp(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn("0911000101")
            let first = try #require(try await app.createPlace(token: owner, name: "Quán Một")["id"] as? String)
            let second = try #require(try await app.createPlace(token: owner, name: "Quán Hai")["id"] as? String)
            // Two invitations to one phone, two SMS arriving together.
            _ = try await app.request(.post, "/api/v1/places/\(first)/shares", json: #"{"phones":"0977000101","role":"controller"}"#, token: owner)
            let codeOne = try #require(app.sms.lastCode(to: "+84977000101"))
            _ = try await app.request(.post, "/api/v1/places/\(second)/shares", json: #"{"phones":"0977000101","role":"manager"}"#, token: owner)
            let codeTwo = try #require(app.sms.lastCode(to: "+84977000101"))
            #expect(app.sms.messages.last?.text.contains("Loi moi chia se") == true, "the SMS says where to enter the code")
            // The same invitation sent again at once (a double click) sends no second code.
            let sentBefore = app.sms.messages.count
            let again = try await app.request(.post, "/api/v1/places/\(second)/shares", json: #"{"phones":"0977000101","role":"manager"}"#, token: owner)
            #expect(again.status == .conflict && again.errorCode == "share_just_sent" && app.sms.messages.count == sentBefore, "\(again.body)")

            let web = try await WebClient.signedIn(app, phone: "0977000101")
            let page = try await web.get("/shares")
            #expect(page.body.matches(of: /class="invitation"/).count == 2 && page.body.contains("id=\"invitation-code\""))
            let wrong = String(codeOne.reversed()) == codeOne ? "000001" : String(codeOne.reversed())
            let retry = try await web.post("/shares/confirm", [("code", wrong == codeTwo ? "000002" : wrong)])
            #expect(retry.status == .unprocessableContent && retry.body.contains("id=\"invitation-error\"") && retry.body.contains("id=\"invitation-code\""), "\(retry.body)")
            // The second SMS's code accepts the second invitation, not the first.
            let accepted = try await web.post("/shares/confirm", [("code", codeTwo)])
            #expect(accepted.status == .seeOther && accepted.headers[.location] == "/places/\(second)")
            let account = try #require(try await app.store.accounts.account(phone: PhoneNumber("0977000101")!))
            #expect(try await app.store.places.role(of: account.id, at: UUID(uuidString: second)!, now: app.time.seconds()) == .manager)
            #expect(try await app.store.places.role(of: account.id, at: UUID(uuidString: first)!, now: app.time.seconds()) == nil)
            _ = try await web.get("/shares")
            #expect(try await web.post("/shares/confirm", [("code", codeOne)]).status == .seeOther)
            #expect(try await app.store.places.role(of: account.id, at: UUID(uuidString: first)!, now: app.time.seconds()) == .controller)
        }
    }

    @Test(arguments: TestEngine.available)
    func theOnlyOwnerIsNotOfferedLeave(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let web = try await WebClient.signedIn(app, phone: "0911000102")
            _ = try await web.get("/places/new")
            let place = try await web.post("/places", [("name", "Tiệm Ba"), ("type", "restaurant"), ("wardCode", try await app.danangWard()), ("registrantName", "Ba")])
            let location = try #require(place.headers[.location])
            let page = try await web.get(location)
            #expect(page.body.contains("id=\"only-owner\"") && !page.body.contains("class=\"inline member-remove\""), "\(page.body)")
            let me = try #require(try await app.store.accounts.account(phone: PhoneNumber("0911000102")!))
            let refused = try await web.post("\(location)/members/\(me.id.uuidString)/remove", [])
            #expect(refused.status == .conflict && refused.body.contains("id=\"share-error\"") && refused.body.contains("chủ sở hữu"), "\(refused.body)")
        }
    }
}
