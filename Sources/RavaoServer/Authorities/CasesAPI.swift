import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/api/v1/cases`: a health officer opens a tracing case for a person and a window; while it is open,
/// the nightly retention purge keeps every check-in of that window (trust rule 9). Closing it ends the hold.
struct CasesAPI {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("cases", use: list)
        group.post("cases", use: open)
        group.post("cases/:id/close", use: close)
    }

    struct OpenBody: Decodable { let personId: UUID?; let from: String?; let to: String?; let note: String? }
    struct CaseBody: Encodable, Sendable {
        let id: String; let personId: String; let unitCode: String; let from: String; let to: String; let note: String
        let openedAt: String; let open: Bool; let closedAt: String?
        init(_ c: CaseStore.Case) {
            id = c.id.uuidString; personId = c.personId.uuidString; unitCode = c.unitCode; from = LocalISO.string(c.from); to = LocalISO.string(c.to)
            note = c.note; openedAt = LocalISO.string(c.openedAt); open = c.closedAt == nil; closedAt = c.closedAt.map(LocalISO.string)
        }
    }

    /// Longest window a case may hold: retention is the rule, a hold the exception.
    static let maximumHoldDays: Int64 = 60

    @Sendable func open(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<CaseBody> {
        let officer = try await access.officer(context, needs: .health)
        let body = try await request.decodeJSON(OpenBody.self, context: context)
        var errors: [FieldError] = []
        if body.personId == nil { errors.append(FieldError("personId", en: "personId is required.", vi: "Thiếu personId.")) }
        let from = LocalISO.parse(body.from), to = LocalISO.parse(body.to)
        if from == nil { errors.append(FieldError("from", en: "from must be an ISO 8601 time with offset.", vi: "from phải theo ISO 8601 có múi giờ.")) }
        if to == nil { errors.append(FieldError("to", en: "to must be an ISO 8601 time with offset.", vi: "to phải theo ISO 8601 có múi giờ.")) }
        if let from, let to, from > to || to - from > Self.maximumHoldDays * 86_400 {
            errors.append(FieldError("to", en: "to must follow from, within \(Self.maximumHoldDays) days.", vi: "to phải sau from, tối đa \(Self.maximumHoldDays) ngày."))
        }
        let note = body.note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if note.count > 500 { errors.append(FieldError("note", en: "At most 500 characters.", vi: "Tối đa 500 ký tự.")) }
        try errors.throwIfAny()
        let person = try await access.person(body.personId!, for: officer)
        let now = services.time.seconds()
        let id = try await services.store.cases.open(person: person, by: officer.account.id, unitCode: officer.record.unitCode, from: from!, to: to!,
                                                     note: note, now: now)
        try await services.store.officers.audit(account: officer.account.id, action: "case_open", subjects: [person.uuidString], detail: id.uuidString, now: now)
        guard let opened = try await services.store.cases.find(id) else { throw AppError.notFound }
        return JSONResponse(CaseBody(opened), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[CaseBody]> {
        let officer = try await access.officer(context, needs: .health)
        var visible: [CaseBody] = []
        for c in try await services.store.cases.list(closedSince: services.time.seconds() - 28 * 86_400) where try await mayManage(c, officer: officer) {
            visible.append(CaseBody(c))
        }
        return JSONResponse(visible)
    }

    @Sendable func close(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .health)
        guard let found = try await services.store.cases.find(try context.uuidParameter("id")), try await mayManage(found, officer: officer) else {
            throw AppError.notFound
        }
        let now = services.time.seconds()
        guard try await services.store.cases.close(found.id, by: officer.account.id, now: now) else {
            throw AppError(.conflict, "case_closed", en: "This case is already closed.", vi: "Ca này đã đóng.")
        }
        try await services.store.officers.audit(account: officer.account.id, action: "case_close", subjects: [found.personId.uuidString], detail: found.id.uuidString, now: now)
        return Response(status: .noContent)
    }

    /// The officer who opened a case, or one whose jurisdiction holds the unit it was opened in.
    func mayManage(_ c: CaseStore.Case, officer: OfficerAccess.Officer) async throws -> Bool {
        if c.openedBy == officer.account.id { return true }
        guard let unit = try await access.jurisdiction(of: c.unitCode) else { return false }
        return try await access.contains(officer.jurisdiction, unit)
    }
}
