import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/authorities/privilege`: a health officer finds a hospital or checkpoint by its poster code (or the
/// poster's link) and grants or revokes full personal data for its staff (trust rule 2), with the
/// grants' history. The API is `PrivilegeAPI`.
struct PrivilegePages {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("authorities/privilege", use: show)
        router.post("authorities/privilege", use: change)
    }

    /// A poster code, or a pasted poster link `BASE/c/CODE`.
    static func code(_ text: String?) -> String? {
        guard var text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if let range = text.range(of: "/c/") { text = String(text[range.upperBound...]) }
        return String(text.prefix { $0.isLetter || $0.isNumber })
    }

    func officer(_ context: AppRequestContext, _ request: Request) async throws -> OfficerAccess.Officer {
        try await AuthorityPages(services: services).officer(context, request, needs: .health)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        // A name finds the place too (inside the jurisdiction); several matches are offered to choose from.
        let typed = request.query["code"]
        let found = try await PlaceFinder(services: services).find(typed, for: officer)
        if found.count == 1 { return try await render(context, officer, code: found[0].code, message: nil) }
        return try await render(context, officer, code: found.isEmpty ? Self.code(typed) : nil, message: nil, typed: typed, choices: found)
    }

    func render(_ context: AppRequestContext, _ officer: OfficerAccess.Officer, code: String?, message: String?,
                typed: String? = nil, choices: [Place] = []) async throws -> Response {
        let s = AuthorityStrings(context.language)
        let csrf = Layout(title: "", context: context, keys: services.keys).csrfField()
        var found: HTML = ""
        if !choices.isEmpty {
            let items: [HTML] = choices.map { "<li><a href=\"/authorities/privilege?code=\($0.code)\">\($0.name)</a> <span class=\"muted\">\($0.address) · \($0.code)</span></li>" }
            found = "<section class=\"card\" id=\"privilege-choices\"><h2>\(PlacePickerStrings(context.language).chooseOne)</h2><ul>\(items)</ul></section>"
        } else if let code {
            if case .live(let candidate) = try await services.store.places.lookup(code: code), officer.jurisdiction.contains(candidate) {
                let grants = try await services.store.places.grants(of: candidate.id)
                let history: [HTML] = grants.map { g in
                    "<tr><td>\(LocalTime.format(g.grantedAt))</td><td>\(g.note)</td><td>\(g.revokedAt.map { LocalTime.format($0) } ?? s.inForce)</td></tr>"
                }
                let action: HTML = candidate.isPrivileged
                    ? "<input type=\"hidden\" name=\"action\" value=\"revoke\"><button type=\"submit\" class=\"danger\">\(s.revokePrivilege)</button>"
                    : candidate.placeType.privileged
                        ? """
                          <label for="note">\(s.privilegeNote)</label><input id="note" name="note" maxlength="500">
                          <input type="hidden" name="action" value="grant"><button type="submit">\(s.grantPrivilege)</button>
                          """
                        : "<p class=\"muted\">\(s.notEligible)</p>"
                found = """
                <section class="card" id="privilege-place">
                  <h2>\(candidate.name)</h2>
                  <p>\(candidate.placeType.name(in: context.language)) · \(candidate.address)</p>
                  <p id="privilege-status">\(candidate.privilegedSince.map { "\(s.privilegedSince) \(LocalTime.format($0))" } ?? s.notPrivileged)</p>
                  <form method="post" action="/authorities/privilege">\(csrf)<input type="hidden" name="code" value="\(code)">\(action)</form>
                  \(history.isEmpty ? "" as HTML : "<table class=\"data\" id=\"grants\"><thead><tr><th>\(s.grantedAt)</th><th>\(s.privilegeNote)</th><th>\(s.revokedAt)</th></tr></thead><tbody>\(history)</tbody></table>")
                </section>
                """
            } else {
                found = "<p class=\"error\" role=\"alert\">\(s.placeNotFound)</p>"
            }
        }
        return page(context, officer, s.privilege, """
        <h1>\(s.privilege)</h1>
        <p class="muted">\(s.privilegeIntro)</p>
        \(message.map { "<p class=\"notice\" role=\"status\">\($0)</p>" as HTML })
        <form method="get" action="/authorities/privilege" class="card">
          <label for="code">\(s.posterCodeOrLink)</label><input id="code" name="code" value="\(typed ?? code ?? "")" required>
          <button type="submit">\(s.find)</button>
        </form>
        \(found)
        """)
    }

    func page(_ context: AppRequestContext, _ officer: OfficerAccess.Officer, _ title: String, _ content: HTML) -> Response {
        AuthorityPages(services: services).page(context, officer, title, content)
    }

    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let s = AuthorityStrings(context.language)
        guard let code = Self.code(form["code"]), case .live(let candidate) = try await services.store.places.lookup(code: code) else { throw AppError.notFound }
        let place = try await access.place(candidate.id, for: officer)
        let privilege = PrivilegeService(services: services)
        let audit = AuditSource(request, context)
        if form["action"] == "revoke" {
            _ = try await privilege.revoke(place, by: officer, audit: audit)
            return try await render(context, officer, code: code, message: s.privilegeRevoked)
        }
        guard place.placeType.privileged else { return try await render(context, officer, code: code, message: s.notEligible) }
        try await privilege.grant(place, note: String((form["note"] ?? "").prefix(500)), by: officer, audit: audit)
        return try await render(context, officer, code: code, message: s.privilegeGranted)
    }
}
