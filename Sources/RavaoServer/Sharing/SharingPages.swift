import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// The share dialog on the place page, its form posts, and the invitee's page of pending shares.
struct SharingPages {
    let services: AppServices
    var sharing: SharingService { SharingService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("places/:id/shares", use: create)
        router.post("places/:id/members/:accountId/remove", use: removeMember)
        router.get("shares", use: invitations)
        router.post("shares/confirm", use: confirmByCode)
        router.post("shares/:id/confirm", use: confirm)
        router.post("shares/:id/revoke", use: revoke)
    }

    func account(_ context: AppRequestContext, _ request: Request) throws -> Account {
        guard let identity = context.identity else { throw RedirectToSignIn(next: request.uri.path) }
        return identity.account
    }

    /// The sharing section of a place page: the dialog, the shares with code entry and one-click
    /// revoke, and the people with access. Managers see it too (they share non-owner roles).
    func panel(place: Place, role: PlaceRole, account: Account, context: AppRequestContext, layout: Layout) async throws -> HTML {
        let s = SharingStrings(context.language)
        let roles = Strings(context.language).roleNames
        let id = place.id.uuidString
        let links: HTML = """
            <p class="actions" id="history-links"><a class="button secondary" id="scans-link" href="/places/\(id)/scans">\(role == .controller ? s.myScans : s.scanHistory)</a>
            \(role >= .manager ? "<a class=\"button secondary\" id=\"history-link\" href=\"/places/\(id)/history\">\(s.history)</a>" as HTML : "")</p>
            """
        guard role >= .manager else { return links }
        let now = services.time.seconds()
        let shares = try await services.store.sharing.shares(placeId: place.id)
        let members = try await services.store.sharing.members(placeId: place.id, now: now)
        let offered = PlaceRole.allCases.filter { SharingService.mayShare($0, holding: role) }
        let roleOptions: [HTML] = offered.map { "<option value=\"\($0.rawValue)\"\(HTML.attribute("selected", $0 == .controller))>\(roles[$0] ?? "")</option>" }
        let rows: [HTML] = shares.map { share in
            let state = share.state(now: now)
            let mayAct = SharingService.mayShare(share.role, holding: role)
            let codeForm: HTML = state == "pending" && mayAct ? """
                <form method="post" action="/shares/\(share.id.uuidString)/confirm" class="inline share-confirm">\(layout.csrfField())
                  <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" size="7" aria-label="\(s.code)" placeholder="\(s.code)" required>
                  <button>\(s.confirm)</button></form>
                """ : ""
            let revokeForm: HTML = mayAct && state != "revoked" ? """
                <form method="post" action="/shares/\(share.id.uuidString)/revoke" class="inline share-revoke">\(layout.csrfField())<button class="danger small">\(s.revoke)</button></form>
                """ : ""
            return """
                <tr class="share-row" data-status="\(state)" data-phone="\(share.phone.national)"><td>\(share.phone.national)</td><td>\(roles[share.role] ?? "")</td>
                <td class="share-status">\(s.statusName(state))\(share.expiresAt.map { " (\(s.until) \(LocalTime.format($0)))" } ?? "")</td><td>\(codeForm) \(revokeForm)</td></tr>
                """
        }
        // The server refuses to let the last permanent owner go; the page does not offer it.
        let permanentOwners = members.filter { $0.role == .owner && $0.expiresAt == nil }
        let memberRows: [HTML] = members.map { m in
            let onlyOwner = m.role == .owner && m.expiresAt == nil && permanentOwners.count == 1
            let mayRemove = !onlyOwner && (m.accountId == account.id || SharingService.mayShare(m.role, holding: role))
            let button: HTML = mayRemove ? """
                <form method="post" action="/places/\(id)/members/\(m.accountId.uuidString)/remove" class="inline member-remove">\(layout.csrfField())<button class="secondary small">\(m.accountId == account.id ? s.leave : s.remove)</button></form>
                """ : ""
            let note: HTML = onlyOwner && m.accountId == account.id ? " <span class=\"muted small\" id=\"only-owner\">\(s.onlyOwner)</span>" : ""
            return "<li class=\"member\"><span>\(m.phone.national)\(m.accountId == account.id ? " (\(s.you))" : "")</span> · <span>\(roles[m.role] ?? "")</span>\(m.expiresAt.map { " · \(s.until) \(LocalTime.format($0))" } ?? "") \(button)\(note)</li>"
        }
        let open = shares.contains { $0.state(now: now) == "pending" }
        return """
        \(links)
        <section id="sharing"><h2>\(s.share)</h2>
          <details class="dialog" id="share-dialog"\(HTML.attribute("open", open))>
            <summary class="button" id="share-open">\(s.share)</summary>
            <p class="muted">\(s.shareIntro)</p>
            <form method="post" action="/places/\(id)/shares" id="share-form">\(layout.csrfField())
              <label>\(s.phones)<input name="phones" id="share-phones" required maxlength="400" placeholder="0912345678, 0987654321"></label>
              <label>\(s.role)<select name="role" id="share-role">\(roleOptions)</select></label>
              <label>\(s.expiry)<input type="date" name="expiresAt" id="share-expires"></label>
              <p class="muted small">\(s.roleHelp)</p>
              <button id="share-submit">\(s.share)</button>
            </form>
          </details>
          \(shares.isEmpty ? "<p class=\"muted\">\(s.noShares)</p>" as HTML : """
            <table class="shares" id="shares"><thead><tr><th>\(s.phone)</th><th>\(s.role)</th><th>\(s.status)</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            """)
          <h3>\(s.members)</h3><ul class="members" id="members">\(memberRows)</ul>
        </section>
        """
    }

