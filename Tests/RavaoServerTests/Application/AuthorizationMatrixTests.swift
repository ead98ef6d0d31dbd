import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RavaoCore
@testable import RavaoServer
import RavaoStore
import SQLKit
import Synchronization
import Testing

/// Every route of the router × every kind of caller → allowed or denied.
///
/// The router's own route list is compared with the table below: a route that is not in the table
/// fails the test, so a new route cannot ship without deciding who may call it. Other branches append
/// their routes to `MatrixTable.rules` and, for new kinds of callers (officers), a case to `MatrixRole`
/// and to the `allowed` sets.
///
/// "Denied" means 401, 403, 404 (a place one cannot see does not exist) or a redirect to sign-in and back;
/// anything else (including 4xx for a deliberately incomplete body) means the caller got past the checks.
enum MatrixRole: String, CaseIterable, Sendable, CustomStringConvertible {
    case anonymous, citizen, controller, manager, owner, otherOwner
    /// A provincial officer (Đà Nẵng, where the matrix place is) with every function and no place role.
    case officer
    var description: String { rawValue }
}

/// One request to make as a role; `session` replaces the role's usual session (sign-out ends the one it uses).
struct MatrixCall: Sendable {
    var uri: String
    var json: String? = nil
    var form: [(String, String)]? = nil
    var session: String? = nil
    /// Server-sent events never end: a stream that is still open after a moment counts as allowed.
    var stream = false
}

struct MatrixRule: Sendable {
    let route: String
    let allowed: Set<MatrixRole>
    let call: @Sendable (MatrixWorld, MatrixRole) async throws -> MatrixCall
}

extension Set where Element == MatrixRole {
    static let everyone = Set(MatrixRole.allCases)
    static let signedIn = Set(MatrixRole.allCases).subtracting([.anonymous])
    static let staff: Set<MatrixRole> = [.controller, .manager, .owner]
    static let managers: Set<MatrixRole> = [.manager, .owner]
    static let owners: Set<MatrixRole> = [.owner]
    static let nobody: Set<MatrixRole> = []
}

enum MatrixTable {
    static func get(_ route: String, _ allowed: Set<MatrixRole>, _ uri: @escaping @Sendable (MatrixWorld) async throws -> String) -> MatrixRule {
        MatrixRule(route: route, allowed: allowed) { w, _ in MatrixCall(uri: try await uri(w)) }
    }

