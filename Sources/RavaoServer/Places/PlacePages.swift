import Foundation
import Hummingbird
import QRCode
import RavaoCore
import RavaoStore

/// The venue owner's pages: "My places", register, detail, edit, delete, code rotation, requests.
struct PlacePages {
    let services: AppServices
    var placeService: PlaceService { PlaceService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/", use: home)
        router.get("places", use: list)
        router.get("places/new", use: newForm)
        router.post("places", use: create)
        router.get("places/add", use: addByCodeForm)
        router.post("places/add", use: addByCode)
        router.get("places/:id", use: detail)
        router.get("places/:id/edit", use: editForm)
        router.post("places/:id", use: update)
        router.post("places/:id/delete", use: delete)
        router.post("places/:id/code", use: rotate)
        router.post("place-requests/:id", use: decide)
        router.post("places/:id/devices", use: createDevice)
        router.post("places/:id/devices/:deviceId/revoke", use: revokeDevice)
    }

    func layout(_ context: AppRequestContext, _ title: String) -> Layout { Layout(title: title, context: context, keys: services.keys) }

    /// Web pages send strangers to sign-in, then back to where they were going.
    func account(_ context: AppRequestContext, _ request: Request) throws -> Account {
        guard let identity = context.identity else {
            throw RedirectToSignIn(next: request.uri.path)
        }
        return identity.account
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let identity = context.identity {
            return .seeOther(try await SignInPages.destination(nil, account: identity.account, services: services))
        }
        let s = Strings(context.language)
        return layout(context, s.tagline).render("""
        <section class="hero">
          <h1>Ravao</h1>
          <p class="lead">\(s.tagline)</p>
          <p>\(s.signInIntro)</p>
          <p><a class="button" href="/signin">\(s.signIn)</a></p>
        </section>
        """).response()
    }

