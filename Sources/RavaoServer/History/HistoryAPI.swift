import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/api/v1/places/{id}/history` (S2), `/api/v1/places/{id}/scans[.csv|.xlsx]` (S3), `/api/v1/me/work` (S5).
struct HistoryAPI {
    let services: AppServices
    var scans: ScanHistoryService { ScanHistoryService(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("places/:id/history", use: history)
        group.get("places/:id/scans", use: scanPage)
        group.get("places/:id/scans.csv", use: csv)
        group.get("places/:id/scans.xlsx", use: xlsx)
        group.get("me/work", use: work)
    }

    // MARK: Place history

    struct HistoryItem: Encodable, Sendable {
        let id: String
        let at: String
        let account: String?
        let ip: String
        let action: String
        let via: String
        let details: [String: String]
    }

    struct HistoryPage: Encodable, Sendable { let items: [HistoryItem]; let next: String? }

    static func item(_ e: HistoryStore.Entry) -> HistoryItem {
        let details = (try? JSONDecoder().decode([String: String].self, from: Data(e.details.utf8))) ?? [:]
        return HistoryItem(id: e.id.uuidString, at: ISOTime.string(e.at), account: e.accountPhone?.national, ip: e.ip, action: e.action, via: e.via, details: details)
    }

    /// Owners and managers read the history; a page of `limit` entries, newest first.
    func historyPage(_ request: Request, context: AppRequestContext) async throws -> (Place, [HistoryStore.Entry], next: String?) {
        let account = try context.requireAccount()
        let (place, _) = try await PlaceService(services: services).placeWithRole(try context.uuidParameter("id"), account: account, needs: { $0 >= .manager })
        let q = request.query
        let limit = min(max(Int(q["limit"] ?? "") ?? 50, 1), 200)
        var cursor: HistoryStore.Cursor?
        if let text = q["cursor"] {
            guard let data = Data(base64URLEncoded: text), let s = String(data: data, encoding: .utf8),
                  case let parts = s.split(separator: "|", maxSplits: 1), parts.count == 2, let at = Int64(parts[0]) else {
                throw AppError(.unprocessableContent, "invalid_cursor", en: "the cursor is not one this server gave", vi: "con trỏ trang không hợp lệ")
            }
            cursor = .init(at: at, id: String(parts[1]))
        }
        let action = q["action"]
        if let action, PlaceAction(rawValue: action) == nil {
            throw AppError(.unprocessableContent, "invalid_action", en: "unknown action '\(action)'", vi: "thao tác '\(action)' không hợp lệ")
        }
        let entries = try await services.store.history.entries(placeId: place.id, action: action, after: cursor, limit: limit + 1)
        let shown = Array(entries.prefix(limit))
        let next = entries.count > limit ? shown.last.map { Data("\($0.at)|\($0.id.uuidString)".utf8).base64URLEncoded() } : nil
        return (place, shown, next)
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<HistoryPage> {
        let (_, entries, next) = try await historyPage(request, context: context)
        return JSONResponse(HistoryPage(items: entries.map(Self.item), next: next))
    }

    // MARK: Scans

    struct ScanPage: Encodable, Sendable {
        let items: [ScanHistoryService.Item]
        let next: String?
        /// On the first page only: totals for the filters (the name search narrows items, not counts).
        let counts: ScanHistoryStore.Counts?
    }

    @Sendable func scanPage(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<ScanPage> {
        let account = try context.requireAccount()
        let base = try await scans.viewer(try context.uuidParameter("id"), account: account, forExport: false)
        let (query, viewer) = try await scans.parse(request.query, viewer: base, now: services.time.seconds())
        let (rows, next) = try await scans.page(query, viewer: viewer)
        try await PrivacyGate(services: services).logViews(viewer.shownInFull(rows), disclosure: viewer.disclosure, viewer: account.id, place: viewer.place.id)
        let counts = query.cursor == nil ? try await scans.counts(query, viewer: viewer).counts : nil
        return JSONResponse(ScanPage(items: rows.map { scans.item($0, viewer: viewer) }, next: next.map(ScanHistoryService.encodeCursor), counts: counts))
    }

    @Sendable func csv(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await export(request, context: context, format: .csv)
    }

    @Sendable func xlsx(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await export(request, context: context, format: .xlsx)
    }

    func export(_ request: Request, context: AppRequestContext, format: ScanHistoryService.Format) async throws -> Response {
        let account = try context.requireAccount()
        let base = try await scans.viewer(try context.uuidParameter("id"), account: account, forExport: true)
        var (query, viewer) = try await scans.parse(request.query, viewer: base, now: services.time.seconds())
        query.cursor = nil
        return await scans.export(query, viewer: viewer, format: format, language: context.language, audit: AuditSource(request, context))
    }

    // MARK: Work history

    struct WorkBody: Encodable, Sendable {
        struct Day: Encodable, Sendable { let day: String; let scans: Int }
        struct Action: Encodable, Sendable {
            let at: String
            let placeId: String
            let placeName: String?
            let action: String
            let ip: String
            let details: [String: String]
        }
        let scansPerDay: [Day]
        let actions: [Action]
    }

    static let workDays = 30

    func workBody(_ account: Account) async throws -> WorkBody {
        let now = services.time.seconds()
        let since = LocalTime.startOfDay(containing: now) - Int64(Self.workDays - 1) * 86_400
        let days = try await services.store.scanHistory.scansPerDay(scannedBy: account.id, since: since)
        let actions = try await services.store.history.entries(accountId: account.id, actions: nil, limit: 200)
        return WorkBody(
            scansPerDay: days.map { WorkBody.Day(day: LocalDay.string($0.day), scans: $0.count) },
            actions: actions.map { e in
                WorkBody.Action(at: ISOTime.string(e.at), placeId: e.placeId.uuidString, placeName: e.placeName, action: e.action, ip: e.ip,
                      details: Self.item(e).details)
            })
    }

    @Sendable func work(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<WorkBody> {
        JSONResponse(try await workBody(try context.requireAccount()))
    }
}

/// `2026-11-23` for the local day starting at a Unix second.
enum LocalDay {
    static func string(_ start: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: Int(LocalTime.offsetSeconds))!
        let c = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(start)))
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