    static let rules: [MatrixRule] = [
        // Operations and reference data
        get("GET /healthz", .everyone) { _ in "/healthz" },
        // Only Prometheus with its token (trust rule 8): no session of any role reads the metrics.
        get("GET /metrics", .nobody) { _ in "/metrics" },
        get("GET /api/openapi.yaml", .everyone) { _ in "/api/openapi.yaml" },
        get("GET /kiosk-sw.js", .everyone) { _ in "/kiosk-sw.js" },
        get("GET /static/{file}", .everyone) { _ in "/static/app.css" },
        get("GET /api/v1/units", .everyone) { _ in "/api/v1/units" },
        get("GET /api/v1/place-types", .everyone) { _ in "/api/v1/place-types" },
        // Sign-in
        MatrixRule(route: "POST /api/v1/auth/otp", allowed: .everyone) { w, _ in MatrixCall(uri: "/api/v1/auth/otp", json: #"{"phone":"\#(w.freshPhone())"}"#) },
        MatrixRule(route: "POST /api/v1/auth/verify", allowed: .everyone) { _, _ in MatrixCall(uri: "/api/v1/auth/verify", json: #"{"phone":"12","code":"000000"}"#) },
        MatrixRule(route: "POST /api/v1/auth/signout", allowed: .signedIn) { w, r in MatrixCall(uri: "/api/v1/auth/signout", json: "{}", session: try await w.freshSession(r)) },
        get("GET /signin", .everyone) { _ in "/signin" },
        MatrixRule(route: "POST /signin", allowed: .everyone) { w, _ in MatrixCall(uri: "/signin", form: [("phone", w.freshPhone())]) },
        MatrixRule(route: "POST /signin/verify", allowed: .everyone) { _, _ in MatrixCall(uri: "/signin/verify", form: [("phone", "12"), ("code", "000000")]) },
        MatrixRule(route: "POST /signout", allowed: .everyone) { w, r in MatrixCall(uri: "/signout", form: [], session: try await w.freshSession(r)) },
        // Places API
        MatrixRule(route: "POST /api/v1/places", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/places", json: "{}") },
        get("GET /api/v1/places", .signedIn) { _ in "/api/v1/places" },
        get("GET /api/v1/places/{id}", .staff) { w in "/api/v1/places/\(w.place)" },
        MatrixRule(route: "PATCH /api/v1/places/{id}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/places/\(w.place)", json: #"{"address":"1 Hùng Vương"}"#) },
        MatrixRule(route: "DELETE /api/v1/places/{id}", allowed: .owners) { w, _ in MatrixCall(uri: "/api/v1/places/\(try await w.freshPlace())") },
        get("GET /api/v1/places/{id}/qr.svg", .managers) { w in "/api/v1/places/\(w.place)/qr.svg" },
        get("GET /api/v1/places/{id}/qr.png", .managers) { w in "/api/v1/places/\(w.place)/qr.png" },
        MatrixRule(route: "POST /api/v1/places/{id}/code", allowed: .owners) { w, _ in MatrixCall(uri: "/api/v1/places/\(try await w.freshPlace())/code", json: "{}") },
        get("GET /api/v1/places/{id}/requests", .owners) { w in "/api/v1/places/\(w.place)/requests" },
        MatrixRule(route: "POST /api/v1/place-requests", allowed: .signedIn) { w, _ in MatrixCall(uri: "/api/v1/place-requests", json: #"{"code":"\#(w.placeCode)"}"#) },
        MatrixRule(route: "POST /api/v1/place-requests/{id}/accept", allowed: .owners) { w, _ in MatrixCall(uri: "/api/v1/place-requests/\(try await w.freshRequest())/accept", json: #"{"role":"controller"}"#) },
        MatrixRule(route: "POST /api/v1/place-requests/{id}/decline", allowed: .owners) { w, _ in MatrixCall(uri: "/api/v1/place-requests/\(try await w.freshRequest())/decline", json: "{}") },
        // Scans, devices, check-ins, live
        MatrixRule(route: "POST /api/v1/scans", allowed: .staff) { w, _ in
            MatrixCall(uri: "/api/v1/scans", json: #"{"placeId":"\#(w.place)","payload":"0916859123","clientId":"\#(UUID().uuidString)"}"#)
        },
        MatrixRule(route: "POST /api/v1/places/{id}/devices", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/places/\(w.place)/devices", json: #"{"name":"Cổng chính"}"#) },
        get("GET /api/v1/places/{id}/devices", .managers) { w in "/api/v1/places/\(w.place)/devices" },
        MatrixRule(route: "DELETE /api/v1/places/{id}/devices/{deviceId}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/places/\(w.place)/devices/\(try await w.freshDevice())") },
        get("GET /api/v1/device", .nobody) { _ in "/api/v1/device" },  // kiosks only, with their device key
        MatrixRule(route: "POST /api/v1/checkins", allowed: .signedIn) { w, _ in MatrixCall(uri: "/api/v1/checkins", json: #"{"placeCode":"\#(w.placeCode)","clientId":"\#(UUID().uuidString)"}"#) },
        get("GET /api/v1/places/{id}/live", .managers) { w in "/api/v1/places/\(w.place)/live" },
        MatrixRule(route: "GET /places/{id}/live/events", allowed: .managers) { w, _ in MatrixCall(uri: "/places/\(w.place)/live/events", stream: true) },
        // Sharing (S1)
        MatrixRule(route: "POST /api/v1/places/{id}/shares", allowed: .managers) { w, _ in
            MatrixCall(uri: "/api/v1/places/\(w.place)/shares", json: #"{"phones":"\#(w.freshPhone())","role":"controller"}"#)
        },
        get("GET /api/v1/places/{id}/shares", .managers) { w in "/api/v1/places/\(w.place)/shares" },
        get("GET /api/v1/shares", .signedIn) { _ in "/api/v1/shares" },
        MatrixRule(route: "POST /api/v1/shares/{id}/confirm", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/shares/\(try await w.freshShare())/confirm", json: #"{"code":"000000"}"#) },
        MatrixRule(route: "DELETE /api/v1/shares/{id}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/shares/\(try await w.freshShare())") },
        MatrixRule(route: "DELETE /api/v1/places/{id}/members/{accountId}", allowed: .staff) { w, _ in
            MatrixCall(uri: "/api/v1/places/\(try await w.freshPlace())/members/\(w.accounts[.controller]!)")
        },
        // History, scans, exports, work (S2, S3, S5)
        get("GET /api/v1/places/{id}/history", .managers) { w in "/api/v1/places/\(w.place)/history" },
        get("GET /api/v1/places/{id}/scans", .staff) { w in "/api/v1/places/\(w.place)/scans" },
        get("GET /api/v1/places/{id}/scans.csv", .managers) { w in "/api/v1/places/\(w.place)/scans.csv" },
        get("GET /api/v1/places/{id}/scans.xlsx", .managers) { w in "/api/v1/places/\(w.place)/scans.xlsx" },
        get("GET /api/v1/me/work", .signedIn) { _ in "/api/v1/me/work" },
        // Place pages
        get("GET /", .everyone) { _ in "/" },
        get("GET /places", .signedIn) { _ in "/places" },
        get("GET /places/new", .signedIn) { _ in "/places/new" },
        MatrixRule(route: "POST /places", allowed: .signedIn) { _, _ in MatrixCall(uri: "/places", form: [("name", "")]) },
        get("GET /places/add", .signedIn) { _ in "/places/add" },
        MatrixRule(route: "POST /places/add", allowed: .signedIn) { w, _ in MatrixCall(uri: "/places/add", form: [("code", w.placeCode)]) },
        get("GET /places/{id}", .staff) { w in "/places/\(w.place)" },
        get("GET /places/{id}/edit", .managers) { w in "/places/\(w.place)/edit" },
        MatrixRule(route: "POST /places/{id}", allowed: .managers) { w, _ in MatrixCall(uri: "/places/\(w.place)", form: [("name", "")]) },
        MatrixRule(route: "POST /places/{id}/delete", allowed: .owners) { w, _ in MatrixCall(uri: "/places/\(try await w.freshPlace())/delete", form: []) },
        MatrixRule(route: "POST /places/{id}/code", allowed: .owners) { w, _ in MatrixCall(uri: "/places/\(try await w.freshPlace())/code", form: []) },
        MatrixRule(route: "POST /place-requests/{id}", allowed: .owners) { w, _ in MatrixCall(uri: "/place-requests/\(try await w.freshRequest())", form: [("decision", "decline")]) },
        MatrixRule(route: "POST /places/{id}/devices", allowed: .managers) { w, _ in MatrixCall(uri: "/places/\(w.place)/devices", form: [("name", "Kiosk")]) },
        MatrixRule(route: "POST /places/{id}/devices/{deviceId}/revoke", allowed: .managers) { w, _ in MatrixCall(uri: "/places/\(w.place)/devices/\(try await w.freshDevice())/revoke", form: []) },
        get("GET /places/{id}/poster", .managers) { w in "/places/\(w.place)/poster" },
        get("GET /places/{id}/sheet", .managers) { w in "/places/\(w.place)/sheet" },
        // Poster check-in (public by design: whoever stands at the poster)
        get("GET /c/{code}", .everyone) { w in "/c/\(w.placeCode)" },
        MatrixRule(route: "POST /c/{code}/checkin", allowed: .signedIn) { w, _ in MatrixCall(uri: "/c/\(w.placeCode)/checkin", form: [("clientId", UUID().uuidString)]) },
        MatrixRule(route: "POST /c/{code}/guest", allowed: .everyone) { w, _ in MatrixCall(uri: "/c/\(w.placeCode)/guest", form: [("name", "Khách"), ("phone", w.freshPhone()), ("clientId", UUID().uuidString)]) },
        get("GET /c/{code}/r/{receipt}", .everyone) { w in "/c/\(w.placeCode)/r/\(w.receipt)" },
        MatrixRule(route: "POST /c/{code}/checkout", allowed: .everyone) { w, _ in MatrixCall(uri: "/c/\(w.placeCode)/checkout", form: [("receipt", w.receipt), ("clientId", UUID().uuidString)]) },
        // Station and kiosk
        get("GET /station", .signedIn) { _ in "/station" },
        get("GET /places/{id}/station", .staff) { w in "/places/\(w.place)/station" },
        get("GET /kiosk", .everyone) { _ in "/kiosk" },
        // Sharing, history and work pages
        MatrixRule(route: "POST /places/{id}/shares", allowed: .managers) { w, _ in MatrixCall(uri: "/places/\(w.place)/shares", form: [("phones", w.freshPhone()), ("role", "controller")]) },
        MatrixRule(route: "POST /places/{id}/members/{accountId}/remove", allowed: .staff) { w, _ in
            MatrixCall(uri: "/places/\(try await w.freshPlace())/members/\(w.accounts[.controller]!)/remove", form: [])
        },
        get("GET /shares", .signedIn) { _ in "/shares" },
        MatrixRule(route: "POST /shares/confirm", allowed: .signedIn) { _, _ in MatrixCall(uri: "/shares/confirm", form: [("code", "000000")]) },
        MatrixRule(route: "POST /shares/{id}/confirm", allowed: .managers) { w, _ in MatrixCall(uri: "/shares/\(try await w.freshShare())/confirm", form: [("code", "000000")]) },
        MatrixRule(route: "POST /shares/{id}/revoke", allowed: .managers) { w, _ in MatrixCall(uri: "/shares/\(try await w.freshShare())/revoke", form: []) },
        get("GET /places/{id}/history", .managers) { w in "/places/\(w.place)/history" },
        get("GET /places/{id}/scans", .staff) { w in "/places/\(w.place)/scans" },
        get("GET /work", .signedIn) { _ in "/work" },
        // Authorities (A1–A6): officers only, within their jurisdiction.
        get("GET /api/v1/officers", [.officer]) { _ in "/api/v1/officers" },
        MatrixRule(route: "POST /api/v1/officers", allowed: [.officer]) { _, _ in MatrixCall(uri: "/api/v1/officers", json: "{}") },
        get("GET /api/v1/officers/me", [.officer]) { _ in "/api/v1/officers/me" },
        MatrixRule(route: "POST /api/v1/tracing", allowed: [.officer]) { _, _ in MatrixCall(uri: "/api/v1/tracing", json: #"{"person":{"phone":"0912000004"},"from":"2026-01-01T00:00:00+07:00","to":"2027-12-31T00:00:00+07:00"}"#) },
        MatrixRule(route: "POST /api/v1/people/{id}/marks", allowed: [.officer]) { w, _ in MatrixCall(uri: "/api/v1/people/\(try await w.citizenPerson())/marks", json: #"{"mark":"F2"}"#) },
        MatrixRule(route: "POST /api/v1/people/{id}/vaccinations", allowed: [.officer]) { w, _ in MatrixCall(uri: "/api/v1/people/\(try await w.citizenPerson())/vaccinations", json: #"{"vaccine":"Pfizer","date":"2021-09-01"}"#) },
        MatrixRule(route: "POST /api/v1/people/{id}/tests", allowed: [.officer]) { w, _ in MatrixCall(uri: "/api/v1/people/\(try await w.citizenPerson())/tests", json: #"{"kind":"pcr","result":"negative","date":"2021-10-01"}"#) },
        get("GET /api/v1/zones", [.officer]) { _ in "/api/v1/zones" },
        MatrixRule(route: "POST /api/v1/zones", allowed: [.officer]) { _, _ in MatrixCall(uri: "/api/v1/zones", json: "{}") },
        MatrixRule(route: "POST /api/v1/zones/{id}/lift", allowed: [.officer]) { w, _ in MatrixCall(uri: "/api/v1/zones/\(try await w.freshZone())/lift", json: "{}") },
        get("GET /api/v1/stats", [.officer]) { _ in "/api/v1/stats?unit=48" },
        get("GET /api/v1/risk", [.officer]) { _ in "/api/v1/risk?unit=48" },
        MatrixRule(route: "POST /api/v1/alerts/place", allowed: [.officer]) { _, _ in MatrixCall(uri: "/api/v1/alerts/place", json: "{}") },
        get("GET /authorities", [.officer]) { _ in "/authorities" },
        get("GET /authorities/stats.csv", [.officer]) { _ in "/authorities/stats.csv?unit=48" },
        get("GET /authorities/tracing", [.officer]) { _ in "/authorities/tracing" },
        get("GET /authorities/tracing.csv", [.officer]) { _ in "/authorities/tracing.csv?phone=0912000004" },
        MatrixRule(route: "POST /authorities/tracing/mark", allowed: [.officer]) { _, _ in MatrixCall(uri: "/authorities/tracing/mark?phone=0912000004", form: []) },
        MatrixRule(route: "POST /authorities/tracing/case", allowed: [.officer]) { _, _ in MatrixCall(uri: "/authorities/tracing/case?phone=0912000004", form: [("mark", "F0")]) },
        get("GET /api/v1/jurisdiction/places", [.officer]) { _ in "/api/v1/jurisdiction/places?q=a" },
        get("GET /authorities/risk", [.officer]) { _ in "/authorities/risk" },
        get("GET /authorities/risk.csv", [.officer]) { _ in "/authorities/risk.csv" },
        get("GET /authorities/alert", [.officer]) { _ in "/authorities/alert" },
        MatrixRule(route: "POST /authorities/alert", allowed: [.officer]) { _, _ in MatrixCall(uri: "/authorities/alert", form: []) },
        get("GET /authorities/zones", [.officer]) { _ in "/authorities/zones" },
        get("GET /authorities/privilege", [.officer]) { w in "/authorities/privilege?code=\(w.placeCode)" },
        MatrixRule(route: "POST /authorities/privilege", allowed: [.officer]) { w, _ in
            MatrixCall(uri: "/authorities/privilege", form: [("code", w.placeCode), ("action", "grant")]) },
        MatrixRule(route: "POST /authorities/zones", allowed: [.officer]) { _, _ in MatrixCall(uri: "/authorities/zones", form: []) },
        MatrixRule(route: "POST /authorities/zones/{id}/lift", allowed: [.officer]) { w, _ in MatrixCall(uri: "/authorities/zones/\(try await w.freshZone())/lift", form: []) },
        get("GET /authorities/officers", [.officer]) { _ in "/authorities/officers" },
        MatrixRule(route: "POST /authorities/officers", allowed: [.officer]) { _, _ in MatrixCall(uri: "/authorities/officers", form: []) },
        // Enterprises (E1–E3): the org belongs to the owner role, the manager role manages it; nobody else is a member.
        MatrixRule(route: "POST /api/v1/orgs", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/orgs", json: "{}") },
        get("GET /api/v1/orgs", .signedIn) { _ in "/api/v1/orgs" },
        get("GET /api/v1/orgs/{id}", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())" },
        MatrixRule(route: "PATCH /api/v1/orgs/{id}", allowed: .owners) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())", json: "{}") },
        get("GET /api/v1/orgs/{id}/places", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/places" },
        MatrixRule(route: "POST /api/v1/orgs/{id}/places", allowed: .owners) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())/places", json: #"{"placeId":"\#(try await w.freshPlace())"}"#) },
        MatrixRule(route: "DELETE /api/v1/orgs/{id}/places/{placeId}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())/places/\(w.place)", json: nil) },
        get("GET /api/v1/orgs/{id}/members", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/members" },
        MatrixRule(route: "POST /api/v1/orgs/{id}/members", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())/members", json: #"{"phone":"\#(w.freshPhone())","role":"board"}"#) },
        MatrixRule(route: "DELETE /api/v1/orgs/{id}/members/{phone}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg(board: "0944999001"))/members/0944999001", json: nil) },
        MatrixRule(route: "POST /api/v1/orgs/{id}/roster", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())/roster", json: "{}") },
        MatrixRule(route: "POST /api/v1/orgs/{id}/roster/preview", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())/roster/preview", json: "{}") },
        get("GET /api/v1/orgs/{id}/employees", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/employees" },
        MatrixRule(route: "POST /api/v1/orgs/{id}/employees", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshOrg())/employees", json: "{}") },
        MatrixRule(route: "PUT /api/v1/orgs/{id}/employees/{employeeId}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshEmployee())", json: "{}") },
        MatrixRule(route: "DELETE /api/v1/orgs/{id}/employees/{employeeId}", allowed: .managers) { w, _ in MatrixCall(uri: "/api/v1/orgs/\(try await w.freshEmployee())", json: nil) },
        get("GET /api/v1/orgs/{id}/coverage", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/coverage" },
        get("GET /api/v1/orgs/{id}/coverage/history", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/coverage/history" },
        get("GET /api/v1/orgs/{id}/coverage.csv", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/coverage.csv" },
        get("GET /api/v1/orgs/{id}/buses", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/buses" },
        get("GET /api/v1/orgs/{id}/buses/{placeId}/trips", .managers) { w in "/api/v1/orgs/\(try await w.freshOrg())/buses/\(w.place)/trips" },
        get("GET /api/v1/board/coverage", .signedIn) { _ in "/api/v1/board/coverage" },
        get("GET /orgs", .signedIn) { _ in "/orgs" },
        MatrixRule(route: "POST /orgs", allowed: .signedIn) { _, _ in MatrixCall(uri: "/orgs", form: [("name", "")]) },
        get("GET /orgs/{id}", .managers) { w in "/orgs/\(try await w.freshOrg())" },
        MatrixRule(route: "POST /orgs/{id}/settings", allowed: .owners) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshOrg())/settings", form: [("name", "Công ty An Viên")]) },
        MatrixRule(route: "POST /orgs/{id}/places", allowed: .owners) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshOrg())/places", form: [("placeId", try await w.freshPlace())]) },
        MatrixRule(route: "POST /orgs/{id}/places/{placeId}/remove", allowed: .managers) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshOrg())/places/\(w.place)/remove", form: []) },
        MatrixRule(route: "POST /orgs/{id}/members", allowed: .managers) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshOrg())/members", form: [("phone", w.freshPhone()), ("role", "board")]) },
        MatrixRule(route: "POST /orgs/{id}/members/remove", allowed: .managers) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshOrg(board: "0944999002"))/members/remove", form: [("phone", "0944999002")]) },
        get("GET /orgs/{id}/roster", .managers) { w in "/orgs/\(try await w.freshOrg())/roster" },
        MatrixRule(route: "POST /orgs/{id}/employees", allowed: .managers) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshOrg())/employees", form: []) },
        get("GET /orgs/{id}/employees/{employeeId}/edit", .managers) { w in "/orgs/\(try await w.freshEmployee())/edit" },
        MatrixRule(route: "POST /orgs/{id}/employees/{employeeId}", allowed: .managers) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshEmployee())", form: []) },
        MatrixRule(route: "POST /orgs/{id}/employees/{employeeId}/delete", allowed: .managers) { w, _ in MatrixCall(uri: "/orgs/\(try await w.freshEmployee())/delete", form: []) },
        get("GET /orgs/{id}/coverage", .managers) { w in "/orgs/\(try await w.freshOrg())/coverage" },
        get("GET /orgs/{id}/chart.svg", .managers) { w in "/orgs/\(try await w.freshOrg())/chart.svg" },
        get("GET /orgs/{id}/buses", .managers) { w in "/orgs/\(try await w.freshOrg())/buses" },
        get("GET /board", .signedIn) { _ in "/board" },
        // Citizens (H1–H8): one's own record for every signed-in account; a dependent's only for its guardian (the citizen).
        get("GET /me-sw.js", .everyone) { w in "/me-sw.js" },
        get("GET /api/v1/me", .signedIn) { _ in "/api/v1/me" },
        MatrixRule(route: "PUT /api/v1/me", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me", json: "{}") },
        get("GET /api/v1/me/token", .signedIn) { _ in "/api/v1/me/token" },
        MatrixRule(route: "POST /api/v1/me/token/reissue", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/token/reissue", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/cards/claim", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/cards/claim", json: #"{"payload":""}"#) },
        MatrixRule(route: "POST /api/v1/me/declarations", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/declarations", json: #"{"symptoms":[],"contact":false}"#) },
        MatrixRule(route: "POST /api/v1/me/vaccinations", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/vaccinations", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/tests", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/tests", json: "{}") },
        get("GET /api/v1/me/checkins", .signedIn) { _ in "/api/v1/me/checkins" },
        get("GET /api/v1/me/views", .signedIn) { _ in "/api/v1/me/views" },
        get("GET /api/v1/me/dependents", .signedIn) { _ in "/api/v1/me/dependents" },
        MatrixRule(route: "POST /api/v1/me/dependents", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/dependents", json: "{}") },
        get("GET /api/v1/me/handovers", .signedIn) { _ in "/api/v1/me/handovers" },
        get("GET /api/v1/cases", [.officer]) { _ in "/api/v1/cases" },
        get("GET /api/v1/places/{id}/privilege", [.officer]) { w in "/api/v1/places/\(w.place)/privilege" },
        MatrixRule(route: "POST /api/v1/places/{id}/privilege", allowed: [.officer]) { w, _ in
            MatrixCall(uri: "/api/v1/places/\(try await w.freshPlace())/privilege", json: #"{"note":"x"}"#) },
        MatrixRule(route: "DELETE /api/v1/places/{id}/privilege", allowed: [.officer]) { w, _ in
            MatrixCall(uri: "/api/v1/places/\(try await w.freshPrivilegedPlace())/privilege") },
        MatrixRule(route: "POST /api/v1/cases", allowed: [.officer]) { w, _ in
            MatrixCall(uri: "/api/v1/cases", json: #"{"personId":"\#(try await w.citizenPerson())","from":"2026-01-01T00:00:00+07:00","to":"2026-01-02T00:00:00+07:00"}"#) },
        MatrixRule(route: "POST /api/v1/cases/{id}/close", allowed: [.officer]) { w, _ in
            MatrixCall(uri: "/api/v1/cases/\(try await w.freshCase())/close", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/exposures/{id}/review", allowed: [.citizen]) { w, _ in
            MatrixCall(uri: "/api/v1/me/exposures/\(try await w.freshExposure())/review", json: #"{"note":"I was not there"}"#) },
        MatrixRule(route: "POST /api/v1/me/handovers/{id}/accept", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/handovers/\(try await w.freshDependent(handedTo: .citizen))/accept", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/exposures/dismiss", allowed: .signedIn) { _, _ in MatrixCall(uri: "/api/v1/me/exposures/dismiss", json: "{}") },
        get("GET /api/v1/me/dependents/{id}", [.citizen]) { w in "/api/v1/me/dependents/\(try await w.freshDependent())" },
        MatrixRule(route: "PUT /api/v1/me/dependents/{id}", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/dependents/{id}/handover", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())/handover", json: #"{"phone":null}"#) },
        get("GET /api/v1/me/dependents/{id}/token", [.citizen]) { w in "/api/v1/me/dependents/\(try await w.freshDependent())/token" },
        MatrixRule(route: "POST /api/v1/me/dependents/{id}/token/reissue", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())/token/reissue", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/dependents/{id}/cards/claim", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())/cards/claim", json: #"{"payload":""}"#) },
        MatrixRule(route: "POST /api/v1/me/dependents/{id}/declarations", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())/declarations", json: #"{"symptoms":[],"contact":false}"#) },
        MatrixRule(route: "POST /api/v1/me/dependents/{id}/vaccinations", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())/vaccinations", json: "{}") },
        MatrixRule(route: "POST /api/v1/me/dependents/{id}/tests", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/api/v1/me/dependents/\(try await w.freshDependent())/tests", json: "{}") },
        get("GET /api/v1/me/dependents/{id}/checkins", [.citizen]) { w in "/api/v1/me/dependents/\(try await w.freshDependent())/checkins" },
        get("GET /api/v1/me/dependents/{id}/views", [.citizen]) { w in "/api/v1/me/dependents/\(try await w.freshDependent())/views" },
        get("GET /me", .signedIn) { _ in "/me" },
        get("GET /me/profile", .signedIn) { _ in "/me/profile" },
        get("GET /me/dependents/{id}/profile", [.citizen]) { w in "/me/dependents/\(try await w.freshDependent())/profile" },
        get("GET /me/declare", .signedIn) { _ in "/me/declare" },
        get("GET /me/dependents/{id}/declare", [.citizen]) { w in "/me/dependents/\(try await w.freshDependent())/declare" },
        get("GET /me/health", .signedIn) { _ in "/me/health" },
        get("GET /me/dependents/{id}/health", [.citizen]) { w in "/me/dependents/\(try await w.freshDependent())/health" },
        get("GET /me/checkins", .signedIn) { _ in "/me/checkins" },
        get("GET /me/dependents/{id}/checkins", [.citizen]) { w in "/me/dependents/\(try await w.freshDependent())/checkins" },
        get("GET /me/card", .signedIn) { _ in "/me/card" },
        get("GET /me/dependents/{id}/card", [.citizen]) { w in "/me/dependents/\(try await w.freshDependent())/card" },
        MatrixRule(route: "POST /me/profile", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/profile", form: [("name", "")]) },
        MatrixRule(route: "POST /me/cards/claim", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/cards/claim", form: [("payload", "")]) },
        MatrixRule(route: "POST /me/dependents/{id}/profile", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/profile", form: [("name", "")]) },
        MatrixRule(route: "POST /me/dependents/{id}/cards/claim", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/cards/claim", form: [("payload", "")]) },
        MatrixRule(route: "POST /me/declare", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/declare", form: [("contact", "no")]) },
        MatrixRule(route: "POST /me/dependents/{id}/declare", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/declare", form: [("contact", "no")]) },
        MatrixRule(route: "POST /me/vaccinations", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/vaccinations", form: []) },
        MatrixRule(route: "POST /me/dependents/{id}/vaccinations", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/vaccinations", form: []) },
        MatrixRule(route: "POST /me/tests", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/tests", form: []) },
        MatrixRule(route: "POST /me/dependents/{id}/tests", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/tests", form: []) },
        // Issue 18: a citizen deletes their own self-declared dose or test; everyone else finds nothing.
        MatrixRule(route: "POST /me/vaccinations/{recordId}/delete", allowed: .signedIn) { w, role in
            MatrixCall(uri: "/me/vaccinations/\(try await w.freshOwnRecord(.dose, of: role))/delete", form: []) },
        MatrixRule(route: "POST /me/tests/{recordId}/delete", allowed: .signedIn) { w, role in
            MatrixCall(uri: "/me/tests/\(try await w.freshOwnRecord(.test, of: role))/delete", form: []) },
        MatrixRule(route: "POST /me/dependents/{id}/vaccinations/{recordId}/delete", allowed: [.citizen]) { w, _ in
            let dependent = try await w.freshDependent()
            return MatrixCall(uri: "/me/dependents/\(dependent)/vaccinations/\(try await w.freshOwnRecord(.dose, dependent: dependent))/delete", form: []) },
        MatrixRule(route: "POST /me/dependents/{id}/tests/{recordId}/delete", allowed: [.citizen]) { w, _ in
            let dependent = try await w.freshDependent()
            return MatrixCall(uri: "/me/dependents/\(dependent)/tests/\(try await w.freshOwnRecord(.test, dependent: dependent))/delete", form: []) },
        MatrixRule(route: "POST /me/token/reissue", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/token/reissue", form: []) },
        MatrixRule(route: "POST /me/dependents/{id}/token/reissue", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/token/reissue", form: []) },
        get("GET /me/dependents", .signedIn) { _ in "/me/dependents" },
        get("GET /me/dependents/new", .signedIn) { _ in "/me/dependents/new" },
        MatrixRule(route: "POST /me/dependents", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/dependents", form: [("name", "")]) },
        MatrixRule(route: "POST /me/exposures/{id}/review", allowed: [.citizen]) { w, _ in
            MatrixCall(uri: "/me/exposures/\(try await w.freshExposure())/review", form: [("note", "I was not there")]) },
        MatrixRule(route: "POST /me/handovers/{id}/accept", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/handovers/\(try await w.freshDependent(handedTo: .citizen))/accept", form: []) },
        MatrixRule(route: "POST /me/exposures/dismiss", allowed: .signedIn) { _, _ in MatrixCall(uri: "/me/exposures/dismiss", form: []) },
        get("GET /me/dependents/{id}", [.citizen]) { w in "/me/dependents/\(try await w.freshDependent())" },
        MatrixRule(route: "POST /me/dependents/{id}/handover", allowed: [.citizen]) { w, _ in MatrixCall(uri: "/me/dependents/\(try await w.freshDependent())/handover", form: []) },
    ]
}

struct MatrixSetupError: Error {}

/// The accounts, places and things the matrix requests point at.
final class MatrixWorld: Sendable {
    let app: TestHarness
    let accounts: [MatrixRole: UUID]
    let sessions: [MatrixRole: String]
    let anon = ServerKeys.randomToken()
    let place: String
    let placeCode: String
    let receipt: String
    private let counter = Mutex(0)

    static let phones: [MatrixRole: String] = [.owner: "0912000001", .manager: "0912000002", .controller: "0912000003",
                                               .citizen: "0912000004", .otherOwner: "0912000005", .officer: "0912000006"]

    init(app: TestHarness, accounts: [MatrixRole: UUID], sessions: [MatrixRole: String], place: String, placeCode: String, receipt: String) {
        self.app = app; self.accounts = accounts; self.sessions = sessions; self.place = place; self.placeCode = placeCode; self.receipt = receipt
    }

    static func build(_ app: TestHarness) async throws -> MatrixWorld {
        let now = app.services.time.seconds()
        var accounts: [MatrixRole: UUID] = [:]
        var sessions: [MatrixRole: String] = [:]
        for (role, phone) in phones {
            let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber(phone)!, language: .vi, now: now)
            accounts[role] = account.id
            sessions[role] = try await session(app, account.id)
        }
        try await app.store.officers.upsert(account: accounts[.officer]!, unitCode: "48", functions: Set(OfficerFunction.allCases), by: nil, now: now)
        let bare = MatrixWorld(app: app, accounts: accounts, sessions: sessions, place: "", placeCode: "", receipt: "")
        let (place, code) = try await bare.makePlace(owner: .owner, staff: true)
        _ = try await bare.makePlace(owner: .otherOwner, staff: false)
        let checkIn = try await app.request(.post, "/api/v1/checkins", json: #"{"placeCode":"\#(code)","clientId":"\#(UUID().uuidString)"}"#,
                                             headers: bare.headers(.citizen, write: true, session: nil))
        let text = try #require(checkIn.string("checkInId"), "\(checkIn.body)")
        let id = try #require(UUID(uuidString: text))
        return MatrixWorld(app: app, accounts: accounts, sessions: sessions, place: place, placeCode: code, receipt: app.services.keys.receiptToken(id))
    }

    static func session(_ app: TestHarness, _ account: UUID) async throws -> String {
        let token = ServerKeys.randomToken()
        let now = app.services.time.seconds()
        try await app.store.accounts.createSession(tokenHash: ServerKeys.tokenHash(token), accountId: account, kind: .web, ip: "198.51.100.1",
                                                   userAgent: "matrix", now: now, expiresAt: now + 86_400)
        return token
    }

    func freshSession(_ role: MatrixRole) async throws -> String? {
        guard let account = accounts[role] else { return nil }
        return try await Self.session(app, account)
    }

    /// A cookie session (or the anonymous cookie) and the CSRF token bound to it.
    func headers(_ role: MatrixRole, write: Bool, session override: String?) -> HTTPFields {
        var h: HTTPFields = [.init("X-Forwarded-For")!: "198.51.100.\(MatrixRole.allCases.firstIndex(of: role)! + 10)"]
        let binding: String
        if role == .anonymous {
            h[.cookie] = "ravao_anon=\(anon)"
            binding = "anon:" + anon
        } else {
            let token = override ?? sessions[role]!
            h[.cookie] = "ravao_session=\(token)"
            binding = token
        }
        if write { h[.init("X-CSRF-Token")!] = app.services.keys.csrfToken(for: binding) }
        return h
    }

    func csrf(_ role: MatrixRole, session override: String?) -> String {
        app.services.keys.csrfToken(for: role == .anonymous ? "anon:" + anon : (override ?? sessions[role]!))
    }

    func freshPhone() -> String {
        String(format: "0944%06d", counter.withLock { $0 += 1; return $0 })
    }

    /// A place owned by `owner`, with the manager and controller holding their roles when `staff`.
    func makePlace(owner: MatrixRole, staff: Bool) async throws -> (String, String) {
        let ward = try await app.danangWard()
        let reply = try await app.request(.post, "/api/v1/places", json: #"{"name":"Nơi \#(freshPhone())","type":"office","wardCode":"\#(ward)","registrantName":"Chủ"}"#,
                                          headers: headers(owner, write: true, session: nil))
        let id = try #require(reply.string("id"), "\(reply.body)")
        if staff {
            let now = app.services.time.seconds()
            try await app.store.engine.write { [accounts] db in
                for role in [MatrixRole.manager, .controller] {
                    try await db.raw("INSERT INTO place_roles (place_id, account_id, role, created_at) VALUES (\(bind: id), \(bind: accounts[role]!.uuidString), \(bind: role.rawValue), \(bind: now))").run()
                }
            }
        }
        return (id, try #require(reply.string("code")))
    }

    func freshPlace() async throws -> String { try await makePlace(owner: .owner, staff: true).0 }

    func freshDevice() async throws -> String {
        let device = try await app.store.devices.create(placeId: UUID(uuidString: place)!, name: "d", keyHash: UUID().uuidString,
                                                         by: accounts[.owner]!, now: app.services.time.seconds())
        return device.id.uuidString
    }

    func freshRequest() async throws -> String {
        let (placeId, _) = try await makePlace(owner: .owner, staff: true)
        return try await app.store.places.requestAccess(placeId: UUID(uuidString: placeId)!, accountId: accounts[.citizen]!, now: app.services.time.seconds()).id.uuidString
    }

    /// A place of the owner's with a privilege grant in force.
    func freshPrivilegedPlace() async throws -> String {
        let id = try await freshPlace()
        _ = try await app.store.places.grantPrivilege(UUID(uuidString: id)!, by: accounts[.officer]!, note: "", now: app.services.time.seconds())
        return id
    }

    /// An open tracing case of the officer's.
    func freshCase() async throws -> String {
        let now = app.services.time.seconds()
        return try await app.store.cases.open(person: UUID(uuidString: try await citizenPerson())!, by: accounts[.officer]!, unitCode: "48",
                                              from: now - 86_400, to: now, note: "", now: now).uuidString
    }

    /// An exposure (H8) recorded by the officer for the citizen role's person.
    func freshExposure() async throws -> String {
        let now = app.services.time.seconds()
        let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber(Self.phones[.citizen]!)!, language: .vi, now: now)
        let person = try await app.store.checkIns.person(forAccount: account, now: now)
        try await app.store.health.addExposure(person, source: "place_alert", placeId: UUID(uuidString: place), from: now - 3600, to: now, level: 1,
                                               by: accounts[.officer]!, now: now)
        return try #require(try await app.store.health.exposures(of: person, since: now - 60).first).id.uuidString
    }

    /// A self-declared dose or test of `role`'s own person (or of `dependent`); a random id for the anonymous caller.
    func freshOwnRecord(_ record: HealthStore.Record, of role: MatrixRole = .citizen, dependent: String? = nil) async throws -> String {
        let now = app.services.time.seconds()
        let person: UUID
        if let dependent {
            person = UUID(uuidString: dependent)!
        } else {
            guard let phone = Self.phones[role] else { return UUID().uuidString }
            let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber(phone)!, language: .vi, now: now)
            person = try await app.store.checkIns.person(forAccount: account, now: now)
        }
        switch record {
        case .dose: try await app.store.health.addDose(person, vaccine: "Pfizer", date: "2021-10-01", verified: false, by: person, now: now)
        case .test: try await app.store.health.addTest(person, kind: "rapid", result: "negative", date: "2021-10-01", verified: false, by: person, now: now)
        }
        let rows = record == .dose ? try await app.store.health.doseRows(of: person) : try await app.store.health.testRows(of: person)
        return try #require(rows.last { !$0.verified }).id.uuidString
    }

    /// A dependent of the citizen role's account; with `handedTo`, one that a guardian (the owner role)
    /// handed over to that role's phone instead.
    func freshDependent(handedTo: MatrixRole? = nil) async throws -> String {
        let now = app.services.time.seconds()
        let guardianRole: MatrixRole = handedTo == nil ? .citizen : .owner
        let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber(Self.phones[guardianRole]!)!, language: .vi, now: now)
        let guardian = try await app.store.checkIns.person(forAccount: account, now: now)
        let id = try await app.store.people.addDependent(guardian: guardian, input: .init(fullName: "Phạm Thị Hoa", birthDate: "1941-03-02", gender: "female",
                                                                                           cccd: nil, bhyt: nil, wardCode: nil, address: nil), now: now)
        if let handedTo { try await app.store.people.setHandover(id, to: PhoneNumber(Self.phones[handedTo]!)!) }
        return id.uuidString
    }

    /// An organisation owned by the owner role and managed by the manager role, holding the matrix place;
    /// with `board`, that phone is its board member too.
    func freshOrg(board: String? = nil) async throws -> String {
        let now = app.services.time.seconds()
        let store = OrgStore(engine: app.store.engine)
        let owner = try await app.store.accounts.findOrCreate(phone: PhoneNumber(Self.phones[.owner]!)!, language: .vi, now: now)
        let org = try await store.create(name: "Công ty \(freshPhone())", owner: owner, now: now)
        try await store.setMember(org: org.id, phone: PhoneNumber(Self.phones[.manager]!)!, role: .manager, by: owner.id, now: now)
        if let board { try await store.setMember(org: org.id, phone: PhoneNumber(board)!, role: .board, by: owner.id, now: now) }
        try await store.addPlace(org: org.id, place: UUID(uuidString: place)!, by: owner.id, now: now)
        return org.id.uuidString
    }

    /// `ORG/employees/EMPLOYEE` of a fresh organisation's one employee.
    func freshEmployee() async throws -> String {
        let org = try await freshOrg()
        let row = RosterCSV.Row(row: 1, name: "Nguyễn Văn An", phone: PhoneNumber(freshPhone()), cccd: nil, bhyt: nil, department: "Xưởng 1", employeeNumber: freshPhone())
        guard case .saved(let id) = try await OrgStore(engine: app.store.engine).save(org: UUID(uuidString: org)!, id: nil, row: row, now: app.services.time.seconds()) else {
            throw MatrixSetupError()
        }
        return "\(org)/employees/\(id.uuidString)"
    }

    /// The citizen role's person (checked in at the matrix place, so inside the officer's jurisdiction).
    func citizenPerson() async throws -> String {
        let now = app.services.time.seconds()
        let account = try await app.store.accounts.findOrCreate(phone: PhoneNumber(Self.phones[.citizen]!)!, language: .vi, now: now)
        return try await app.store.checkIns.person(forAccount: account, now: now).uuidString
    }

    /// An epidemic zone on the matrix place's province, in force.
    func freshZone() async throws -> String {
        let now = app.services.time.seconds()
        return try await app.store.health.addZone(unitCode: "48", level: "high", from: now - 3600, to: nil, by: accounts[.officer]!, now: now).uuidString
    }

    /// A pending controller share of the place to a phone none of the roles has.
    func freshShare() async throws -> String {
        let id = UUID()
        let now = app.services.time.seconds()
        try await app.store.sharing.create(placeId: UUID(uuidString: place)!, role: .controller,
                                           shares: [.init(id: id, phone: PhoneNumber(freshPhone())!, codeHash: "x")], expiresAt: nil,
                                           codeExpiresAt: now + 600, by: accounts[.owner]!, now: now)
        return id.uuidString
    }
}

@Suite("Authorisation matrix") struct AuthorizationMatrixTests {
    static func split(_ route: String) -> (HTTPRequest.Method, String) {
        let parts = route.split(separator: " ", maxSplits: 1)
        return (HTTPRequest.Method(rawValue: String(parts[0]))!, String(parts[1]))
    }

    static func denied(_ status: HTTPResponse.Status, location: String?) -> Bool {
        [.unauthorized, .forbidden, .notFound].contains(status) || (status == .seeOther && location?.hasPrefix("/signin?next=") == true)
    }

    @Test(arguments: TestEngine.available)
    func everyRouteTimesEveryRole(engine: TestEngine) async throws {
        let (location, cleanup) = try engine.freshLocation()
        defer { cleanup() }
        var configuration = AppConfiguration()
        configuration.database = location
        configuration.baseURL = "https://ravao.test"
        configuration.trustedProxies = .forRouterTests()
        var logger = Logger(label: "matrix")
        logger.logLevel = .critical
        let sms = CapturingSMS()
        let time = ManualTimeSource(Date())
        let app = try await buildApplication(configuration, logger: logger, time: time, sms: sms)

        // The table covers exactly the router's routes.
        let table = Dictionary(MatrixTable.rules.map { ($0.route, $0) }, uniquingKeysWith: { a, _ in a })
        let unlisted = app.routes.filter { table[$0] == nil }
        #expect(unlisted.isEmpty, "routes missing from the authorisation matrix: \(unlisted)")
        let stale = MatrixTable.rules.map(\.route).filter { !app.routes.contains($0) }
        #expect(stale.isEmpty, "matrix rows for routes the router does not have: \(stale)")
        #expect(MatrixTable.rules.count == Set(MatrixTable.rules.map(\.route)).count, "a route is listed twice")

        try await app.application.test(.router) { client in
            let harness = TestHarness(client: client, services: app.services, sms: sms, time: time, engine: engine)
            let world = try await MatrixWorld.build(harness)
            var mismatches: [String] = []
            for rule in MatrixTable.rules where app.routes.contains(rule.route) {
                let (method, _) = Self.split(rule.route)
                for role in MatrixRole.allCases {
                    let call = try await rule.call(world, role)
                    let write = !(method == .get || method == .head)
                    var headers = world.headers(role, write: write, session: call.session)
                    var body: ByteBuffer?
                    if let json = call.json {
                        headers[.contentType] = "application/json"
                        body = ByteBuffer(string: json)
                    } else if var form = call.form {
                        form.append(("_csrf", world.csrf(role, session: call.session)))
                        headers[.contentType] = "application/x-www-form-urlencoded"
                        let allowedChars = CharacterSet.alphanumerics.union(.init(charactersIn: "-._~"))
                        body = ByteBuffer(string: form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowedChars)!)" }.joined(separator: "&"))
                    }
                    let outcome: (HTTPResponse.Status, String?, String)
                    if call.stream {
                        outcome = try await Self.streamOutcome(client: client, uri: call.uri, method: method, headers: headers)
                    } else {
                        outcome = try await client.execute(uri: call.uri, method: method, headers: headers, body: body) { response in
                            (response.status, response.headers[.location], String(String(buffer: response.body).prefix(160)))
                        }
                    }
                    let wasAllowed = !Self.denied(outcome.0, location: outcome.1)
                    if wasAllowed != rule.allowed.contains(role) {
                        mismatches.append("\(rule.route) as \(role): expected \(rule.allowed.contains(role) ? "allowed" : "denied"), got \(outcome.0.code) \(outcome.1 ?? "") \(outcome.2)")
                    }
                }
            }
            #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
        }
        await dropAndClose(app.services, location: location)
    }

    /// An event stream that has not failed within a second is open, hence allowed; it is then cancelled.
    static func streamOutcome(client: some TestClientProtocol, uri: String, method: HTTPRequest.Method, headers: HTTPFields) async throws -> (HTTPResponse.Status, String?, String) {
        try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?, String)?.self) { group in
            group.addTask {
                try await client.execute(uri: uri, method: method, headers: headers, body: nil) { response in
                    (response.status, response.headers[.location], String(String(buffer: response.body).prefix(160)))
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(1))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first ?? (.ok, nil, "streaming")
        }
    }
}
