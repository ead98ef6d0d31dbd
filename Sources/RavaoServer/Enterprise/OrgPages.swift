import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// Organisation pages: list, detail (places, members), roster (import with preview, edit by hand),
/// daily coverage with the 30-day chart, bus manifests, and the board's statistics.
struct OrgPages {
    let services: AppServices
    var orgs: OrgService { OrgService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("orgs", use: list)
        router.post("orgs", use: create)
        router.get("orgs/:id", use: detail)
        router.post("orgs/:id/settings", use: settings)
        router.post("orgs/:id/places", use: addPlace)
        router.post("orgs/:id/places/:placeId/remove", use: removePlace)
        router.post("orgs/:id/members", use: setMember)
        router.post("orgs/:id/members/remove", use: removeMember)
        router.get("orgs/:id/roster", use: roster)
        router.post("orgs/:id/employees", use: addEmployee)
        router.get("orgs/:id/employees/:employeeId/edit", use: editEmployeeForm)
        router.post("orgs/:id/employees/:employeeId", use: editEmployee)
        router.post("orgs/:id/employees/:employeeId/delete", use: deleteEmployee)
        router.get("orgs/:id/coverage", use: coverage)
        router.get("orgs/:id/chart.svg", use: chart)
        router.get("orgs/:id/buses", use: buses)
        router.get("board", use: board)
    }

    func layout(_ context: AppRequestContext, _ title: String) -> Layout { Layout(title: title, context: context, keys: services.keys) }

    func account(_ context: AppRequestContext, _ request: Request) throws -> Account {
        guard let identity = context.identity else { throw RedirectToSignIn(next: request.uri.path) }
        return identity.account
    }

