import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// The authorities' JSON API (A1–A6): officers, tracing, marks and verified records, zones,
/// dashboard counts, the risk list and place alerts. Every route needs an officer in jurisdiction.
struct AuthoritiesAPI {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }
    var authority: AuthorityService { AuthorityService(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("officers/me", use: me)
        group.get("officers", use: officers)
        group.post("officers", use: createOfficer)
        group.post("tracing", use: trace)
        group.post("people/:id/marks", use: mark)
        group.post("people/:id/vaccinations", use: vaccination)
        group.post("people/:id/tests", use: test)
        group.get("zones", use: zones)
        group.post("zones", use: createZone)
        group.post("zones/:id/lift", use: liftZone)
        group.get("stats", use: stats)
        group.get("risk", use: risk)
        group.post("alerts/place", use: placeAlert)
        group.get("jurisdiction/places", use: PlaceFinder(services: services).api)
    }

    // MARK: Officers

    struct OfficerBody: Encodable, Sendable {
        let accountId: String
        let phone: String
        let unitCode: String
        let unitName: String
        let functions: [String]
    }

    func describe(_ officer: OfficerStore.Officer) async throws -> OfficerBody {
        let scheme = try await services.store.units.activeScheme()
        let name = officer.unitCode == Jurisdiction.countryCode ? "Việt Nam" : try await services.store.units.unit(officer.unitCode, scheme: scheme)?.name ?? officer.unitCode
        return OfficerBody(accountId: officer.accountId.uuidString, phone: PhoneNumber(officer.phone)?.national ?? officer.phone, unitCode: officer.unitCode,
                           unitName: name, functions: OfficerFunction.allCases.filter(officer.functions.contains).map(\.rawValue))
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<OfficerBody> {
        JSONResponse(try await describe(try await access.officer(context).record))
    }

    @Sendable func officers(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[OfficerBody]> {
        let officer = try await access.officer(context)
        var out: [OfficerBody] = []
        for other in try await services.store.officers.all() {
            guard let unit = try await access.jurisdiction(of: other.unitCode), try await access.contains(officer.jurisdiction, unit) else { continue }
            out.append(try await describe(other))
        }
        return JSONResponse(out)
    }

    struct CreateOfficer: Decodable { let phone: String?; let unitCode: String?; let functions: [String]? }

    @Sendable func createOfficer(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<OfficerBody> {
        let officer = try await access.officer(context)
        let body = try await request.decodeJSON(CreateOfficer.self, context: context)
        let created = try await OfficerAdmin(services: services).create(phone: body.phone, unitCode: body.unitCode,
                                                                          functions: (body.functions ?? []).joined(separator: ","), by: officer)
        return JSONResponse(try await describe(created), status: .created)
    }

    // MARK: Tracing

    struct PersonRef: Decodable { let phone: String?; let cccd: String?; let personId: UUID?; let payload: String? }
    struct TraceBody: Decodable { let person: PersonRef?; let from: String?; let to: String?; let bufferMinutes: Int?; let depth: Int? }

    struct StayBody: Encodable, Sendable { let placeId: String; let placeName: String; let from: String; let to: String }
    struct ContactBody: Encodable, Sendable {
        let personId: String
        let level: Int
        let placeId: String
        let placeName: String
        let from: String
        let to: String
        let sourcePersonId: String
        let sourceFrom: String
        let sourceTo: String
        let name: String
        let phone: String?
    }
    struct TraceAnswer: Encodable, Sendable {
        let personId: String
        let from: String
        let to: String
        let bufferMinutes: Int
        let depth: Int
        let stays: [StayBody]
        let contacts: [ContactBody]
    }

    static func personKey(_ ref: PersonRef?) throws -> AuthorityService.PersonKey {
        if let id = ref?.personId { return .personId(id) }
        if let phone = ref?.phone.nonEmpty { return .phone(phone) }
        if let cccd = ref?.cccd.nonEmpty { return .cccd(cccd) }
        if let payload = ref?.payload.nonEmpty { return .payload(payload) }
        throw personRequired
    }

    static let personRequired = AppError(.unprocessableContent, "person_required", en: "Name the person by phone, cccd, personId or payload.",
                                         vi: "Cần xác định người bằng số điện thoại, CCCD, mã người (personId) hoặc nội dung quét.",
                                         fields: [FieldError("person", en: "Name the person by phone, cccd, personId or payload.", vi: "Cần số điện thoại, CCCD hoặc mã người.")])

    @Sendable func trace(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<TraceAnswer> {
        let officer = try await access.officer(context, needs: .health)
        let body = try await request.decodeJSON(TraceBody.self, context: context)
        let key = try Self.personKey(body.person)
        let (from, to, buffer, depth) = try AuthorityService.validate(from: LocalISO.parse(body.from), to: LocalISO.parse(body.to),
                                                                      bufferMinutes: body.bufferMinutes, depth: body.depth)
        let person = try await authority.findPerson(key)
        let answer = try await runTrace(.init(person: person, from: from, to: to, bufferMinutes: buffer, depth: depth), officer: officer)
        return JSONResponse(answer)
    }

    func runTrace(_ trace: AuthorityService.TraceRequest, officer: OfficerAccess.Officer) async throws -> TraceAnswer {
        try await runTraceKeepingResult(trace, officer: officer).answer
    }

    /// The answer and the trace behind it, for a caller that acts on the contacts it showed.
    func runTraceKeepingResult(_ trace: AuthorityService.TraceRequest, officer: OfficerAccess.Officer) async throws -> (answer: TraceAnswer, result: Tracing.Result) {
        let (result, _) = try await authority.trace(trace, by: officer)
        let store = services.store.tracing()
        let names = try await store.placeNames(result.stays.map(\.placeId) + result.contacts.map(\.placeId))
        let people = try await store.summaries(result.contacts.map(\.personId))
        let answer = TraceAnswer(
            personId: trace.person.uuidString, from: LocalISO.string(trace.from), to: LocalISO.string(trace.to), bufferMinutes: trace.bufferMinutes, depth: trace.depth,
            stays: result.stays.map { StayBody(placeId: $0.placeId.uuidString, placeName: names[$0.placeId] ?? "", from: LocalISO.string($0.stay.from), to: LocalISO.string($0.stay.to)) },
            contacts: result.contacts.map { c in
                // Tracing needs the health function, which entitles the officer to full names and phones (logged).
                ContactBody(personId: c.personId.uuidString, level: c.level, placeId: c.placeId.uuidString, placeName: names[c.placeId] ?? "",
                            from: LocalISO.string(c.from), to: LocalISO.string(c.to), sourcePersonId: c.sourcePerson.uuidString,
                            sourceFrom: LocalISO.string(c.source.from), sourceTo: LocalISO.string(c.source.to),
                            name: people[c.personId]?.fullName ?? "", phone: people[c.personId]?.phone.flatMap { PhoneNumber($0)?.national ?? $0 })
            })
        return (answer, result)
    }

    // MARK: Marks and verified records

    struct MarkBody: Decodable { let mark: String? }

    static func caseMark(_ text: String?) throws -> CaseMark? {
        if text == nil || text == "none" { return nil }
        guard let mark = CaseMark(rawValue: text!.uppercased()) else {
            throw AppError(.unprocessableContent, "invalid_mark", en: "mark must be F0, F1, F2 or none.", vi: "Phân loại phải là F0, F1, F2 hoặc none.",
                           fields: [FieldError("mark", en: "mark must be F0, F1, F2 or none.", vi: "Phân loại phải là F0, F1, F2 hoặc none.")])
        }
        return mark
    }

    @Sendable func mark(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .health)
        let person = try await access.person(try context.uuidParameter("id"), for: officer)
        let body = try await request.decodeJSON(MarkBody.self, context: context)
        // An absent mark is an error, not "clear": clearing is asked for by name ("none").
        try await authority.mark(person, try Self.caseMark(body.mark ?? "?"), source: "officer", by: officer)
        return Response(status: .noContent)
    }

    @Sendable func vaccination(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .health)
        let person = try await access.person(try context.uuidParameter("id"), for: officer)
        let body = try await request.decodeJSON(CitizenService.DoseFields.self, context: context)
        try await CitizenService(services: services).addDose(body, for: person, by: officer.account, verified: true)
        return Response(status: .created)
    }

    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .health)
        let person = try await access.person(try context.uuidParameter("id"), for: officer)
        let body = try await request.decodeJSON(CitizenService.TestFields.self, context: context)
        try await CitizenService(services: services).addTest(body, for: person, by: officer.account, verified: true)
        return Response(status: .created)
    }

    // MARK: Zones

    struct ZoneBody: Encodable, Sendable { let id: String; let unitCode: String; let unitName: String; let level: String; let from: String; let to: String?; let inForce: Bool }
    struct CreateZone: Decodable { let unitCode: String?; let level: String?; let from: String?; let to: String? }

    func describe(_ zone: OfficerStore.ZoneRow) async throws -> ZoneBody {
        let scheme = try await services.store.units.activeScheme()
        let now = services.time.seconds()
        return ZoneBody(id: zone.id.uuidString, unitCode: zone.unitCode, unitName: try await services.store.units.unit(zone.unitCode, scheme: scheme)?.name ?? zone.unitCode,
                        level: zone.level, from: LocalISO.string(zone.from), to: zone.to.map(LocalISO.string), inForce: zone.from <= now && (zone.to ?? .max) > now)
    }

    /// Zones whose unit lies inside the officer's jurisdiction.
    func visibleZones(_ officer: OfficerAccess.Officer) async throws -> [OfficerStore.ZoneRow] {
        var out: [OfficerStore.ZoneRow] = []
        for zone in try await services.store.officers.zones() {
            if let unit = try await access.jurisdiction(of: zone.unitCode), try await access.contains(officer.jurisdiction, unit) { out.append(zone) }
        }
        return out
    }

    @Sendable func zones(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[ZoneBody]> {
        let officer = try await access.officer(context)
        var out: [ZoneBody] = []
        for zone in try await visibleZones(officer) { out.append(try await describe(zone)) }
        return JSONResponse(out)
    }

    @Sendable func createZone(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<ZoneBody> {
        let officer = try await access.officer(context, needs: .zones)
        let body = try await request.decodeJSON(CreateZone.self, context: context)
        let zone = try await ZoneRules(services: services).declare(unitCode: body.unitCode, level: body.level, from: body.from, to: body.to, by: officer)
        return JSONResponse(try await describe(zone), status: .created)
    }

    @Sendable func liftZone(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .zones)
        try await ZoneRules(services: services).lift(try context.uuidParameter("id"), by: officer)
        return Response(status: .noContent)
    }

    // MARK: Dashboard

    struct CountsBody: Encodable, Sendable { let unit: String; let name: String; let places: Int; let activePlaces: Int; let scans: Int; let people: Int }
    struct DayBody: Encodable, Sendable { let date: String; let activePlaces: Int; let scans: Int; let people: Int }
    struct StatsBody: Encodable, Sendable {
        let unit: String; let name: String; let from: String; let to: String; let type: String?
        let places: Int; let activePlaces: Int; let scans: Int; let people: Int
        let children: [CountsBody]; let days: [DayBody]
    }

    @Sendable func stats(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<StatsBody> {
        let officer = try await access.officer(context, needs: .statistics)
        let q = request.query
        return JSONResponse(try await Dashboard(services: services).stats(unit: q.get("unit"), from: q.get("from"), to: q.get("to"), type: q.get("type"), officer: officer))
    }

    // MARK: Risk list

    struct RiskBody: Encodable, Sendable { let personId: String; let name: String; let phone: String?; let wardCode: String?; let reasons: [String]; let masked: Bool }

    @Sendable func risk(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[RiskBody]> {
        let officer = try await access.officer(context)
        guard officer.can(.health) || officer.can(.statistics) else { throw OfficerAccess.missing(.health) }
        let q = request.query
        let rows = try await RiskList(services: services).rows(unit: q.get("unit"), reason: q.get("reason"), officer: officer)
        return JSONResponse(rows.map { RiskBody(personId: $0.personId.uuidString, name: $0.name, phone: $0.phone, wardCode: $0.wardCode, reasons: $0.reasons, masked: $0.masked) })
    }

    // MARK: Place alert

    struct AlertBody: Decodable { let placeId: UUID?; let from: String?; let to: String?; let notify: Bool? }
    struct PresentBody: Encodable, Sendable { let personId: String; let name: String; let phone: String?; let from: String; let to: String }
    struct AlertAnswer: Encodable, Sendable { let placeId: String; let from: String; let to: String; let people: [PresentBody] }

    @Sendable func placeAlert(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<AlertAnswer> {
        let officer = try await access.officer(context, needs: .health)
        let body = try await request.decodeJSON(AlertBody.self, context: context)
        guard let placeId = body.placeId else {
            throw AppError(.unprocessableContent, "validation_failed", en: "placeId is required.", vi: "Cần mã địa điểm (placeId).",
                           fields: [FieldError("placeId", en: "placeId is required.", vi: "Cần mã địa điểm.")])
        }
        let (from, to, _, _) = try AuthorityService.validate(from: LocalISO.parse(body.from), to: LocalISO.parse(body.to), bufferMinutes: nil, depth: nil)
        let place = try await access.place(placeId, for: officer)
        let present = try await authority.placeAlert(place, from: from, to: to, by: officer, notify: body.notify ?? true)
        let people = try await services.store.tracing().summaries(present.map(\.personId))
        return JSONResponse(AlertAnswer(placeId: place.id.uuidString, from: LocalISO.string(from), to: LocalISO.string(to), people: present.map {
            PresentBody(personId: $0.personId.uuidString, name: people[$0.personId]?.fullName ?? "", phone: people[$0.personId]?.phone.flatMap { PhoneNumber($0)?.national ?? $0 },
                        from: LocalISO.string($0.from), to: LocalISO.string($0.to))
        }), status: .created)
    }
}
