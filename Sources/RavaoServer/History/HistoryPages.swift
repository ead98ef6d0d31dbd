import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// Pages: a place's history log (S2), its scan history with filters and downloads (S3), and the
/// signed-in account's own work history (S5).
struct HistoryPages {
    let services: AppServices
    var api: HistoryAPI { HistoryAPI(services: services) }
    var scans: ScanHistoryService { ScanHistoryService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("places/:id/history", use: history)
        router.get("places/:id/scans", use: scanHistory)
        router.get("work", use: work)
    }

    func account(_ context: AppRequestContext, _ request: Request) throws -> Account {
        guard let identity = context.identity else { throw RedirectToSignIn(next: request.uri.path) }
        return identity.account
    }

    /// Keeps the current filters in a link, replacing or dropping some.
    static func link(_ path: String, _ params: [String: String], set: [String: String?] = [:]) -> String {
        var all = params
        for (k, v) in set { all[k] = v }
        var c = URLComponents()
        c.path = path
        let items = all.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        c.queryItems = items.isEmpty ? nil : items
        // `+` in a query means a space to our parser; encode it so phone prefixes survive.
        return (c.string ?? path).replacingOccurrences(of: "+", with: "%2B")
    }

    // MARK: Place history

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try account(context, request)
        let (place, entries, next) = try await api.historyPage(request, context: context)
        let s = SharingStrings(context.language)
        let layout = Layout(title: "\(s.history) · \(place.name)", context: context, keys: services.keys)
        let roles = Strings(context.language).roleNames
        let action = request.query["action"] ?? ""
        let rows: [HTML] = entries.enumerated().map { i, e in
            let item = HistoryAPI.item(e)
            let call: HTML = e.via == "api" ? "<span class=\"badge\">\(s.apiCall)</span> " : ""
            return """
            <tr class="history-row" data-action="\(e.action)"><td>\(i + 1)</td><td>\(LocalTime.format(e.at))</td><td>\(e.accountPhone?.national ?? "—")</td><td>\(e.ip)</td>
            <td>\(call)<strong>\(s.action(e.action))</strong> \(s.details(item.details, roles: roles))</td></tr>
            """
        }
        let options: [HTML] = PlaceAction.allCases.map { "<option value=\"\($0.rawValue)\"\(HTML.attribute("selected", action == $0.rawValue))>\(s.action($0.rawValue))</option>" }
        let params = action.isEmpty ? [:] : ["action": action]
        let nextLink: HTML? = next.map { "<a rel=\"next\" id=\"history-next\" href=\"\(Self.link("/places/\(place.id.uuidString)/history", params, set: ["cursor": $0]))\">\(s.next)</a>" }
        let firstLink: HTML? = request.query["cursor"] == nil ? nil : "<a href=\"\(Self.link("/places/\(place.id.uuidString)/history", params))\">\(s.first)</a>"
        return layout.render("""
        <p><a href="/places/\(place.id.uuidString)">← \(place.name)</a></p>
        <h1>\(s.history)</h1>
        <form method="get" class="search" id="history-filter"><label>\(s.log) <select name="action" id="history-action"><option value="">\(s.allActions)</option>\(options)</select></label>
          <button>\(s.filter)</button></form>
        \(entries.isEmpty ? "<p class=\"muted\">\(s.noEntries)</p>" as HTML : """
          <table class="history" id="history"><thead><tr><th>#</th><th>\(s.time)</th><th>\(s.account)</th><th>\(s.ip)</th><th>\(s.log)</th></tr></thead><tbody>\(rows)</tbody></table>
          """)
        <p class="actions">\(firstLink) \(nextLink)</p>
        """).response()
    }

    // MARK: Scan history

    @Sendable func scanHistory(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let s = SharingStrings(context.language)
        let base = try await scans.viewer(try context.uuidParameter("id"), account: account, forExport: false)
        let place = base.place
        let layout = Layout(title: "\(s.scanHistory) · \(place.name)", context: context, keys: services.keys)
        let q = request.query
        var body: HTML
        var echo: [String: String] = [:]
        do {
            let (query, viewer) = try await scans.parse(q, viewer: base, now: services.time.seconds())
            echo = query.echo
            let (rows, next) = try await scans.page(query, viewer: viewer)
            try await PrivacyGate(services: services).logViews(viewer.shownInFull(rows), disclosure: viewer.disclosure, viewer: account.id, place: place.id)
            let (counts, complete) = try await scans.counts(query, viewer: viewer)
            let atLeast = complete ? "" : "≥ "
            let items: [HTML] = rows.map { row in
                let item = scans.item(row, viewer: viewer)
                return """
                <tr class="scan-row" data-direction="\(item.direction)"><td>\(item.localTime)</td><td>\(item.placeName)</td><td class="scan-name">\(item.name)</td>
                <td class="scan-phone">\(item.phone)</td><td>\(item.direction == "in" ? s.directionIn : s.directionOut)</td><td data-kind="\(item.kind)">\(PayloadKind(rawValue: item.kind).map(s.kindName) ?? item.kind)</td></tr>
                """
            }
            let path = "/places/\(place.id.uuidString)/scans"
            let nextLink: HTML? = next.map { "<a rel=\"next\" id=\"scans-next\" href=\"\(Self.link(path, echo, set: ["cursor": ScanHistoryService.encodeCursor($0)]))\">\(s.next)</a>" }
            let firstLink: HTML? = query.cursor == nil ? nil : "<a href=\"\(Self.link(path, echo))\">\(s.first)</a>"
            body = """
            <div class="counts" id="scan-counts">
              <div><b id="count-scans">\(atLeast)\(counts.scans)</b><span>\(s.scans)</span></div>
              <div><b id="count-entries">\(atLeast)\(counts.entries)</b><span>\(s.entries)</span></div>
              <div><b id="count-exits">\(atLeast)\(counts.exits)</b><span>\(s.exits)</span></div>
              <div><b id="count-people">\(atLeast)\(counts.people)</b><span>\(s.people)</span></div>
            </div>
            <p class="muted">\(viewer.disclosure.isFull ? s.unmasked : s.masked)</p>
            \(rows.isEmpty ? "<p class=\"muted\" id=\"no-scans\">\(s.none)</p>" as HTML : """
              <table class="scans" id="scans"><thead><tr><th>\(s.time)</th><th>\(s.place)</th><th>\(s.name)</th><th>\(s.phone)</th><th>\(s.direction)</th><th>\(s.kind)</th></tr></thead>
              <tbody>\(items)</tbody></table>
              """)
            <p class="actions">\(firstLink) \(nextLink)</p>
            """
        } catch let error as AppError where error.status == .unprocessableContent {
            body = "<p class=\"error\" role=\"alert\" id=\"filter-error\">\(error.message(context.language))</p>"
        }
        let downloads: HTML? = base.role >= .manager ? """
            <p class="actions downloads" id="downloads" data-downloading="\(s.downloading)" data-downloaded="\(s.downloaded)">
              <a class="button secondary" id="download-csv" data-stream-download href="\(Self.link("/api/v1/places/\(place.id.uuidString)/scans.csv", echo))" download>\(s.downloadCSV)</a>
              <a class="button secondary" id="download-xlsx" data-stream-download href="\(Self.link("/api/v1/places/\(place.id.uuidString)/scans.xlsx", echo))" download>\(s.downloadXLSX)</a>
              <span class="muted" id="download-progress" role="status" aria-live="polite">\(s.streamingNote)</span>
            </p>
            """ : nil
        let directions: [HTML] = [("in", s.directionIn), ("out", s.directionOut)].map { "<option value=\"\($0.0)\"\(HTML.attribute("selected", echo["direction"] == $0.0))>\($0.1)</option>" }
        let kinds: [HTML] = PayloadKind.allCases.map { "<option value=\"\($0.rawValue)\"\(HTML.attribute("selected", echo["kind"] == $0.rawValue))>\(s.kindName($0))</option>" }
        return layout.render("""
        <script src="/static/history.js" defer></script>
        <p><a href="/places/\(place.id.uuidString)">← \(place.name)</a></p>
        <h1>\(base.role == .controller ? s.myScans : s.scanHistory)</h1>
        <form method="get" class="search scan-filter" id="scan-filter">
          <label>\(s.from) <input type="datetime-local" name="from" id="filter-from" value="\(echo["from"] ?? "")"></label>
          <label>\(s.to) <input type="datetime-local" name="to" id="filter-to" value="\(echo["to"] ?? "")"></label>
          <label>\(s.direction) <select name="direction" id="filter-direction"><option value="">\(s.any)</option>\(directions)</select></label>
          <label>\(s.kind) <select name="kind" id="filter-kind"><option value="">\(s.any)</option>\(kinds)</select></label>
          <label>\(s.searchLabel) <input type="search" name="q" id="filter-q" value="\(echo["q"] ?? "")" placeholder="\(s.searchScans)"></label>
          <label><input type="checkbox" name="inside" value="0"\(HTML.attribute("checked", echo["inside"] == "0"))> \(s.thisPlaceOnly)</label>
          <button id="filter-submit">\(s.filter)</button>
        </form>
        \(downloads)
        \(body)
        """).response()
    }

    // MARK: Work history

    @Sendable func work(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try account(context, request)
        let s = SharingStrings(context.language)
        let roles = Strings(context.language).roleNames
        let body = try await api.workBody(account)
        let layout = Layout(title: s.work, context: context, keys: services.keys)
        let days: [HTML] = body.scansPerDay.map { "<tr class=\"work-day\"><td>\(DisplayDate.day($0.day))</td><td>\($0.scans)</td></tr>" }
        let actions: [HTML] = body.actions.map { a in
            let at = ISOTime.parse(a.at).map { LocalTime.format(Int64($0.timeIntervalSince1970)) } ?? a.at
            return "<tr class=\"work-action\" data-action=\"\(a.action)\"><td>\(at)</td><td><a href=\"/places/\(a.placeId)\">\(a.placeName ?? "")</a></td><td>\(a.ip)</td><td><strong>\(s.action(a.action))</strong> \(s.details(a.details, roles: roles))</td></tr>"
        }
        return layout.render("""
        <h1>\(s.work)</h1>
        <h2>\(s.scansPerDay)</h2>
        \(days.isEmpty ? "<p class=\"muted\">\(s.noEntries)</p>" as HTML : "<table id=\"work-days\"><thead><tr><th>\(s.day)</th><th>\(s.scans)</th></tr></thead><tbody>\(days)</tbody></table>")
        <h2>\(s.myActions)</h2>
        \(actions.isEmpty ? "<p class=\"muted\">\(s.noEntries)</p>" as HTML : "<table id=\"work-actions\"><thead><tr><th>\(s.time)</th><th>\(s.place)</th><th>\(s.ip)</th><th>\(s.log)</th></tr></thead><tbody>\(actions)</tbody></table>")
        """).response()
    }
}