    /// Errors a user can fix come back as a short page with the message and the way back.
    func problem(_ error: AppError, context: AppRequestContext, back: String) -> Response {
        let layout = Layout(title: SharingStrings(context.language).share, context: context, keys: services.keys)
        let fields: [HTML] = error.fields.map { "<li>\($0.message(context.language))</li>" }
        return layout.render("""
        <section class="card narrow"><p class="error" role="alert" id="share-error">\(error.message(context.language))</p>
        \(fields.isEmpty ? "" : "<ul>\(fields)</ul>" as HTML)
        <p><a href="\(back)">\(Strings(context.language).back)</a></p></section>
        """).response(status: error.status)
    }

    static func fixable(_ error: AppError) -> Bool {
        let fixable: [HTTPResponse.Status] = [.unprocessableContent, .conflict, .tooManyRequests, .badRequest]
        return fixable.contains(error.status) || error.code == "owner_only"
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let placeId = try context.uuidParameter("id")
        let back = "/places/\(placeId.uuidString)#sharing"
        do {
            _ = try await sharing.create(placeId: placeId, phones: form["phones"], role: form["role"], expiresAt: form["expiresAt"], by: account,
                                         audit: AuditSource(request, context))
            return .seeOther(back)
        } catch let error as AppError where Self.fixable(error) {
            return problem(error, context: context, back: back)
        }
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let shareId = try context.uuidParameter("id")
        let (share, isInvitee) = try await sharing.shareForActing(shareId, account: account)
        let back = isInvitee ? "/shares" : "/places/\(share.placeId.uuidString)#sharing"
        do {
            let (_, granted) = try await sharing.confirm(shareId: shareId, code: form["code"], by: account, audit: AuditSource(request, context))
            return .seeOther(isInvitee && granted != nil ? "/places/\(share.placeId.uuidString)" : back)
        } catch let error as AppError where Self.fixable(error) {
            // The invitee tries again on the same page rather than reaching a dead end.
            if isInvitee && error.code == "invalid_code" {
                return try await invitationsPage(account: account, context: context, error: SharingService.wrongInvitationCode)
            }
            return problem(error, context: context, back: back)
        }
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        let shareId = try context.uuidParameter("id")
        let (share, isInvitee) = try await sharing.shareForActing(shareId, account: account)
        let back = isInvitee ? "/shares" : "/places/\(share.placeId.uuidString)#sharing"
        do {
            try await sharing.revoke(shareId: shareId, by: account, audit: AuditSource(request, context))
            return .seeOther(back)
        } catch let error as AppError where Self.fixable(error) {
            return problem(error, context: context, back: back)
        }
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        let placeId = try context.uuidParameter("id")
        let target = try context.uuidParameter("accountId")
        do {
            try await sharing.removeMember(placeId: placeId, accountId: target, by: account, audit: AuditSource(request, context))
            return .seeOther(target == account.id ? "/places" : "/places/\(placeId.uuidString)#sharing")
        } catch let error as AppError where Self.fixable(error) {
            return problem(error, context: context, back: "/places/\(placeId.uuidString)#sharing")
        }
    }

    /// `GET /shares`: the invitations waiting for the signed-in phone and one field for the code: the
    /// code says which invitation it belongs to, so two SMS arriving together cannot be mixed up.
    @Sendable func invitations(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await invitationsPage(account: try account(context, request), context: context, error: nil)
    }

    func invitationsPage(account: Account, context: AppRequestContext, error: AppError?) async throws -> Response {
        let s = SharingStrings(context.language)
        let roles = Strings(context.language).roleNames
        let layout = Layout(title: s.invitations, context: context, keys: services.keys)
        let now = services.time.seconds()
        var items: [HTML] = []
        for share in try await services.store.sharing.pending(phone: account.phone, now: now) {
            let name = try await services.store.places.place(id: share.placeId)?.name ?? ""
            let inviter = try await services.store.accounts.account(id: share.createdBy)?.phone.national ?? ""
            items.append("""
                <li class="invitation" data-share="\(share.id.uuidString)"><strong>\(name)</strong> · \(roles[share.role] ?? "")
                <span class="muted">· \(s.invitedBy) \(inviter) · \(s.codeUntil) \(LocalTime.format(share.codeExpiresAt))</span></li>
                """)
        }
        let errorHTML: HTML = error.map { "<p class=\"error\" role=\"alert\" id=\"invitation-error\">\($0.message(context.language))</p>" } ?? ""
        let form: HTML = items.isEmpty ? "" : """
            <form method="post" action="/shares/confirm" class="card narrow" id="invitation-form">\(layout.csrfField())
              <label for="invitation-code">\(s.enterCode)</label>
              <input id="invitation-code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required\(HTML.attribute("autofocus", error != nil))>
              <button type="submit" id="invitation-accept">\(s.accept)</button>
            </form>
            """
        return layout.render("""
        <h1>\(s.invitations)</h1><p class="muted">\(s.invitationHelp)</p>
        \(errorHTML)
        \(items.isEmpty ? "<p id=\"no-invitations\">\(s.noInvitations)</p>" as HTML : "<ul class=\"invitations\" id=\"invitations\">\(items)</ul>")
        \(form)
        """).response(status: error?.status ?? .ok)
    }

    /// `POST /shares/confirm`: the invitee's code, matched to the invitation it was sent for.
    @Sendable func confirmByCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        do {
            let share = try await sharing.confirmByCode(form["code"], account: account, audit: AuditSource(request, context))
            return .seeOther("/places/\(share.placeId.uuidString)")
        } catch let error as AppError where Self.fixable(error) {
            return try await invitationsPage(account: account, context: context, error: error)
        }
    }
}
