import Foundation
import Hummingbird
import RavaoCore
@testable import RavaoServer
import RavaoStore
import Testing

/// Issue 18, item 6 (rosters): an import merges unless asked to replace; a replace's preview names
/// everyone it would remove, and a confirmation of an outdated preview replaces nothing.
@Suite("Enterprises: merging and replacing rosters") struct RosterMergeTests {
    let e = EnterpriseTests()

    @Test(arguments: TestEngine.available)
    func importMergesByDefaultAndReplaceNamesWhoGoes(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let owner = try await app.signIn()
            let org = try await e.createOrg(app, token: owner)
            let roster = "/api/v1/orgs/\(org)/roster"
            let first = "Mã NV,Họ tên,SĐT,Phòng ban\nE1,An,0912000301,May\nE2,Bình,0912000302,May\nE3,Cường,0912000303,Cắt\n"
            #expect(try await e.upload(app, roster, Array(first.utf8), token: owner).json["imported"] as? Int == 3)

            // A second file with one changed person and one new one: nobody is removed.
            let second = "Mã NV,Họ tên,SĐT,Phòng ban\nE2,Bình Trần,0912000302,Kho\nE4,Dũng,0912000304,Kho\n"
            let preview = try await e.upload(app, roster + "/preview", Array(second.utf8), token: owner)
            #expect(preview.json["mode"] as? String == "merge" && preview.json["added"] as? Int == 1 && preview.json["updated"] as? Int == 1, "\(preview.body)")
            #expect((preview.json["removed"] as? [Any])?.isEmpty == true)
            let merged = try await e.upload(app, roster, Array(second.utf8), token: owner)
            #expect(merged.status == .ok && merged.json["added"] as? Int == 1 && merged.json["updated"] as? Int == 1, "\(merged.body)")
            let items = try await app.request(.get, "/api/v1/orgs/\(org)/employees", token: owner).json["items"] as? [[String: Any]] ?? []
            #expect(Set(items.compactMap { $0["name"] as? String }) == ["An", "Bình Trần", "Cường", "Dũng"])
            #expect(items.first { $0["name"] as? String == "Bình Trần" }?["department"] as? String == "Kho")

            // A row naming two different people (E1's number, E3's phone) is refused whole.
            let crossed = try await e.upload(app, roster, Array("Mã NV,Họ tên,SĐT\nE1,Ai Đó,0912000303\n".utf8), token: owner)
            #expect(crossed.status == .unprocessableContent && (e.errors(crossed).first?["message"] as? String ?? "").contains("Cường"), "\(crossed.body)")
            #expect(try await e.total(app, org: org, token: owner) == 4)

            // Replace: the preview lists exactly who would go.
            let replacement = "Mã NV,Họ tên,SĐT\nE1,An,0912000301\nE5,Em,0912000305\n"
            let replacePreview = try await e.upload(app, roster + "/preview?mode=replace", Array(replacement.utf8), token: owner)
            let removed = (replacePreview.json["removed"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(Set(removed) == ["Bình Trần", "Cường", "Dũng"], "\(replacePreview.body)")
            #expect(try await e.total(app, org: org, token: owner) == 4, "a preview changes nothing")
            // Someone adds an employee meanwhile: the reviewed count is out of date, nothing is replaced.
            #expect(try await app.request(.post, "/api/v1/orgs/\(org)/employees", json: #"{"name":"Giang","phone":"0912000306"}"#, token: owner).status == .created)
            let outdated = try await e.upload(app, roster + "?mode=replace&expectRemoved=3", Array(replacement.utf8), token: owner)
            #expect(outdated.status == .conflict && outdated.errorCode == "roster_changed", "\(outdated.body)")
            #expect(try await e.total(app, org: org, token: owner) == 5)
            let replaced = try await e.upload(app, roster + "?mode=replace&expectRemoved=4", Array(replacement.utf8), token: owner)
            #expect(replaced.status == .ok && replaced.json["removed"] as? Int == 4, "\(replaced.body)")
            #expect(try await e.total(app, org: org, token: owner) == 2)

            // The roster page offers merge first.
            app.time.advance(by: 61)  // the resend wait after the API sign-in
            let web = try await WebClient.signedIn(app)
            let page = try await web.get("/orgs/\(org)/roster")
            #expect(page.body.contains("<option value=\"merge\" selected>"))
        }
    }
}
