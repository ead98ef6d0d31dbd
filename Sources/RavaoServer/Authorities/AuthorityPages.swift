import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// The officers' pages (A1–A6): dashboard with drill-down and chart, tracing (search, timeline,
/// contacts, export, mark and notify), risk list, place alert, zones, officers.
struct AuthorityPages {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }
    var authority: AuthorityService { AuthorityService(services: services) }
    var api: AuthoritiesAPI { AuthoritiesAPI(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("authorities", use: dashboard)
        router.get("authorities/stats.csv", use: statsCSV)
        router.get("authorities/tracing", use: tracing)
        router.get("authorities/tracing.csv", use: tracingCSV)
        router.post("authorities/tracing/mark", use: markContacts)
        router.post("authorities/tracing/case", use: markCase)
        router.get("authorities/risk", use: risk)
        router.get("authorities/risk.csv", use: riskCSV)
        router.get("authorities/alert", use: alertForm)
        router.post("authorities/alert", use: alert)
        router.get("authorities/zones", use: zones)
        router.post("authorities/zones", use: declareZone)
        router.post("authorities/zones/:id/lift", use: liftZone)
        router.get("authorities/officers", use: officers)
        router.post("authorities/officers", use: createOfficer)
    }

    func officer(_ context: AppRequestContext, _ request: Request, needs function: OfficerFunction? = nil) async throws -> OfficerAccess.Officer {
        guard context.identity != nil else { throw RedirectToSignIn(next: request.uri.path) }
        return try await access.officer(context, needs: function)
    }

    func page(_ context: AppRequestContext, _ officer: OfficerAccess.Officer, _ title: String, _ content: HTML) -> Response {
        let s = AuthorityStrings(context.language)
        let links: [(String, String, OfficerFunction?)] = [("/authorities", s.dashboard, .statistics), ("/authorities/tracing", s.tracing, .health),
                                                           ("/authorities/risk", s.risk, nil), ("/authorities/alert", s.alert, .health),
                                                           ("/authorities/zones", s.zones, nil), ("/authorities/privilege", s.privilege, .health),
                                                           ("/authorities/officers", s.officers, nil)]
        let nav: [HTML] = links.filter { $0.2.map(officer.can) ?? true }.map { "<a href=\"\($0.0)\">\($0.1)</a> " }
        return Layout(title: title, context: context, keys: services.keys).render("""
        <nav class="authority-nav no-print">\(nav)<span class="muted">\(s.jurisdiction): \(officer.record.unitCode)</span></nav>
        \(content)
        """).response()
    }

    func csv(_ text: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `datetime-local` inputs carry no offset: they are Vietnam's time.
    static func localInput(_ text: String?) -> Int64? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let parsed = LocalISO.parse(text) { return parsed }
        let withSeconds = text.count == 16 ? text + ":00" : text
        return LocalISO.parse(withSeconds + "+07:00")
    }

    /// Pickers open on the officer's own unit: a ward officer's choice is already made.
    static func pickerDefault(_ officer: OfficerAccess.Officer) -> String? {
        officer.jurisdiction.scope == .country ? nil : officer.jurisdiction.code
    }

    static func inputValue(_ seconds: Int64) -> String { String(LocalISO.string(seconds).prefix(16)) }

    // MARK: Dashboard (A2)

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .statistics)
        let s = AuthorityStrings(context.language)
        let q = request.query
        let stats: AuthoritiesAPI.StatsBody
        do {
            stats = try await Dashboard(services: services).stats(unit: q.get("unit"), from: q.get("from"), to: q.get("to"), type: q.get("type"), officer: officer)
        } catch let error as AppError where error.status == .unprocessableContent {
            return page(context, officer, s.dashboard, "<h1>\(s.dashboard)</h1><p class=\"error\" role=\"alert\">\(error.message(context.language))</p><p><a href=\"/authorities\">\(s.dashboard)</a></p>")
        }
        func link(_ unit: String) -> String {
            var c = URLComponents()
            c.queryItems = [URLQueryItem(name: "unit", value: unit), URLQueryItem(name: "from", value: stats.from), URLQueryItem(name: "to", value: stats.to)]
                + (stats.type.map { [URLQueryItem(name: "type", value: $0)] } ?? [])
            return "/authorities" + (c.string ?? "")
        }
        let rows: [HTML] = stats.children.map {
            "<tr><td><a href=\"\(link($0.unit))\">\($0.name)</a></td><td>\($0.places)</td><td>\($0.activePlaces)</td><td>\($0.scans)</td><td>\($0.people)</td></tr>"
        }
        let types: [HTML] = PlaceType.catalogue.map { "<option value=\"\($0.code)\"\(HTML.attribute("selected", stats.type == $0.code))>\($0.name(in: context.language))</option>" }
        let export = link(stats.unit).replacingOccurrences(of: "/authorities?", with: "/authorities/stats.csv?")
        var childTable: HTML = stats.children.isEmpty ? "" : """
            <h2>\(s.subUnits)</h2>
            <table class="data" id="children" data-hide-empty><thead><tr><th>\(s.unit)</th><th>\(s.places)</th><th>\(s.activePlaces)</th><th>\(s.scans)</th><th>\(s.people)</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        // Issue 18: where the drill-down stops (a ward), the ward's places, busiest first.
        let scheme = try await services.store.units.activeScheme()
        let here = try await OfficerAccess(services: services).unit(stats.unit, for: officer)
        if stats.children.isEmpty, here.scope == .ward, let fromDay = HealthRules.days(stats.from), let toDay = HealthRules.days(stats.to) {
            let limit = 200
            let places = try await services.store.dashboard.placeRows(here, scheme: scheme, fromDay: fromDay, toDay: toDay, type: stats.type, limit: limit)
            let placeRows: [HTML] = places.map {
                "<tr><td>\($0.name)</td><td>\(PlaceType.named($0.type)?.name(in: context.language) ?? $0.type)</td><td>\($0.address)</td><td>\($0.scans)</td><td>\($0.people)</td></tr>"
            }
            childTable = places.isEmpty ? "" : """
                <h2>\(s.placesOfUnit)</h2>
                \(places.count == limit ? "<p class=\"muted\">\(s.shownFirst(limit))</p>" as HTML : "")
                <table class="data" id="unit-places" data-hide-empty><thead><tr><th>\(s.placeName)</th><th>\(s.placeType)</th><th>\(s.placeAddress)</th><th>\(s.scansColumn)</th><th>\(s.peopleColumn)</th></tr></thead>
                <tbody>\(placeRows)</tbody></table>
                """
        }
        // Breadcrumbs from the officer's own unit down to the one shown, each a link back up.
        var crumbs: [(code: String, name: String)] = []
        if stats.unit != officer.jurisdiction.code {
            let path = try await services.store.units.path(stats.unit, scheme: scheme).reversed()
            if officer.jurisdiction.scope == .country { crumbs.append((Jurisdiction.countryCode, "Việt Nam")) }
            var inside = officer.jurisdiction.scope == .country
            for unit in path {
                if unit.code == officer.jurisdiction.code { inside = true }
                if inside { crumbs.append((unit.code, unit.name)) }
            }
        }
        let breadcrumbs: HTML = crumbs.count < 2 ? "" : """
            <nav class="breadcrumbs" aria-label="\(s.breadcrumb)" id="breadcrumbs"><ol>\(crumbs.enumerated().map { i, crumb -> HTML in
                i == crumbs.count - 1 ? "<li aria-current=\"page\">\(crumb.name)</li>" as HTML : "<li><a href=\"\(link(crumb.code))\">\(crumb.name)</a></li>" as HTML
            })</ol></nav>
            """
        return page(context, officer, s.dashboard, """
        \(breadcrumbs)
        <h1>\(s.dashboard): \(stats.name)</h1>
        <form method="get" action="/authorities" class="search">
          <input type="hidden" name="unit" value="\(stats.unit)">
          <label>\(s.from) <input type="date" name="from" value="\(stats.from)"></label>
          <label>\(s.to) <input type="date" name="to" value="\(stats.to)"></label>
          <label>\(s.placeType) <select name="type"><option value="">\(s.allTypes)</option>\(types)</select></label>
          <button type="submit">\(s.show)</button>
        </form>
        <div class="stat-tiles" id="totals">
          <div><b id="total-places">\(stats.places)</b> \(s.places)</div><div><b id="total-active">\(stats.activePlaces)</b> \(s.activePlaces)</div>
          <div><b id="total-scans">\(stats.scans)</b> \(s.scans)</div><div><b id="total-people">\(stats.people)</b> \(s.people)</div>
        </div>
        <h2>\(s.perDay)</h2>
        \(Self.chart(stats.days, s: s))
        \(childTable)
        <p><a class="button secondary" href="\(export)" download>\(s.exportCSV)</a></p>
        """)
    }

    /// A bar chart of scans per day with the active places as a line, drawn on the server (no scripts).
    /// The two differ by orders of magnitude, so the line has its own scale, drawn on the right in the
    /// line's colour (it used to be hidden, so the line's height meant nothing to the reader).
    static func chart(_ days: [AuthoritiesAPI.DayBody], s: AuthorityStrings) -> HTML {
        let width = 720, height = 220, left = 48, bottom = 28, top = 12, right = 40
        let maxScans = max(days.map(\.scans).max() ?? 0, 1)
        let maxActive = max(days.map(\.activePlaces).max() ?? 0, 1)
        let slot = Double(width - left - right) / Double(max(days.count, 1))
        let plot = Double(height - bottom - top)
        var bars = ""
        var points: [String] = []
        for (i, day) in days.enumerated() {
            let h = plot * Double(day.scans) / Double(maxScans)
            let x = Double(left) + slot * Double(i)
            bars += "<rect class=\"bar\" x=\"\(Int(x + slot * 0.15))\" y=\"\(Int(Double(height - bottom) - h))\" width=\"\(max(Int(slot * 0.7), 1))\" height=\"\(Int(h))\" fill=\"#2b6cb0\"><title>\(HTMLEscaping.escape(DisplayDate.day(day.date))): \(day.scans) \(HTMLEscaping.escape(s.scans)), \(day.activePlaces) \(HTMLEscaping.escape(s.activePlaces))</title></rect>"
            let y = Double(height - bottom) - plot * Double(day.activePlaces) / Double(maxActive)
            points.append("\(Int(x + slot / 2)),\(Int(y))")
            if days.count <= 16 || i % max(days.count / 8, 1) == 0 {
                bars += "<text x=\"\(Int(x + slot / 2))\" y=\"\(height - 10)\" font-size=\"12\" text-anchor=\"middle\">\(HTMLEscaping.escape(DisplayDate.dayMonth(day.date)))</text>"
            }
        }
        return HTML(unsafeRaw: """
        <div class="chart-frame" tabindex="0" role="group" aria-label="\(HTMLEscaping.escape(s.perDay))">
        <svg class="chart" id="daily-chart" viewBox="0 0 \(width) \(height)" width="100%" role="img" aria-label="\(HTMLEscaping.escape(s.perDay))">
        <line x1="\(left)" y1="\(height - bottom)" x2="\(width - right)" y2="\(height - bottom)" stroke="#888"/>
        <text x="4" y="\(top + 8)" font-size="12" fill="#2b6cb0">\(maxScans)</text><text x="4" y="\(height - bottom)" font-size="12">0</text>
        <line class="right-axis" x1="\(width - right)" y1="\(top)" x2="\(width - right)" y2="\(height - bottom)" stroke="#c05621"/>
        <text class="right-scale" x="\(width - right + 4)" y="\(top + 8)" font-size="12" fill="#9c4221">\(maxActive)</text><text x="\(width - right + 4)" y="\(height - bottom)" font-size="12" fill="#9c4221">0</text>
        \(bars)
        <polyline points="\(points.joined(separator: " "))" fill="none" stroke="#c05621" stroke-width="2"/>
        </svg>
        </div>
        <p class="muted"><span class="legend-bar">■</span> \(HTMLEscaping.escape(s.scans)) (\(HTMLEscaping.escape(s.leftScale))) · <span class="legend-line">—</span> \(HTMLEscaping.escape(s.activePlaces)) (\(HTMLEscaping.escape(s.rightScale)))</p>
        """)
    }

    @Sendable func statsCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .statistics)
        let q = request.query
        let stats = try await Dashboard(services: services).stats(unit: q.get("unit"), from: q.get("from"), to: q.get("to"), type: q.get("type"), officer: officer)
        // Headings in the reader's language and dates as dd/mm/yyyy (issue 18); the unit codes stay for joins.
        let s = AuthorityStrings(context.language)
        var rows = [[s.csvUnitCode, s.unit, s.csvPlaces, s.csvActivePlaces, s.scansColumn, s.peopleColumn],
                    [stats.unit, stats.name, "\(stats.places)", "\(stats.activePlaces)", "\(stats.scans)", "\(stats.people)"]]
        rows += stats.children.map { [$0.unit, $0.name, "\($0.places)", "\($0.activePlaces)", "\($0.scans)", "\($0.people)"] }
        rows.append([])
        rows.append([s.csvDate, s.csvActivePlaces, s.scansColumn, s.peopleColumn])
        rows += stats.days.map { [DisplayDate.day($0.date), "\($0.activePlaces)", "\($0.scans)", "\($0.people)"] }
        return csv(CSVExport.document(rows), name: "ravao-stats-\(stats.unit)-\(stats.from)-\(stats.to).csv")
    }

    // MARK: Tracing (A4)

    struct TraceForm {
        var phone: String?
        var cccd: String?
        var payload: String?
        var personId: String?
        var from: Int64?
        var to: Int64?
        var buffer: Int?
        var depth: Int?

        init(_ q: WebForm, now: Int64) {
            phone = q.get("phone"); cccd = q.get("cccd"); payload = q.get("payload"); personId = q.get("personId")
            // Without a window: the last 14 days, as a case interview usually asks.
            from = q.get("from") == nil ? LocalTime.startOfDay(containing: now) - 13 * 86_400 : AuthorityPages.localInput(q.get("from"))
            to = q.get("to") == nil ? now : AuthorityPages.localInput(q.get("to"))
            buffer = q.get("buffer").flatMap { Int($0) }; depth = q.get("depth").flatMap { Int($0) }
        }

        var isEmpty: Bool { phone == nil && cccd == nil && payload == nil && personId == nil }

        var key: AuthorityService.PersonKey? {
            if let personId, let id = UUID(uuidString: personId) { return .personId(id) }
            if let phone { return .phone(phone) }
            if let cccd { return .cccd(cccd) }
            if let payload { return .payload(payload) }
            return nil
        }

        var query: String {
            var c = URLComponents()
            c.queryItems = [("phone", phone), ("cccd", cccd), ("payload", payload), ("personId", personId),
                            ("from", from.map(AuthorityPages.inputValue)), ("to", to.map(AuthorityPages.inputValue)),
                            ("buffer", buffer.map(String.init)), ("depth", depth.map(String.init))]
                .compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
            // A literal '+' would read back as a space; phones in E.164 start with one.
            return (c.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        }
    }

    func runTrace(_ form: TraceForm, officer: OfficerAccess.Officer) async throws -> AuthoritiesAPI.TraceAnswer {
        guard let key = form.key else { throw AuthoritiesAPI.personRequired }
        let (from, to, buffer, depth) = try AuthorityService.validate(from: form.from, to: form.to, bufferMinutes: form.buffer, depth: form.depth)
        let person = try await authority.findPerson(key)
        return try await api.runTrace(.init(person: person, from: from, to: to, bufferMinutes: buffer, depth: depth), officer: officer)
    }

    @Sendable func tracing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .health)
        let s = AuthorityStrings(context.language)
        let now = services.time.seconds()
        let form = TraceForm(request.query, now: now)
        var result: HTML = ""
        if !form.isEmpty {
            do {
                let answer = try await runTrace(form, officer: officer)
                result = tracingResult(answer, view: try await caseView(answer), form: form, context: context, s: s)
            } catch let error as AppError where [.unprocessableContent, .notFound].contains(error.status) {
                result = "<p class=\"error\" role=\"alert\" id=\"trace-error\">\(error.message(context.language))</p>"
            }
        }
        let from = form.from ?? (LocalTime.startOfDay(containing: now) - 13 * 86_400)
        let to = form.to ?? now
        let marked: HTML = request.query.get("caseMarked") == "F0" ? "<p class=\"notice\" role=\"status\" id=\"case-marked\">\(TracingStrings(context.language).caseMarked)</p>" : ""
        return page(context, officer, s.tracing, """
        <h1>\(s.tracing)</h1>
        \(marked)
        <form method="get" action="/authorities/tracing" class="card" id="trace-form">
          <p class="muted">\(s.traceHelp)</p>
          <label>\(s.phone) <input name="phone" value="\(form.phone ?? "")" inputmode="tel"></label>
          <label>CCCD <input name="cccd" value="\(form.cccd ?? "")" inputmode="numeric"></label>
          <label>\(s.scanText) <input name="payload" value="\(form.payload ?? "")" autocomplete="off"></label>
          <label>\(s.from) <input type="datetime-local" name="from" value="\(Self.inputValue(from))"></label>
          <label>\(s.to) <input type="datetime-local" name="to" value="\(Self.inputValue(to))"></label>
          <label>\(s.buffer) <input type="number" name="buffer" min="0" max="1440" value="\(form.buffer ?? 60)"></label>
          <label>\(s.depth) <select name="depth"><option value="1"\(HTML.attribute("selected", form.depth != 2))>F1</option><option value="2"\(HTML.attribute("selected", form.depth == 2))>F1 + F2</option></select></label>
          <button type="submit">\(s.trace)</button>
        </form>
        \(result)
        """)
    }

    static func display(_ iso: String) -> String {
        guard let seconds = LocalISO.parse(iso) else { return iso }
        return LocalTime.format(seconds)
    }

    // MARK: Risk list (A3)

    @Sendable func risk(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        let s = AuthorityStrings(context.language)
        let q = request.query
        let unit = UnitPicker.chosen({ q.get($0) }, name: "unit")
        let rows = try await RiskList(services: services).rows(unit: unit, reason: q.get("reason"), officer: officer)
        let picker = try await UnitPicker(services: services).render(selected: unit ?? Self.pickerDefault(officer), language: context.language, required: false,
                                                                     options: .init(name: "unit", idPrefix: "risk-", anyLevel: true, legend: s.unit))
        let options: [HTML] = RiskList.reasons.map { "<option value=\"\($0)\"\(HTML.attribute("selected", q.get("reason") == $0))>\(s.reason($0))</option>" }
        let wards = try await wardNames(rows.compactMap(\.wardCode))
        let body: [HTML] = rows.map {
            "<tr><td>\($0.name)</td><td>\($0.phone ?? "")</td><td>\($0.wardCode.map { wards[$0] ?? $0 } ?? "")</td><td>\($0.reasons.map(s.reason).joined(separator: ", "))</td></tr>"
        }
        var c = URLComponents()
        c.queryItems = [("unit", unit), ("reason", q.get("reason"))].compactMap { n, v in v.map { URLQueryItem(name: n, value: $0) } }
        return page(context, officer, s.risk, """
        <h1>\(s.risk)</h1>
        <form method="get" action="/authorities/risk" class="search">
          \(picker)
          <label>\(s.reasonLabel) <select name="reason"><option value="">\(s.allReasons)</option>\(options)</select></label>
          <button type="submit">\(s.show)</button>
        </form>
        <p class="muted" id="risk-count">\(rows.count)</p>
        <table class="data" id="risk"><thead><tr><th>\(s.name)</th><th>\(s.phone)</th><th>\(s.ward)</th><th>\(s.reasonLabel)</th></tr></thead><tbody>\(body)</tbody></table>
        <p><a class="button secondary" href="/authorities/risk.csv\(c.string ?? "")" download>\(s.exportCSV)</a></p>
        """)
    }

    @Sendable func riskCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        let q = request.query
        let rows = try await RiskList(services: services).rows(unit: UnitPicker.chosen({ q.get($0) }, name: "unit"), reason: q.get("reason"), officer: officer)
        let s = AuthorityStrings(context.language)
        let wards = try await wardNames(rows.compactMap(\.wardCode))
        // Reasons and wards named in the reader's language (issue 18); the ids and codes stay for joins.
        return csv(CSVExport.document([["personId", s.name, s.phone, s.csvUnitCode, s.ward, s.reasonLabel]] + rows.map {
            [$0.personId.uuidString, $0.name, $0.phone ?? "", $0.wardCode ?? "", $0.wardCode.map { wards[$0] ?? "" } ?? "", $0.reasons.map(s.reason).joined(separator: ", ")]
        }), name: "ravao-risk.csv")
    }

    /// Names of the wards among `codes` in the active list (a code the list lacks stays a code).
    func wardNames(_ codes: [String]) async throws -> [String: String] {
        let scheme = try await services.store.units.activeScheme()
        var names: [String: String] = [:]
        for code in Set(codes) { if let unit = try await services.store.units.unit(code, scheme: scheme) { names[code] = unit.name } }
        return names
    }

    // MARK: Place alert (A5)

    @Sendable func alertForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .health)
        // A link may name the place by id; one outside the jurisdiction is simply not preselected.
        let chosen = try await request.query.get("placeId").flatMap(UUID.init(uuidString:)).asyncMap { try? await access.place($0, for: officer) } ?? nil
        return alertPage(context, officer, text: chosen?.name ?? request.query.get("place"), chosen: chosen, choices: [], from: nil, to: nil, notify: true, result: "")
    }

    func alertPage(_ context: AppRequestContext, _ officer: OfficerAccess.Officer, text: String?, chosen: Place?, choices: [Place],
                   from: String?, to: String?, notify: Bool, result: HTML) -> Response {
        let s = AuthorityStrings(context.language)
        let p = PlacePickerStrings(context.language)
        let now = services.time.seconds()
        let choiceList: [HTML] = choices.map {
            "<li><label class=\"check\"><input type=\"radio\" name=\"placeId\" value=\"\($0.id.uuidString)\" required> <strong>\($0.name)</strong> <span class=\"muted\">\($0.address) · \($0.code)</span></label></li>"
        }
        return page(context, officer, s.alert, """
        <h1>\(s.alert)</h1>
        <form method="post" action="/authorities/alert" class="card" id="alert-form">\(Layout(title: "", context: context, keys: services.keys).csrfField())
          <div class="place-picker" data-place-picker data-none="\(p.none)">
            <label for="place-search">\(p.label)</label>
            <input id="place-search" name="place" value="\(text ?? "")" autocomplete="off" required aria-describedby="place-help" aria-controls="place-results">
            <p class="muted" id="place-help">\(p.help)</p>
            \(choices.isEmpty ? "<input type=\"hidden\" name=\"placeId\" value=\"\(chosen?.id.uuidString ?? "")\" id=\"place-id\">" as HTML : "")
            <p id="place-chosen" role="status">\(chosen.map { "\(p.chosen): \($0.name) (\($0.code))" } ?? "")</p>
            <ul id="place-results" class="place-results"></ul>
            \(choices.isEmpty ? "" : "<fieldset id=\"place-choices\"><legend>\(p.chooseOne)</legend><ul>\(choiceList)</ul></fieldset>" as HTML)
          </div>
          <label>\(s.from) <input type="datetime-local" name="from" value="\(from ?? Self.inputValue(now - 86_400))"></label>
          <label>\(s.to) <input type="datetime-local" name="to" value="\(to ?? Self.inputValue(now))"></label>
          <label><input type="checkbox" name="notify" value="1"\(HTML.attribute("checked", notify))> \(s.notify)</label>
          <button type="submit" id="alert-submit">\(s.alert)</button>
        </form>
        <script src="/static/pickers.js" defer></script>
        \(result)
        """)
    }

    @Sendable func alert(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .health)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let s = AuthorityStrings(context.language)
        let notify = form["notify"] == "1"
        func again(_ chosen: Place?, _ choices: [Place], _ result: HTML) -> Response {
            alertPage(context, officer, text: form["place"], chosen: chosen, choices: choices, from: form["from"], to: form["to"], notify: notify, result: result)
        }
        do {
            let place: Place
            if let id = form["placeId"].flatMap(UUID.init(uuidString:)) {
                place = try await access.place(id, for: officer)
            } else {
                let found = try await PlaceFinder(services: services).find(form["place"] ?? form["placeId"], for: officer)
                if found.isEmpty { throw AppError(.notFound, "place_not_found", en: AuthorityStrings(.en).placeNotFound, vi: AuthorityStrings(.vi).placeNotFound) }
                if found.count > 1 {
                    return again(nil, found, "<p class=\"error\" role=\"alert\" id=\"alert-choose\">\(PlacePickerStrings(context.language).several(found.count))</p>")
                }
                place = found[0]
            }
            let (from, to, _, _) = try AuthorityService.validate(from: Self.localInput(form["from"]), to: Self.localInput(form["to"]), bufferMinutes: nil, depth: nil)
            let present = try await authority.placeAlert(place, from: from, to: to, by: officer, notify: notify)
            let people = try await services.store.tracing().summaries(present.map(\.personId))
            let rows: [HTML] = present.map { "<tr><td>\(people[$0.personId]?.fullName ?? "")</td><td>\(people[$0.personId]?.phone.flatMap { PhoneNumber($0)?.national } ?? "")</td><td>\(LocalTime.format($0.from)) → \(LocalTime.format($0.to))</td></tr>" }
            return again(place, [], """
            <h2>\(place.name): <span id="alert-count">\(present.count)</span> \(s.people)</h2>
            <table class="data" id="alert-people"><thead><tr><th>\(s.name)</th><th>\(s.phone)</th><th>\(s.overlap)</th></tr></thead><tbody>\(rows)</tbody></table>
            """)
        } catch let error as AppError where [.unprocessableContent, .notFound].contains(error.status) {
            return again(nil, [], "<p class=\"error\" role=\"alert\" id=\"alert-error\">\(error.message(context.language))</p>")
        }
    }

    // MARK: Zones (A6)

    @Sendable func zones(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        return try await zonesPage(context, officer, error: nil)
    }

    /// `echo` is a refused form: its level and dates come back as typed (issue 18).
    func zonesPage(_ context: AppRequestContext, _ officer: OfficerAccess.Officer, error: AppError?, echo: WebForm? = nil) async throws -> Response {
        let s = AuthorityStrings(context.language)
        var rows: [HTML] = []
        let csrf = Layout(title: "", context: context, keys: services.keys).csrfField()
        for zone in try await api.visibleZones(officer) {
            let z = try await api.describe(zone)
            let lift: HTML = officer.can(.zones) && z.to.map({ LocalISO.parse($0)! > services.time.seconds() }) ?? true
                ? "<form method=\"post\" action=\"/authorities/zones/\(z.id)/lift\" class=\"inline\">\(csrf)<button class=\"small\" type=\"submit\">\(s.lift)</button></form>" : ""
            rows.append("<tr><td>\(z.unitName) (\(z.unitCode))</td><td>\(z.level)</td><td>\(Self.display(z.from))</td><td>\(z.to.map(Self.display) ?? "—")</td><td>\(z.inForce ? s.inForce : "")</td><td>\(lift)</td></tr>")
        }
        let form: HTML = officer.can(.zones) ? """
        <form method="post" action="/authorities/zones" class="card" id="zone-form">\(csrf)
          \(error.map { "<p class=\"error\" role=\"alert\">\($0.message(context.language))</p>" as HTML })
          \(try await UnitPicker(services: services).render(selected: Self.pickerDefault(officer), language: context.language, required: true,
                                                          options: .init(name: "unitCode", idPrefix: "zone-", anyLevel: true, countryOption: officer.jurisdiction.scope == .country, legend: s.unit)))
          <label>\(s.zoneLevel) <select name="level">\((1...4).map { "<option value=\"\($0)\"\(HTML.attribute("selected", (echo?["level"] ?? "3") == String($0)))>\($0)</option>" as HTML })</select></label>
          <label>\(s.from) <input type="date" name="from" value="\(echo?["from"] ?? CitizenService.localDate(services.time.seconds()))"></label>
          <label>\(s.to) <input type="date" name="to" value="\(echo?["to"] ?? "")"></label>
          <button type="submit">\(s.declareZone)</button>
        </form>
        """ : ""
        return page(context, officer, s.zones, """
        <h1>\(s.zones)</h1>
        \(form)
        <table class="data" id="zones"><thead><tr><th>\(s.unit)</th><th>\(s.zoneLevel)</th><th>\(s.from)</th><th>\(s.to)</th><th></th><th></th></tr></thead><tbody>\(rows)</tbody></table>
        """)
    }

    @Sendable func declareZone(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .zones)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        do {
            _ = try await ZoneRules(services: services).declare(unitCode: UnitPicker.chosen({ form[$0] }, name: "unitCode"), level: form["level"], from: form["from"], to: form["to"], by: officer)
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .forbidden {
            return try await zonesPage(context, officer, error: error, echo: form)
        }
        return .seeOther("/authorities/zones")
    }

    @Sendable func liftZone(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request, needs: .zones)
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        try await ZoneRules(services: services).lift(try context.uuidParameter("id"), by: officer)
        return .seeOther("/authorities/zones")
    }

    // MARK: Officers (A1)

    @Sendable func officers(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        return try await officersPage(context, officer, error: nil)
    }

    /// `echo` is a refused form: the phone and the ticked functions come back (issue 18).
    func officersPage(_ context: AppRequestContext, _ officer: OfficerAccess.Officer, error: AppError?,
                      echo: (form: WebForm, functions: Set<String>)? = nil) async throws -> Response {
        let s = AuthorityStrings(context.language)
        var rows: [HTML] = []
        for other in try await services.store.officers.all() {
            guard let unit = try await access.jurisdiction(of: other.unitCode), try await access.contains(officer.jurisdiction, unit) else { continue }
            let body = try await api.describe(other)
            let functions = body.functions.map { OfficerFunction(rawValue: $0).map(s.function) ?? $0 }.joined(separator: ", ")
            rows.append("<tr><td>\(body.phone)</td><td>\(body.unitName) (\(body.unitCode))</td><td>\(functions)</td></tr>")
        }
        let boxes: [HTML] = OfficerFunction.allCases.filter(officer.can).map {
            "<label><input type=\"checkbox\" name=\"function\" value=\"\($0.rawValue)\"\(HTML.attribute("checked", echo?.functions.contains($0.rawValue) == true))> \(s.function($0))</label>"
        }
        return page(context, officer, s.officers, """
        <h1>\(s.officers)</h1>
        <form method="post" action="/authorities/officers" class="card" id="officer-form">\(Layout(title: "", context: context, keys: services.keys).csrfField())
          \(error.map { "<p class=\"error\" role=\"alert\">\($0.message(context.language))</p>" as HTML })
          <p class="muted">\(s.officerHelp)</p>
          <label>\(s.phone) <input name="phone" inputmode="tel" required value="\(echo?.form["phone"] ?? "")"></label>
          \(try await UnitPicker(services: services).render(selected: Self.pickerDefault(officer), language: context.language, required: true,
                                                          options: .init(name: "unitCode", idPrefix: "officer-", anyLevel: true, countryOption: officer.jurisdiction.scope == .country, legend: s.unit)))
          <fieldset><legend>\(s.functions)</legend>\(boxes)</fieldset>
          <button type="submit">\(s.createOfficer)</button>
        </form>
        <table class="data" id="officers"><thead><tr><th>\(s.phone)</th><th>\(s.unit)</th><th>\(s.functions)</th></tr></thead><tbody>\(rows)</tbody></table>
        """)
    }

    @Sendable func createOfficer(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await officer(context, request)
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let raw = String(buffer: buffer)
        let form = WebForm(encoded: raw)
        guard services.keys.isValidCSRF(form["_csrf"] ?? "", for: context.csrfBinding) else { throw AppError.badCSRF }
        // Checkboxes repeat one name; WebForm keeps the first, so the list is read from the body.
        let functions = raw.split(separator: "&").compactMap { pair -> String? in
            let kv = pair.split(separator: "=", maxSplits: 1)
            return kv.count == 2 && kv[0] == "function" ? String(kv[1]) : nil
        }.joined(separator: ",")
        do {
            _ = try await OfficerAdmin(services: services).create(phone: form["phone"], unitCode: UnitPicker.chosen({ form[$0] }, name: "unitCode"), functions: functions, by: officer)
        } catch let error as AppError where error.status == .unprocessableContent || error.status == .forbidden {
            return try await officersPage(context, officer, error: error, echo: (form, Set(functions.split(separator: ",").map(String.init))))
        }
        return .seeOther("/authorities/officers")
    }
}