    // MARK: List

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let s = Strings(context.language)
        let q = request.query
        let page = max(Int(q.get("page") ?? "") ?? 1, 1)
        let filter = PlaceStore.Filter(query: q.get("q"), type: q.get("type").nonEmpty, provinceCode: q.get("province").nonEmpty,
                                       districtCode: q.get("district").nonEmpty, wardCode: q.get("ward").nonEmpty, limit: 50, offset: (page - 1) * 50, now: services.time.seconds())
        let (items, total) = try await services.store.places.places(of: account.id, filter: filter)
        let scheme = try await services.store.units.activeScheme()
        let provinces = try await services.store.units.children(of: nil, scheme: scheme)
        var rows: [HTML] = []
        for item in items {
            let names = try await placeService.unitNames(item.place)
            rows.append("""
            <li class="place-row"><a href="/places/\(item.place.id.uuidString)">
              <strong class="place-name">\(item.place.name)</strong>
              <span class="muted">\(item.place.placeType.name(in: context.language)) · \(s.roleNames[item.role] ?? "")</span>
              <span>\(item.place.address)\(item.place.address.isEmpty ? "" : ", ")\(names.ward)\(names.district.map { ", " + $0 } ?? ""), \(names.province)</span>
            </a></li>
            """)
        }
        let typeOptions: [HTML] = PlaceType.catalogue.map {
            "<option value=\"\($0.code)\"\(HTML.attribute("selected", filter.type == $0.code))>\($0.name(in: context.language))</option>"
        }
        let provinceOptions: [HTML] = provinces.map {
            "<option value=\"\($0.code)\"\(HTML.attribute("selected", filter.provinceCode == $0.code))>\($0.name)</option>"
        }
        var nextQuery = URLComponents()
        nextQuery.queryItems = [("q", q.get("q")), ("type", filter.type), ("province", filter.provinceCode), ("page", String(page + 1))]
            .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
        let more: HTML? = total > page * 50 ? "<p><a rel=\"next\" href=\"/places\(nextQuery.string ?? "")\">→</a></p>" : nil
        return layout(context, s.myPlaces).render("""
        <div class="page-head"><h1>\(s.myPlaces)</h1>
          <div class="actions"><a class="button" id="new-place" href="/places/new">\(s.newPlace)</a> <a class="button secondary" href="/places/add">\(s.addByCode)</a></div>
        </div>
        <form method="get" action="/places" class="search">
          <label>\(s.search) <input type="search" name="q" value="\(q.get("q") ?? "")" placeholder="\(s.searchHint)"></label>
          <label>\(s.type) <select name="type"><option value="">\(s.all)</option>\(typeOptions)</select></label>
          <label>\(s.province) <select name="province"><option value="">\(s.all)</option>\(provinceOptions)</select></label>
          <button type="submit">\(s.search)</button>
        </form>
        <p class="muted" id="result-count">\(total) \(s.results)</p>
        \(items.isEmpty ? "<p>\(s.noPlaces)</p>" as HTML : "<ul class=\"places\">\(rows)</ul>")
        \(more)
        """).response()
    }

    // MARK: Register and edit

    @Sendable func newForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        var draft = PlaceService.Draft()
        draft.type = request.query.get("type")
        draft.parentId = .some(request.query.get("parent").flatMap(UUID.init(uuidString:)))
        draft.registrantName = account.displayName
        return try await renderForm(context, account: account, place: nil, draft: draft, errors: [])
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let draft = Self.draft(from: form)
        do {
            let place = try await placeService.register(draft, by: account)
            return .seeOther("/places/\(place.id.uuidString)")
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .conflict {
            return try await renderForm(context, account: account, place: nil, draft: draft, errors: error.fields, status: error.status)
        }
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (place, _) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: account, needs: { $0.canEdit })
        var draft = PlaceService.Draft()
        draft.name = place.name; draft.type = place.type; draft.wardCode = place.wardCode; draft.address = place.address
        draft.parentId = .some(place.parentId); draft.plate = .some(place.plate); draft.defaultStayMinutes = place.defaultStayMinutes
        draft.registrantName = place.registrantName
        return try await renderForm(context, account: account, place: place, draft: draft, errors: [])
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let (place, _) = try await placeService.placeWithRole(id, account: account, needs: { $0.canEdit })
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let draft = Self.draft(from: form)
        do {
            _ = try await placeService.update(id, with: draft, by: account)
            return .seeOther("/places/\(id.uuidString)")
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .conflict {
            return try await renderForm(context, account: account, place: place, draft: draft, errors: error.fields, status: error.status)
        }
    }

    static func draft(from form: WebForm) -> PlaceService.Draft {
        var draft = PlaceService.Draft()
        draft.name = form["name"] ?? ""
        draft.type = form["type"]
        draft.wardCode = form["wardCode"]
        draft.address = form["address"] ?? ""
        draft.parentId = .some(form["parentId"].flatMap(UUID.init(uuidString:)))
        draft.plate = .some(form["plate"])
        draft.defaultStayMinutes = form["defaultStayMinutes"].map { Int($0) ?? -1 }
        draft.registrantName = form["registrantName"] ?? ""
        return draft
    }

    func renderForm(_ context: AppRequestContext, account: Account, place: Place?, draft: PlaceService.Draft,
                    errors: [FieldError], status: HTTPResponse.Status = .ok) async throws -> Response {
        let s = Strings(context.language)
        let page = layout(context, place == nil ? s.newPlace : s.edit)
        func error(_ field: String) -> HTML? {
            errors.first { $0.field == field }.map { "<span class=\"field-error\" role=\"alert\">\($0.message(context.language))</span>" }
        }
        let picker = try await UnitPicker(services: services).render(selected: draft.wardCode, language: context.language, required: true, error: error("wardCode"))
        let typeOptions: [HTML] = PlaceType.catalogue.map {
            "<option value=\"\($0.code)\" data-stay=\"\($0.defaultStayMinutes)\"\(HTML.attribute("selected", draft.type == $0.code))>\($0.name(in: context.language))\($0.privileged ? " ★" : "")</option>"
        }
        let (mine, _) = try await services.store.places.places(of: account.id, filter: .init(limit: 200, now: services.time.seconds()))
        let parentOptions: [HTML] = mine.filter { $0.role.canEdit && $0.place.id != place?.id }.map {
            "<option value=\"\($0.place.id.uuidString)\"\(HTML.attribute("selected", (draft.parentId ?? nil) == $0.place.id))>\($0.place.name)</option>"
        }
        let action = place.map { "/places/\($0.id.uuidString)" } ?? "/places"
        let summary: HTML? = errors.isEmpty ? nil : "<p class=\"error\" role=\"alert\">\(errors.map { $0.message(context.language) }.joined(separator: "; "))</p>"
        return page.render("""
        <h1>\(place == nil ? s.newPlace : s.edit)</h1>
        \(summary)
        <form method="post" action="\(action)" class="place-form" id="place-form">
          \(page.csrfField())
          <label>\(s.type)<select name="type" id="type" required><option value="">\(s.choose)</option>\(typeOptions)</select>\(error("type"))</label>
          <label>\(s.name)<input name="name" id="name" maxlength="200" value="\(draft.name ?? "")">\(error("name"))</label>
          <label class="vehicle-only">\(s.plate)<input name="plate" id="plate" maxlength="16" placeholder="98C-123.45" value="\((draft.plate ?? nil) ?? "")">\(error("plate"))</label>
          \(picker)
          <label>\(s.address)<input name="address" id="address" maxlength="300" value="\(draft.address ?? "")">\(error("address"))</label>
          <label>\(s.parent)<select name="parentId" id="parentId"><option value="">\(s.noParent)</option>\(parentOptions)</select>\(error("parentId"))</label>
          <label>\(s.defaultStay)<input name="defaultStayMinutes" id="defaultStayMinutes" type="number" min="1" max="1440" value="\(draft.defaultStayMinutes.map(String.init) ?? "")">\(error("defaultStayMinutes"))</label>
          <label>\(s.registrantName)<input name="registrantName" id="registrantName" maxlength="120" required value="\(draft.registrantName ?? "")">\(error("registrantName"))</label>
          <p class="muted">\(s.registrantPhone): \(place?.registrantPhone.national ?? account.phone.national)</p>
          <button type="submit" id="save-place">\(place == nil ? s.register : s.save)</button>
        </form>
        """).response(status: status)
    }

    // MARK: Detail

    @Sendable func detail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (place, role) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: account)
        let s = Strings(context.language)
        let page = layout(context, place.name)
        let names = try await placeService.unitNames(place)
        let url = services.checkinURL(code: place.code)
        let qr = try PosterQR.code(for: url)
        let children = try await services.store.places.children(of: place.id)
        let parent = try await place.parentId.asyncMap { try await services.store.places.place(id: $0) } ?? nil
        let childList: [HTML] = children.map { "<li><a href=\"/places/\($0.id.uuidString)\">\($0.name)</a></li>" }
        var requestsHTML: HTML? = nil
        if role.canManageAccess {
            let pending = try await services.store.places.pendingRequests(placeId: place.id)
            if !pending.isEmpty {
                let roleOptions: [HTML] = PlaceRole.allCases.reversed().map { "<option value=\"\($0.rawValue)\"\(HTML.attribute("selected", $0 == .manager))>\(s.roleNames[$0] ?? "")</option>" }
                let items: [HTML] = pending.map { r in """
                    <li><span>\(PhoneNumber(r.phone)?.national ?? r.phone)</span>
                    <form method="post" action="/place-requests/\(r.id.uuidString)" class="inline">\(page.csrfField())
                      <label class="inline-label">\(s.role) <select name="role">\(roleOptions)</select></label>
                      <button name="decision" value="accept">\(s.accept)</button> <button name="decision" value="decline" class="secondary">\(s.decline)</button>
                    </form></li>
                    """ }
                requestsHTML = "<section><h2>\(s.requests)</h2><ul class=\"requests\">\(items)</ul></section>"
            }
        }
        let editLink: HTML? = role.canEdit ? "<a class=\"button secondary\" href=\"/places/\(place.id.uuidString)/edit\">\(s.edit)</a>" : nil
        let addInside: HTML? = role.canEdit ? "<a class=\"button secondary\" href=\"/places/new?parent=\(place.id.uuidString)\">+ \(s.insidePlaces)</a>" : nil
        let ownerActions: HTML? = role == .owner ? """
            <form method="post" action="/places/\(place.id.uuidString)/code" class="inline" data-confirm="\(s.rotateConfirm)">\(page.csrfField())<button class="secondary">\(s.rotate)</button></form>
            <form method="post" action="/places/\(place.id.uuidString)/delete" class="inline" data-confirm="\(s.deleteConfirm)">\(page.csrfField())<button class="danger">\(s.delete)</button></form>
            """ : nil
        let id = place.id.uuidString
        var liveHTML: HTML? = nil
        var devicesHTML: HTML? = nil
        if role >= .manager {
            liveHTML = """
            <section class="live" id="live" data-live-url="/places/\(id)/live/events" data-in="\(s.directionIn)" data-out="\(s.directionOut)"
                     data-empty="\(s.liveEmpty)" data-disconnected="\(s.liveDisconnected)">
              <h2>\(s.live) <small class="muted" id="live-state">\(s.liveConnecting)</small></h2>
              <div class="counts">
                <div><b id="live-entries">–</b><span>\(s.liveEntries)</span></div>
                <div><b id="live-exits">–</b><span>\(s.liveExits)</span></div>
                <div><b id="live-people">–</b><span>\(s.livePeople)</span></div>
                <div><b id="live-present">–</b><span>\(s.livePresent)</span></div>
              </div>
              <ol class="live-recent" id="live-recent"></ol>
            </section>
            """
            let devices = try await services.store.devices.devices(placeId: place.id)
            let rows: [HTML] = devices.map { d in
                let state: HTML = d.revokedAt != nil ? "<span class=\"muted\">\(s.revoked)</span>" : """
                    <form method="post" action="/places/\(id)/devices/\(d.id.uuidString)/revoke" class="inline" data-confirm="\(s.revokeConfirm)">\(page.csrfField())<button class="danger small">\(s.revoke)</button></form>
                    """
                return "<li><span>\(d.name)</span> <span class=\"muted\">\(s.lastSeen): \(d.lastSeenAt.map { LocalTime.format($0) } ?? s.never)</span> \(state)</li>"
            }
            devicesHTML = """
            <section id="devices"><h2>\(s.devices)</h2><p class="muted">\(s.devicesHelp)</p>
              \(rows.isEmpty ? "" : "<ul class=\"devices\">\(rows)</ul>" as HTML)
              <form method="post" action="/places/\(id)/devices" class="inline">\(page.csrfField())
                <label>\(s.deviceName) <input name="name" id="device-name" required maxlength="80"></label> <button>\(s.createDevice)</button>
              </form>
            </section>
            """
        }
        let sharingHTML = try await SharingPages(services: services).panel(place: place, role: role, account: account, context: context, layout: page)
        return page.render("""
        <div class="page-head"><h1 id="place-name">\(place.name)</h1><div class="actions"><a class="button" id="station-link" href="/places/\(id)/station">\(s.openStation)</a> \(editLink) \(ownerActions)</div></div>
        <div class="detail">
          <dl>
            <dt>\(s.type)</dt><dd>\(place.placeType.name(in: context.language))\(place.isPrivileged ? " — \(s.privileged)" : "")</dd>
            \(place.plate.map { "<dt>\(s.plate)</dt><dd>\($0)</dd>" as HTML })
            <dt>\(s.address)</dt><dd>\(place.address)\(place.address.isEmpty ? "" : ", ")\(names.ward)\(names.district.map { ", " + $0 } ?? ""), \(names.province)</dd>
            \(parent.map { "<dt>\(s.parent)</dt><dd><a href=\"/places/\($0.id.uuidString)\">\($0.name)</a></dd>" as HTML })
            <dt>\(s.defaultStay)</dt><dd>\(place.defaultStayMinutes)</dd>
            <dt>\(s.registrantName)</dt><dd>\(place.registrantName) · \(place.registrantPhone.national)</dd>
            <dt>\(s.role)</dt><dd>\(s.roleNames[role] ?? "")</dd>
            <dt>\(s.checkinURL)</dt><dd><a id="checkin-url" href="\(url)">\(url)</a></dd>
          </dl>
          <figure class="qr-preview">\(HTML(unsafeRaw: qr.svg(standalone: false)))</figure>
        </div>
        \(role >= .manager ? """
        <p class="actions">
          <a class="button" id="poster-link" href="/places/\(place.id.uuidString)/poster">\(s.poster)</a>
          <a class="button secondary" href="/places/\(place.id.uuidString)/sheet">\(s.sheet)</a>
          <a class="button secondary" href="/api/v1/places/\(place.id.uuidString)/qr.svg" download>\(s.downloadSVG)</a>
          <a class="button secondary" href="/api/v1/places/\(place.id.uuidString)/qr.png" download>\(s.downloadPNG)</a>
        </p>
        """ as HTML : "")
        \(sharingHTML)
        \(liveHTML)
        <section><h2>\(s.insidePlaces)</h2>\(children.isEmpty ? "" : "<ul>\(childList)</ul>" as HTML) \(addInside)</section>
        \(requestsHTML)
        \(devicesHTML)
        """).response()
    }

    // MARK: Kiosk devices

    /// Shows the new key once, on this page only; it is stored only as a hash.
    @Sendable func createDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let placeId = try context.uuidParameter("id")
        let (device, key) = try await DeviceService(services: services).create(placeId: placeId, name: form["name"], by: account)
        let s = Strings(context.language)
        let link = "\(services.baseURL)/kiosk#key=\(key)"
        return layout(context, s.deviceCreated).render("""
        <section class="card narrow"><h1>\(s.deviceCreated): \(device.name)</h1>
          <p class="warning">\(s.deviceKeyOnce)</p>
          <p><code id="device-key">\(key)</code></p>
          <p><a class="button" id="kiosk-link" href="\(link)">\(s.openKiosk)</a></p>
          <p><a href="/places/\(placeId.uuidString)#devices">\(s.backToPlace)</a></p>
        </section>
        """).response(status: .created)
    }

    @Sendable func revokeDevice(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        let placeId = try context.uuidParameter("id")
        try await DeviceService(services: services).revoke(placeId: placeId, deviceId: try context.uuidParameter("deviceId"), by: account)
        return .seeOther("/places/\(placeId.uuidString)#devices")
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        try await placeService.delete(try context.uuidParameter("id"), by: account)
        return .seeOther("/places")
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        let place = try await placeService.rotateCode(try context.uuidParameter("id"), by: account)
        return .seeOther("/places/\(place.id.uuidString)")
    }

    // MARK: Access by code

    @Sendable func addByCodeForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try account(context, request)
        return renderAddForm(context, message: nil, error: nil)
    }

    func renderAddForm(_ context: AppRequestContext, message: String?, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        let s = Strings(context.language)
        let page = layout(context, s.addByCode)
        return page.render("""
        <section class="card narrow"><h1>\(s.addByCode)</h1>
        \(message.map { "<p class=\"notice\" role=\"status\">\($0)</p>" as HTML })
        \(error.map { "<p class=\"error\" role=\"alert\">\($0)</p>" as HTML })
        <form method="post" action="/places/add">\(page.csrfField())
          <label>\(s.placeCode)<input name="code" id="code" required maxlength="200"></label>
          <button type="submit">\(s.confirm)</button>
        </form></section>
        """).response(status: status)
    }

    @Sendable func addByCode(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        do {
            _ = try await placeService.requestAccess(code: form["code"] ?? "", by: account)
            return renderAddForm(context, message: Strings(context.language).requestSent, error: nil)
        } catch let error as AppError where error.status == .notFound || error.status == .conflict {
            return renderAddForm(context, message: nil, error: error.message(context.language), status: error.status)
        }
    }

    @Sendable func decide(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let requestId = try context.uuidParameter("id")
        guard let pending = try await services.store.places.accessRequest(id: requestId) else { throw AppError.notFound }
        let role = try PlacesAPI.role(form["role"] ?? "manager")
        try await placeService.decide(requestId: requestId, accept: form["decision"] == "accept", role: role, by: account)
        return .seeOther("/places/\(pending.placeId.uuidString)")
    }
}

/// Thrown by web handlers when nobody is signed in; the middleware turns it into a redirect.
struct RedirectToSignIn: Error { let next: String }

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