    // MARK: List and detail

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let o = OrgStrings(context.language)
        let page = layout(context, o.orgs)
        let mine = try await orgs.store.orgs(of: account.phone)
        let items: [HTML] = mine.map { "<li class=\"place-row\"><a href=\"/orgs/\($0.org.id.uuidString)\"><strong class=\"org-name\">\($0.org.name)</strong> <span class=\"muted\">\(o.roleName($0.role))</span></a></li>" }
        return page.render("""
        <div class="page-head"><h1>\(o.orgs)</h1><div class="actions"><a class="button secondary" href="/board">\(o.board)</a></div></div>
        \(mine.isEmpty ? "<p>\(o.noOrgs)</p>" as HTML : "<ul class=\"places\" id=\"orgs\">\(items)</ul>")
        <section><h2>\(o.newOrg)</h2>
          <form method="post" action="/orgs" class="inline">\(page.csrfField())
            <label>\(o.orgName) <input name="name" id="org-name" required maxlength="200"></label> <button id="create-org">\(o.create)</button>
          </form>
        </section>
        """).response()
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        let org = try await orgs.create(name: form["name"], by: account)
        return .seeOther("/orgs/\(org.id.uuidString)")
    }

    @Sendable func detail(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (org, role) = try await orgs.access(try context.uuidParameter("id"), account: account)
        let o = OrgStrings(context.language)
        let page = layout(context, org.name)
        let id = org.id.uuidString
        let today = LocalDate(containing: services.time.seconds())
        let coverage = try await orgs.coverage(org, on: today, withMissing: false)
        let summary: HTML = """
        <section id="today"><h2>\(o.coverage) — \(today.description)</h2>
          <p class="lead"><b id="today-percent">\(Self.percentText(coverage.present, coverage.total))</b> · \(coverage.present)/\(coverage.total)</p>
          <p><a class="button" id="coverage-link" href="/orgs/\(id)/coverage">\(o.coverage)</a></p>
          <img src="/orgs/\(id)/chart.svg?date=\(today.description)" alt="\(o.last30)" width="640" height="220">
        </section>
        """
        guard role.seesPeople else {
            return page.render("<h1>\(org.name)</h1><p class=\"notice\">\(o.statisticsOnly)</p>\(summary)").response()
        }
        let places = try await orgs.store.places(of: org.id)
        let placeItems: [HTML] = places.map { item in
            let removeForm: HTML? = item.direct ? """
                <form method="post" action="/orgs/\(id)/places/\(item.place.id.uuidString)/remove" class="inline">\(page.csrfField())<button class="secondary small">\(o.remove)</button></form>
                """ : "<span class=\"muted\">\(o.inside)</span>"
            return "<li><a href=\"/places/\(item.place.id.uuidString)\">\(item.place.name)</a>\(item.place.plate.map { " · \($0)" } ?? "") \(removeForm)</li>"
        }
        let (mine, _) = try await services.store.places.places(of: account.id, filter: .init(limit: 200, now: services.time.seconds()))
        let candidates: [HTML] = mine.filter { item in item.role == .owner && !places.contains(where: { $0.place.id == item.place.id }) }.map {
            "<option value=\"\($0.place.id.uuidString)\">\($0.place.name)\($0.place.plate.map { " · \($0)" } ?? "")</option>"
        }
        let members = try await orgs.store.members(of: org.id)
        let memberItems: [HTML] = members.map { m in
            let canRemove = role == .owner ? m.phone != account.phone : m.role == .board
            let removeForm: HTML? = canRemove ? """
                <form method="post" action="/orgs/\(id)/members/remove" class="inline">\(page.csrfField())<input type="hidden" name="phone" value="\(m.phone.national)"><button class="secondary small">\(o.remove)</button></form>
                """ : nil
            return "<li><span>\(m.phone.national)</span> <span class=\"muted\">\(o.roleName(m.role))</span> \(removeForm)</li>"
        }
        let roles: [OrgStore.Role] = role == .owner ? [.board, .manager, .owner] : [.board]
        let roleOptions: [HTML] = roles.map { "<option value=\"\($0.rawValue)\">\(o.roleName($0))</option>" }
        let employees = try await orgs.store.employeeCount(of: org.id)
        let settingsForm: HTML? = role == .owner ? """
            <section><h2>\(o.settings)</h2><form method="post" action="/orgs/\(id)/settings" class="inline">\(page.csrfField())
              <label>\(o.orgName) <input name="name" required maxlength="200" value="\(org.name)"></label>
              <label>\(o.gap) <input name="tripGapMinutes" type="number" min="5" max="1440" value="\(org.tripGapMinutes)"></label>
              <button>\(o.save)</button></form></section>
            """ : nil
        return page.render("""
        <div class="page-head"><h1 id="org-title">\(org.name)</h1>
          <div class="actions"><a class="button" id="roster-link" href="/orgs/\(id)/roster">\(o.roster) (\(employees))</a>
          <a class="button secondary" id="buses-link" href="/orgs/\(id)/buses">\(o.buses)</a></div></div>
        \(summary)
        <section id="org-places"><h2>\(o.places)</h2><p class="muted">\(o.placesHelp)</p>
          <ul>\(placeItems)</ul>
          <form method="post" action="/orgs/\(id)/places" class="inline">\(page.csrfField())
            <label>\(o.addPlace) <select name="placeId" id="add-place" required><option value="">\(o.choosePlace)</option>\(candidates)</select></label>
            <button id="add-place-button">\(o.add)</button></form>
        </section>
        <section id="org-members"><h2>\(o.members)</h2><p class="muted">\(o.membersHelp)</p>
          <ul>\(memberItems)</ul>
          <form method="post" action="/orgs/\(id)/members" class="inline">\(page.csrfField())
            <label>\(o.phone) <input name="phone" id="member-phone" required inputmode="tel" maxlength="20"></label>
            <label>\(o.role) <select name="role" id="member-role">\(roleOptions)</select></label>
            <button id="add-member">\(o.share)</button></form>
        </section>
        \(settingsForm)
        """).response()
    }

    @Sendable func settings(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        try await orgs.update(id, name: form["name"], tripGapMinutes: form["tripGapMinutes"].map { Int($0) ?? -1 }, by: account)
        return .seeOther("/orgs/\(id.uuidString)")
    }

    @Sendable func addPlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        try await orgs.addPlace(id, placeId: form["placeId"].flatMap(UUID.init(uuidString:)), by: account)
        return .seeOther("/orgs/\(id.uuidString)")
    }

    @Sendable func removePlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        try await orgs.removePlace(id, placeId: try context.uuidParameter("placeId"), by: account)
        return .seeOther("/orgs/\(id.uuidString)")
    }

    @Sendable func setMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        try await orgs.setMember(id, phone: form["phone"], role: form["role"], by: account)
        return .seeOther("/orgs/\(id.uuidString)")
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        try await orgs.removeMember(id, phone: form["phone"] ?? "", by: account)
        return .seeOther("/orgs/\(id.uuidString)")
    }

    // MARK: Roster

    @Sendable func roster(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: account)
        let o = OrgStrings(context.language)
        let page = layout(context, o.roster)
        let id = org.id.uuidString
        let pageNumber = max(Int(request.query.get("page") ?? "") ?? 1, 1)
        let total = try await orgs.store.employeeCount(of: org.id)
        let employees = try await orgs.store.employees(of: org.id, limit: 500, offset: (pageNumber - 1) * 500)
        let rows: [HTML] = employees.map { e in """
            <tr><td>\(e.employeeNumber)</td><td>\(e.fullName)</td><td>\(e.department)</td><td>\(e.phone?.national ?? "")</td><td>\(e.cccd ?? "")</td><td>\(e.bhyt ?? "")</td>
            <td><a href="/orgs/\(id)/employees/\(e.id.uuidString)/edit">\(o.edit)</a>
            <form method="post" action="/orgs/\(id)/employees/\(e.id.uuidString)/delete" class="inline" data-confirm="\(o.deleteConfirm)">\(page.csrfField())<button class="danger small">\(o.delete)</button></form></td></tr>
            """ }
        let more: HTML? = total > pageNumber * 500 ? "<p><a rel=\"next\" href=\"/orgs/\(id)/roster?page=\(pageNumber + 1)\">→</a></p>" : nil
        return page.render("""
        <div class="page-head"><h1>\(o.roster)</h1><div class="actions"><a class="button secondary" href="/orgs/\(id)">\(org.name)</a></div></div>
        <section id="roster-import" data-org="\(id)" data-csrf="\(services.keys.csrfToken(for: context.csrfBinding))"
                 data-rows="\(o.previewRows)" data-errors="\(o.previewErrors)" data-imported="\(o.imported)" data-lang="\(context.language.rawValue)"
                 data-row="\(o.row)" data-column="\(o.column)" data-problem="\(o.problem)" data-name="\(o.name)" data-phone="\(o.phone)"
                 data-department="\(o.department)" data-number="\(o.employeeNumber)"
                 data-will-add="\(o.willAdd)" data-will-update="\(o.willUpdate)" data-will-remove="\(o.willRemove)" data-remove-nobody="\(o.removeNobody)"
                 data-confirm-import="\(o.confirmImport)" data-confirm-replace="\(o.confirmReplace)" data-people="\(o.people)">
          <h2>\(o.upload)</h2><p class="muted">\(o.uploadHelp)</p>
          <form id="roster-form" class="inline">
            <label>\(o.file) <input type="file" id="roster-file" accept=".csv,.txt,text/csv,text/plain" required></label>
            <label>\(o.mode) <select id="roster-mode"><option value="merge" selected>\(o.modeMerge)</option><option value="replace">\(o.modeReplace)</option></select></label>
            <button type="submit" id="roster-preview">\(o.preview)</button>
          </form>
          <div id="roster-result" aria-live="polite"></div>
          <div id="roster-confirm-box" hidden><button type="button" id="roster-confirm">\(o.confirmImport)</button></div>
        </section>
        <section><h2>\(o.roster) — <span id="roster-count">\(total)</span> \(o.employees)</h2>
          <table class="data" id="roster-table"><thead><tr><th>\(o.employeeNumber)</th><th>\(o.name)</th><th>\(o.department)</th><th>\(o.phone)</th><th>CCCD</th><th>BHYT</th><th></th></tr></thead>
          <tbody>\(rows)</tbody></table>\(more)
        </section>
        <section><h2>\(o.addEmployee)</h2>\(employeeForm(page, o, action: "/orgs/\(id)/employees", employee: nil))</section>
        <script src="/static/roster.js" defer></script>
        """).response()
    }

    func employeeForm(_ page: Layout, _ o: OrgStrings, action: String, employee: OrgStore.Employee?) -> HTML {
        """
        <form method="post" action="\(action)" class="place-form" id="employee-form">\(page.csrfField())
          <label>\(o.name)<input name="name" id="employee-name" required maxlength="200" value="\(employee?.fullName ?? "")"></label>
          <label>\(o.phone)<input name="phone" id="employee-phone" inputmode="tel" maxlength="20" value="\(employee?.phone?.national ?? "")"></label>
          <label>CCCD<input name="cccd" id="employee-cccd" inputmode="numeric" maxlength="20" value="\(employee?.cccd ?? "")"></label>
          <label>BHYT<input name="bhyt" id="employee-bhyt" maxlength="20" value="\(employee?.bhyt ?? "")"></label>
          <label>\(o.department)<input name="department" id="employee-department" maxlength="100" value="\(employee?.department ?? "")"></label>
          <label>\(o.employeeNumber)<input name="employeeNumber" id="employee-number" maxlength="50" value="\(employee?.employeeNumber ?? "")"></label>
          <button id="employee-save">\(employee == nil ? o.add : o.save)</button>
        </form>
        """
    }

    static func input(_ form: WebForm) -> OrgService.EmployeeInput {
        OrgService.EmployeeInput(name: form["name"], phone: form["phone"], cccd: form["cccd"], bhyt: form["bhyt"],
                                 department: form["department"], employeeNumber: form["employeeNumber"])
    }

    @Sendable func addEmployee(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        _ = try await orgs.saveEmployee(id, id: nil, input: Self.input(form), by: account)
        return .seeOther("/orgs/\(id.uuidString)/roster")
    }

    @Sendable func editEmployeeForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: account)
        guard let employee = try await orgs.store.employee(id: try context.uuidParameter("employeeId"), org: org.id) else { throw AppError.notFound }
        let o = OrgStrings(context.language)
        let page = layout(context, o.editEmployee)
        return page.render("""
        <h1>\(o.editEmployee)</h1>
        \(employeeForm(page, o, action: "/orgs/\(org.id.uuidString)/employees/\(employee.id.uuidString)", employee: employee))
        <p><a href="/orgs/\(org.id.uuidString)/roster">\(o.roster)</a></p>
        """).response()
    }

    @Sendable func editEmployee(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        let form = try await WebForm.parse(request, context: context, keys: services.keys)
        _ = try await orgs.saveEmployee(id, id: try context.uuidParameter("employeeId"), input: Self.input(form), by: account)
        return .seeOther("/orgs/\(id.uuidString)/roster")
    }

    @Sendable func deleteEmployee(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let id = try context.uuidParameter("id")
        _ = try await WebForm.parse(request, context: context, keys: services.keys)
        try await orgs.deleteEmployee(id, id: try context.uuidParameter("employeeId"), by: account)
        return .seeOther("/orgs/\(id.uuidString)/roster")
    }

    // MARK: Coverage

    static func percentText(_ present: Int, _ total: Int) -> String {
        let p = OrgService.percent(present, of: total)
        return (p == p.rounded() ? String(Int(p)) : String(p)) + " %"
    }

    @Sendable func coverage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (org, role) = try await orgs.access(try context.uuidParameter("id"), account: account)
        let date = try orgs.day(request.query.get("date"))
        let coverage = try await orgs.coverage(org, on: date, withMissing: role.seesPeople)
        let o = OrgStrings(context.language)
        let page = layout(context, o.coverage)
        let id = org.id.uuidString
        let departments: [HTML] = coverage.departments.map { d in """
            <tr><td>\(d.department.isEmpty ? o.noDepartment : d.department)</td><td>\(d.present)/\(d.total)</td>
            <td><meter min="0" max="100" value="\(String(OrgService.percent(d.present, of: d.total)))"></meter> \(Self.percentText(d.present, d.total))</td></tr>
            """ }
        var missingHTML: HTML? = nil
        if role.seesPeople {
            let rows: [HTML] = coverage.missing.map { e in
                "<tr><td>\(e.employeeNumber)</td><td>\(e.fullName)</td><td>\(e.department.isEmpty ? o.noDepartment : e.department)</td><td class=\"roster-phone\">\(e.phone?.national ?? "")</td></tr>"
            }
            missingHTML = """
            <section id="missing"><h2>\(o.missing) (<span id="missing-count">\(coverage.missing.count)</span>)</h2>
              <p><a class="button secondary" id="export-link" href="/api/v1/orgs/\(id)/coverage.csv?date=\(date.description)&amp;lang=\(context.language.rawValue)" download>\(o.export)</a></p>
              \(rows.isEmpty ? "<p>\(o.noneMissing)</p>" as HTML : "<table class=\"data\" id=\"missing-table\"><thead><tr><th>\(o.employeeNumber)</th><th>\(o.name)</th><th>\(o.department)</th><th>\(o.phone)</th></tr></thead><tbody>\(rows)</tbody></table>")
            </section>
            """
        }
        return page.render("""
        <div class="page-head"><h1>\(o.coverage) — \(org.name)</h1><div class="actions"><a class="button secondary" href="/orgs/\(id)">\(org.name)</a></div></div>
        <form method="get" action="/orgs/\(id)/coverage" class="inline"><label>\(o.date) <input type="date" name="date" id="coverage-date" value="\(date.description)"></label> <button>\(o.show)</button></form>
        <p class="lead"><b id="coverage-percent">\(Self.percentText(coverage.present, coverage.total))</b> — \(o.present): <span id="coverage-present">\(coverage.present)</span> / \(o.total): <span id="coverage-total">\(coverage.total)</span></p>
        <table class="data" id="departments"><thead><tr><th>\(o.department)</th><th>\(o.present)</th><th>%</th></tr></thead><tbody>\(departments)</tbody></table>
        <h2>\(o.last30)</h2>
        <img id="coverage-chart" src="/orgs/\(id)/chart.svg?date=\(date.description)" alt="\(o.last30)" width="640" height="220">
        \(missingHTML)
        """).response()
    }

    /// A bar chart of the last 30 days' percentages, drawn on the server so it needs no script.
    @Sendable func chart(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (org, _) = try await orgs.access(try context.uuidParameter("id"), account: account)
        let date = try orgs.day(request.query.get("date"))
        let days = try await orgs.history(org, endingAt: date)
        let svg = Self.chartSVG(days.map { (date: $0.date, percent: OrgService.percent($0.present, of: $0.total)) }, title: OrgStrings(context.language).last30)
        return Response(status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: svg.text)))
    }

    static func chartSVG(_ points: [(date: LocalDate, percent: Double)], title: String) -> HTML {
        let width = 640, height = 220, left = 36, bottom = 24, top = 10
        let plotHeight = Double(height - bottom - top)
        let step = Double(width - left - 4) / Double(max(points.count, 1))
        var bars: [HTML] = []
        for (i, point) in points.enumerated() {
            let h = plotHeight * min(max(point.percent, 0), 100) / 100
            let x = Double(left) + Double(i) * step + 1
            let y = Double(top) + plotHeight - h
            let color = point.percent >= 100 ? "#2e7d32" : point.percent >= 90 ? "#f9a825" : "#c62828"
            bars.append("""
            <rect x="\(String(format: "%.1f", x))" y="\(String(format: "%.1f", y))" width="\(String(format: "%.1f", max(step - 2, 1)))" height="\(String(format: "%.1f", h))" fill="\(color)"><title>\(DisplayDate.day(point.date.description)): \(String(point.percent)) %</title></rect>
            """)
            if i % 5 == 0 || i == points.count - 1 {
                bars.append("<text x=\"\(String(format: "%.1f", x))\" y=\"\(height - 8)\" font-size=\"10\">\(point.date.shortLabel)</text>")
            }
        }
        var grid: [HTML] = []
        for p in [0, 50, 100] {
            let y = Double(top) + plotHeight * (1 - Double(p) / 100)
            grid.append("<line x1=\"\(left)\" x2=\"\(width)\" y1=\"\(String(format: "%.1f", y))\" y2=\"\(String(format: "%.1f", y))\" stroke=\"#ccc\"/><text x=\"2\" y=\"\(String(format: "%.1f", y + 4))\" font-size=\"10\">\(p)%</text>")
        }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="\(title)" font-family="sans-serif"><title>\(title)</title>\(grid)\(bars)</svg>
        """
    }

    // MARK: Buses

    @Sendable func buses(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: account)
        let date = try orgs.day(request.query.get("date"))
        let gap = try orgs.gap(request.query.get("gap"), default: org.tripGapMinutes)
        let o = OrgStrings(context.language)
        let page = layout(context, o.buses)
        var sections: [HTML] = []
        for bus in try await orgs.buses(org) {
            let (_, trips) = try await orgs.trips(org, placeId: bus.id, on: date, gapMinutes: gap)
            let tripItems: [HTML] = trips.enumerated().map { i, trip in
                let riders = OrgsAPI.riders(trip)
                let items: [HTML] = riders.map { r in
                    let who: HTML = r.employee.map { "\($0.fullName) <span class=\"muted\">\($0.employeeNumber) · \($0.department)</span>" as HTML }
                        ?? "\(Masking.name(r.fullName)) <span class=\"muted\">(\(o.notOnRoster))</span>"
                    return "<li>\(LocalTime.format(r.scannedAt, withDate: false)) — \(who)</li>"
                }
                return """
                <li class="trip"><h4>\(o.trip) \(i + 1): \(LocalTime.format(trip.start, withDate: false))–\(LocalTime.format(trip.end, withDate: false)) · \(riders.count) \(o.riders)</h4><ol>\(items)</ol></li>
                """
            }
            sections.append("""
            <section class="bus" id="bus-\(bus.id.uuidString)"><h2>\(bus.plate ?? "") \(bus.name)</h2>
            \(trips.isEmpty ? "<p class=\"muted\">\(o.noTrips)</p>" as HTML : "<ol class=\"trips\">\(tripItems)</ol>")</section>
            """)
        }
        return page.render("""
        <div class="page-head"><h1>\(o.buses) — \(org.name)</h1><div class="actions"><a class="button secondary" href="/orgs/\(org.id.uuidString)">\(org.name)</a></div></div>
        <form method="get" action="/orgs/\(org.id.uuidString)/buses" class="inline">
          <label>\(o.date) <input type="date" name="date" value="\(date.description)"></label>
          <label>\(o.gap) <input type="number" name="gap" min="5" max="1440" value="\(gap)"></label> <button>\(o.show)</button></form>
        \(sections.isEmpty ? "<p>\(o.noBuses)</p>" as HTML : HTML(unsafeRaw: sections.map(\.text).joined()))
        """).response()
    }

    // MARK: Board

    @Sendable func board(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let date = try orgs.day(request.query.get("date"))
        let o = OrgStrings(context.language)
        let page = layout(context, o.board)
        var rows: [HTML] = []
        for (org, role) in try await orgs.store.orgs(of: account.phone) {
            let c = try await orgs.coverage(org, on: date, withMissing: false)
            rows.append("""
            <tr><td><a href="/orgs/\(org.id.uuidString)">\(org.name)</a></td><td class="muted">\(o.roleName(role))</td><td>\(c.present)/\(c.total)</td>
            <td><meter min="0" max="100" value="\(String(OrgService.percent(c.present, of: c.total)))"></meter> <b class="board-percent">\(Self.percentText(c.present, c.total))</b></td></tr>
            """)
        }
        return page.render("""
        <h1>\(o.board)</h1><p class="muted">\(o.boardHelp)</p>
        <form method="get" action="/board" class="inline"><label>\(o.date) <input type="date" name="date" value="\(date.description)"></label> <button>\(o.show)</button></form>
        \(rows.isEmpty ? "<p>\(o.noOrgs)</p>" as HTML : "<table class=\"data\" id=\"board\"><thead><tr><th>\(o.orgs)</th><th>\(o.role)</th><th>\(o.present)</th><th>%</th></tr></thead><tbody>\(rows)</tbody></table>")
        """).response()
    }
}
