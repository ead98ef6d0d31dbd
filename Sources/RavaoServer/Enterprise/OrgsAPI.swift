import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/api/v1/orgs…` and `/api/v1/board…`: organisations, members, places, roster, coverage, buses.
struct OrgsAPI {
    let services: AppServices
    var orgs: OrgService { OrgService(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("orgs", use: create)
        group.get("orgs", use: list)
        group.get("orgs/:id", use: show)
        group.patch("orgs/:id", use: update)
        group.get("orgs/:id/places", use: places)
        group.post("orgs/:id/places", use: addPlace)
        group.delete("orgs/:id/places/:placeId", use: removePlace)
        group.get("orgs/:id/members", use: members)
        group.post("orgs/:id/members", use: setMember)
        group.delete("orgs/:id/members/:phone", use: removeMember)
        group.post("orgs/:id/roster", use: importRoster)
        group.post("orgs/:id/roster/preview", use: previewRoster)
        group.get("orgs/:id/employees", use: employees)
        group.post("orgs/:id/employees", use: addEmployee)
        group.put("orgs/:id/employees/:employeeId", use: editEmployee)
        group.delete("orgs/:id/employees/:employeeId", use: deleteEmployee)
        group.get("orgs/:id/coverage", use: coverage)
        group.get("orgs/:id/coverage.csv", use: coverageCSV)
        group.get("orgs/:id/coverage/history", use: history)
        group.get("orgs/:id/buses", use: buses)
        group.get("orgs/:id/buses/:placeId/trips", use: trips)
        group.get("board/coverage", use: board)
    }

    // MARK: Wire types

    struct OrgBody: Encodable, Sendable {
        let id: String
        let name: String
        let role: String
        let tripGapMinutes: Int
        let createdAt: String
    }
    struct CreateBody: Decodable { let name: String? }
    struct PatchBody: Decodable { let name: String?; let tripGapMinutes: Int? }
    struct PlaceRef: Decodable { let placeId: String? }
    struct OrgPlaceBody: Encodable, Sendable { let id: String; let name: String; let type: String; let plate: String?; let parentId: String?; let direct: Bool }
    struct MemberInput: Decodable { let phone: String?; let role: String? }
    struct MemberBody: Encodable, Sendable { let phone: String; let role: String; let createdAt: String }
    struct RosterBody: Encodable, Sendable {
        let imported: Int
        let errors: [RosterCSV.Problem]
        let encoding: String
        let separator: String
        let error: ErrorBody?
        var mode: String = OrgStore.ImportMode.merge.rawValue
        var added = 0
        var updated = 0
        var removed = 0
    }
    struct ErrorBody: Encodable, Sendable { let code: String; let message: String; let messageVi: String }
    struct PreviewBody: Encodable, Sendable {
        let count: Int
        let columns: [String]
        let encoding: String
        let separator: String
        let rows: [EmployeeBody]
        let errors: [RosterCSV.Problem]
        let currentCount: Int
        /// What the import would do: rows added, people updated, and (for `replace`) everyone removed.
        var mode: String = OrgStore.ImportMode.merge.rawValue
        var added = 0
        var updated = 0
        var removed: [EmployeeBody] = []
    }
    struct EmployeeBody: Encodable, Sendable {
        let id: String?
        let row: Int?
        let employeeNumber: String
        let name: String
        let phone: String?
        let cccd: String?
        let bhyt: String?
        let department: String
    }
    struct EmployeeList: Encodable, Sendable { let items: [EmployeeBody]; let total: Int; let limit: Int; let offset: Int }
    struct MissingBody: Encodable, Sendable { let id: String; let employeeNumber: String; let name: String; let department: String; let phone: String? }
    struct DepartmentBody: Encodable, Sendable { let name: String; let total: Int; let present: Int; let percent: Double }
    struct CoverageBody: Encodable, Sendable {
        let orgId: String
        let date: String
        let view: String
        let total: Int
        let present: Int
        let percent: Double
        let departments: [DepartmentBody]
        /// Absent for a board: statistics only, never names or phones.
        let missing: [MissingBody]?
    }
    struct DayBody: Encodable, Sendable { let date: String; let present: Int; let total: Int; let percent: Double }
    struct HistoryBody: Encodable, Sendable { let orgId: String; let days: [DayBody] }
    struct BusBody: Encodable, Sendable { let id: String; let name: String; let plate: String? }
    struct RiderBody: Encodable, Sendable {
        let name: String
        let matched: Bool
        let employeeNumber: String?
        let department: String?
        let phone: String?
        let direction: String
        let scannedAt: String
    }
    struct TripBody: Encodable, Sendable { let start: String; let end: String; let scans: Int; let riders: [RiderBody] }
    struct TripsBody: Encodable, Sendable { let place: BusBody; let date: String; let gapMinutes: Int; let trips: [TripBody] }
    struct BoardRow: Encodable, Sendable { let id: String; let name: String; let role: String; let total: Int; let present: Int; let percent: Double }
    struct BoardBody: Encodable, Sendable { let date: String; let orgs: [BoardRow] }

    // MARK: Organisations

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<OrgBody> {
        let account = try context.requireAccount()
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        let org = try await orgs.create(name: body.name, by: account)
        return JSONResponse(Self.orgBody(org, role: .owner), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[OrgBody]> {
        let account = try context.requireAccount()
        return JSONResponse(try await orgs.store.orgs(of: account.phone).map { Self.orgBody($0.org, role: $0.role) })
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<OrgBody> {
        let (org, role) = try await orgs.access(try context.uuidParameter("id"), account: try context.requireAccount())
        return JSONResponse(Self.orgBody(org, role: role))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<OrgBody> {
        let account = try context.requireAccount()
        let id = try context.uuidParameter("id")
        _ = try await orgs.access(id, account: account)
        let body = try await request.decodeJSON(PatchBody.self, context: context)
        try await orgs.update(id, name: body.name, tripGapMinutes: body.tripGapMinutes, by: account)
        let (org, role) = try await orgs.access(id, account: account)
        return JSONResponse(Self.orgBody(org, role: role))
    }

    // MARK: Places and members

    @Sendable func places(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[OrgPlaceBody]> {
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: try context.requireAccount())
        return JSONResponse(try await orgs.store.places(of: org.id).map {
            OrgPlaceBody(id: $0.place.id.uuidString, name: $0.place.name, type: $0.place.type, plate: $0.place.plate,
                         parentId: $0.place.parentId?.uuidString, direct: $0.direct)
        })
    }

    @Sendable func addPlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.uuidParameter("id")
        _ = try await orgs.staffAccess(id, account: account)
        let body = try await request.decodeJSON(PlaceRef.self, context: context)
        try await orgs.addPlace(id, placeId: body.placeId.flatMap(UUID.init(uuidString:)), by: account)
        return Response(status: .noContent)
    }

    @Sendable func removePlace(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await orgs.removePlace(try context.uuidParameter("id"), placeId: try context.uuidParameter("placeId"), by: try context.requireAccount())
        return Response(status: .noContent)
    }

    @Sendable func members(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[MemberBody]> {
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: try context.requireAccount())
        return JSONResponse(try await orgs.store.members(of: org.id).map {
            MemberBody(phone: $0.phone.national, role: $0.role.rawValue, createdAt: ISOTime.string($0.createdAt))
        })
    }

    @Sendable func setMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let account = try context.requireAccount()
        let id = try context.uuidParameter("id")
        _ = try await orgs.staffAccess(id, account: account)
        let body = try await request.decodeJSON(MemberInput.self, context: context)
        try await orgs.setMember(id, phone: body.phone, role: body.role, by: account)
        return Response(status: .noContent)
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await orgs.removeMember(try context.uuidParameter("id"), phone: context.parameters.get("phone") ?? "", by: try context.requireAccount())
        return Response(status: .noContent)
    }

    // MARK: Roster

    static func mode(_ request: Request) throws -> OrgStore.ImportMode {
        // Merging removes nobody, so it is what an import does unless asked otherwise.
        guard let text = request.query.get("mode") else { return .merge }
        guard let mode = OrgStore.ImportMode(rawValue: text) else {
            throw AppError.badRequest("invalid_mode", en: "mode must be merge, replace or append.", vi: "mode phải là merge, replace hoặc append.")
        }
        return mode
    }

    static func fileBytes(_ request: Request) async throws -> [UInt8] {
        let buffer = try await request.body.collect(upTo: OrgService.maxRosterBytes)
        guard buffer.readableBytes > 0 else {
            throw AppError.badRequest("empty_body", en: "Send the CSV file as the request body (Content-Type: text/csv).",
                                      vi: "Gửi tệp CSV trong nội dung yêu cầu (Content-Type: text/csv).")
        }
        return Array(buffer.readableBytesView)
    }

    static func separatorName(_ c: Character) -> String { c == "\t" ? "tab" : String(c) }

    @Sendable func importRoster(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<RosterBody> {
        let account = try context.requireAccount()
        let id = try context.uuidParameter("id")
        _ = try await orgs.staffAccess(id, account: account)
        let mode = try Self.mode(request)
        let expect: Int? = try request.query.get("expectRemoved").map {
            guard let n = Int($0), n >= 0 else {
                throw AppError.badRequest("invalid_expect_removed", en: "expectRemoved must be a count.", vi: "expectRemoved phải là một số.")
            }
            return n
        }
        let result = try await orgs.importRoster(id, bytes: try await Self.fileBytes(request), mode: mode, expectRemoved: expect, by: account)
        if result.problems.isEmpty {
            return JSONResponse(RosterBody(imported: result.imported, errors: [], encoding: result.parsed.encoding,
                                           separator: Self.separatorName(result.parsed.separator), error: nil,
                                           mode: mode.rawValue, added: result.added, updated: result.updated, removed: result.removed))
        }
        let first = result.problems[0]
        let where_ = first.row > 0 ? "row \(first.row): " : ""
        let whereVi = first.row > 0 ? "dòng \(first.row): " : ""
        return JSONResponse(RosterBody(imported: 0, errors: result.problems, encoding: result.parsed.encoding,
                                       separator: Self.separatorName(result.parsed.separator),
                                       error: ErrorBody(code: "roster_invalid",
                                                        message: "Nothing was imported; \(result.problems.count) problem(s), first \(where_)\(first.message)",
                                                        messageVi: "Chưa nhập gì; có \(result.problems.count) lỗi, đầu tiên ở \(whereVi)\(first.messageVi)")),
                            status: .unprocessableContent)
    }

    @Sendable func previewRoster(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PreviewBody> {
        let account = try context.requireAccount()
        let id = try context.uuidParameter("id")
        _ = try await orgs.staffAccess(id, account: account)
        let mode = try Self.mode(request)
        let parsed = RosterCSV.parse(try await Self.fileBytes(request))
        var problems = parsed.problems
        var plan = OrgStore.RosterPlan()
        if problems.isEmpty {
            switch mode {
            case .append: problems = try await orgs.store.clashes(org: id, rows: parsed.rows).map(OrgService.problem(from:))
            case .merge, .replace:
                plan = try await orgs.store.plan(org: id, rows: parsed.rows)
                if mode == .merge { problems = plan.clashes.map(OrgService.problem(from:)) }
            }
        }
        let current = try await orgs.store.employeeCount(of: id)
        return JSONResponse(PreviewBody(
            count: parsed.rows.count, columns: parsed.columns.map(\.rawValue), encoding: parsed.encoding,
            separator: Self.separatorName(parsed.separator), rows: parsed.rows.prefix(200).map(Self.employeeBody(row:)),
            errors: problems, currentCount: current, mode: mode.rawValue,
            added: mode == .merge ? plan.added : parsed.rows.count, updated: mode == .merge ? plan.updated : 0,
            // Everyone a replace would remove, by name: people on the roster that no row of the file names.
            removed: mode == .replace && problems.isEmpty ? plan.unmatched.map(Self.employeeBody) : []))
    }

    @Sendable func employees(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<EmployeeList> {
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: try context.requireAccount())
        let limit = min(max(Int(request.query.get("limit") ?? "") ?? 500, 1), 5000)
        let offset = max(Int(request.query.get("offset") ?? "") ?? 0, 0)
        let items = try await orgs.store.employees(of: org.id, limit: limit, offset: offset)
        return JSONResponse(EmployeeList(items: items.map(Self.employeeBody), total: try await orgs.store.employeeCount(of: org.id),
                                         limit: limit, offset: offset))
    }

    @Sendable func addEmployee(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<EmployeeBody> {
        let account = try context.requireAccount()
        let orgId = try context.uuidParameter("id")
        _ = try await orgs.staffAccess(orgId, account: account)
        let input = try await request.decodeJSON(OrgService.EmployeeInput.self, context: context)
        let id = try await orgs.saveEmployee(orgId, id: nil, input: input, by: account)
        return JSONResponse(Self.employeeBody(try await orgs.store.employee(id: id, org: orgId)!), status: .created)
    }

    @Sendable func editEmployee(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<EmployeeBody> {
        let account = try context.requireAccount()
        let orgId = try context.uuidParameter("id")
        _ = try await orgs.staffAccess(orgId, account: account)
        let input = try await request.decodeJSON(OrgService.EmployeeInput.self, context: context)
        let id = try await orgs.saveEmployee(orgId, id: try context.uuidParameter("employeeId"), input: input, by: account)
        return JSONResponse(Self.employeeBody(try await orgs.store.employee(id: id, org: orgId)!))
    }

    @Sendable func deleteEmployee(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await orgs.deleteEmployee(try context.uuidParameter("id"), id: try context.uuidParameter("employeeId"), by: try context.requireAccount())
        return Response(status: .noContent)
    }

    // MARK: Coverage

    @Sendable func coverage(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<CoverageBody> {
        let (org, role) = try await orgs.access(try context.uuidParameter("id"), account: try context.requireAccount())
        let date = try orgs.day(request.query.get("date"))
        let coverage = try await orgs.coverage(org, on: date, withMissing: role.seesPeople)
        return JSONResponse(Self.coverageBody(org, date: date, coverage: coverage, role: role))
    }

    static func coverageBody(_ org: OrgStore.Org, date: LocalDate, coverage: OrgStore.Coverage, role: OrgStore.Role) -> CoverageBody {
        CoverageBody(
            orgId: org.id.uuidString, date: date.description, view: role.seesPeople ? "full" : "statistics",
            total: coverage.total, present: coverage.present, percent: OrgService.percent(coverage.present, of: coverage.total),
            departments: coverage.departments.map {
                DepartmentBody(name: $0.department, total: $0.total, present: $0.present, percent: OrgService.percent($0.present, of: $0.total))
            },
            missing: role.seesPeople ? coverage.missing.map {
                MissingBody(id: $0.id.uuidString, employeeNumber: $0.employeeNumber, name: $0.fullName, department: $0.department, phone: $0.phone?.national)
            } : nil)
    }

    @Sendable func coverageCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: try context.requireAccount())
        let date = try orgs.day(request.query.get("date"))
        let coverage = try await orgs.coverage(org, on: date, withMissing: true)
        return Self.missingCSV(coverage, date: date, language: context.language)
    }

    static func missingCSV(_ coverage: OrgStore.Coverage, date: LocalDate, language: Language) -> Response {
        let header = language == .en ? ["Employee number", "Name", "Department", "Phone", "Date"]
                                     : ["Mã nhân viên", "Họ tên", "Phòng ban", "Số điện thoại", "Ngày"]
        let csv = CSVExport.document(header: header, rows: coverage.missing.map {
            [$0.employeeNumber, $0.fullName, $0.department, $0.phone?.national ?? "", DisplayDate.day(date.description)]
        })
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                                               .contentDisposition: "attachment; filename=\"missing-\(date).csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: csv)))
    }

    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<HistoryBody> {
        let (org, _) = try await orgs.access(try context.uuidParameter("id"), account: try context.requireAccount())
        let date = try orgs.day(request.query.get("date"))
        let days = try await orgs.history(org, endingAt: date)
        return JSONResponse(HistoryBody(orgId: org.id.uuidString, days: days.map {
            DayBody(date: $0.date.description, present: $0.present, total: $0.total, percent: OrgService.percent($0.present, of: $0.total))
        }))
    }

    // MARK: Buses

    @Sendable func buses(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[BusBody]> {
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: try context.requireAccount())
        return JSONResponse(try await orgs.buses(org).map { BusBody(id: $0.id.uuidString, name: $0.name, plate: $0.plate) })
    }

    @Sendable func trips(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<TripsBody> {
        let (org, _) = try await orgs.staffAccess(try context.uuidParameter("id"), account: try context.requireAccount())
        let date = try orgs.day(request.query.get("date"))
        let gap = try orgs.gap(request.query.get("gap"), default: org.tripGapMinutes)
        let (place, trips) = try await orgs.trips(org, placeId: try context.uuidParameter("placeId"), on: date, gapMinutes: gap)
        return JSONResponse(TripsBody(place: BusBody(id: place.id.uuidString, name: place.name, plate: place.plate), date: date.description,
                                      gapMinutes: gap, trips: trips.map(Self.tripBody)))
    }

    static func tripBody(_ trip: OrgService.Trip) -> TripBody {
        TripBody(start: ISOTime.string(trip.start), end: ISOTime.string(trip.end), scans: trip.rides.count, riders: riders(trip).map { ride in
            RiderBody(name: ride.employee?.fullName ?? Masking.name(ride.fullName), matched: ride.employee != nil,
                      employeeNumber: ride.employee?.employeeNumber, department: ride.employee?.department,
                      phone: ride.employee?.phone?.national, direction: ride.direction, scannedAt: ISOTime.string(ride.scannedAt))
        })
    }

    /// Each rider once per trip, at their first scan of it.
    static func riders(_ trip: OrgService.Trip) -> [OrgStore.Ride] {
        var seen = Set<String>()
        return trip.rides.filter { seen.insert($0.personId).inserted }
    }

    // MARK: Board

    @Sendable func board(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<BoardBody> {
        let account = try context.requireAccount()
        let date = try orgs.day(request.query.get("date"))
        var rows: [BoardRow] = []
        for (org, role) in try await orgs.store.orgs(of: account.phone) {
            let coverage = try await orgs.coverage(org, on: date, withMissing: false)
            rows.append(BoardRow(id: org.id.uuidString, name: org.name, role: role.rawValue, total: coverage.total, present: coverage.present,
                                 percent: OrgService.percent(coverage.present, of: coverage.total)))
        }
        return JSONResponse(BoardBody(date: date.description, orgs: rows))
    }

    // MARK: Helpers

    static func orgBody(_ org: OrgStore.Org, role: OrgStore.Role) -> OrgBody {
        OrgBody(id: org.id.uuidString, name: org.name, role: role.rawValue, tripGapMinutes: org.tripGapMinutes, createdAt: ISOTime.string(org.createdAt))
    }

    static func employeeBody(_ e: OrgStore.Employee) -> EmployeeBody {
        EmployeeBody(id: e.id.uuidString, row: nil, employeeNumber: e.employeeNumber, name: e.fullName, phone: e.phone?.national,
                     cccd: e.cccd, bhyt: e.bhyt, department: e.department)
    }

    static func employeeBody(row r: RosterCSV.Row) -> EmployeeBody {
        EmployeeBody(id: nil, row: r.row, employeeNumber: r.employeeNumber, name: r.name, phone: r.phone?.national, cccd: r.cccd,
                     bhyt: r.bhyt, department: r.department)
    }
}
