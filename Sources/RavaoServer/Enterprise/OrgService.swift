import Foundation
import RavaoCore
import RavaoStore

/// The rules of organisations (E1–E3): who may see and change what, roster imports, coverage and trips.
///
/// Non-members get 404 for an organisation, as for places, so ids cannot be probed. Owners and
/// managers see names; a board (a park's management, given access by phone) sees percentages only.
struct OrgService {
    let services: AppServices
    var store: OrgStore { services.store.orgs }
    typealias Role = OrgStore.Role

    static let notFound = AppError(.notFound, "org_not_found", en: "No such organisation, or you are not one of its members.",
                                   vi: "Không tìm thấy doanh nghiệp, hoặc bạn không phải thành viên.")

    func access(_ orgId: UUID, account: Account, needs: (Role) -> Bool = { _ in true }) async throws -> (OrgStore.Org, Role) {
        guard let org = try await store.org(id: orgId), let role = try await store.role(of: account.phone, in: orgId) else { throw Self.notFound }
        guard needs(role) else { throw AppError.forbidden }
        return (org, role)
    }

    /// Owners and managers: the people-level data of the company.
    func staffAccess(_ orgId: UUID, account: Account) async throws -> (OrgStore.Org, Role) {
        try await access(orgId, account: account, needs: { $0.seesPeople })
    }

    static func validName(_ name: String?) throws -> String {
        let name = (name ?? "").split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !name.isEmpty, name.count <= 200 else {
            throw AppError(.unprocessableContent, "invalid_name", en: "The organisation needs a name of at most 200 characters.",
                           vi: "Tên doanh nghiệp không được để trống và tối đa 200 ký tự.", fields: [FieldError("name", en: "Enter a name.", vi: "Nhập tên.")])
        }
        return name
    }

    func create(name: String?, by account: Account) async throws -> OrgStore.Org {
        try await store.create(name: try Self.validName(name), owner: account, now: services.time.seconds())
    }

    func update(_ orgId: UUID, name: String?, tripGapMinutes: Int?, by account: Account) async throws {
        let (org, _) = try await access(orgId, account: account, needs: { $0 == .owner })
        let gap = tripGapMinutes ?? org.tripGapMinutes
        guard (5...1440).contains(gap) else {
            throw AppError(.unprocessableContent, "invalid_gap", en: "The gap between trips must be 5 to 1440 minutes.",
                           vi: "Khoảng cách giữa hai chuyến phải từ 5 đến 1440 phút.")
        }
        try await store.update(id: orgId, name: name == nil ? org.name : try Self.validName(name), tripGapMinutes: gap)
    }

    /// A place joins an organisation only by someone who owns the place and runs the organisation.
    func addPlace(_ orgId: UUID, placeId: UUID?, by account: Account) async throws {
        _ = try await staffAccess(orgId, account: account)
        guard let placeId, let place = try await services.store.places.place(id: placeId), place.deletedAt == nil,
              let role = try await services.store.places.role(of: account.id, at: placeId, now: services.time.seconds()) else {
            throw AppError(.notFound, "place_not_found", en: "No such place among yours.", vi: "Không tìm thấy địa điểm này trong các địa điểm của bạn.")
        }
        guard role == .owner else {
            throw AppError(.forbidden, "not_place_owner", en: "Only the place's owner can add it to an organisation.",
                           vi: "Chỉ chủ địa điểm mới được đưa địa điểm vào doanh nghiệp.")
        }
        try await store.addPlace(org: orgId, place: placeId, by: account.id, now: services.time.seconds())
    }

    func removePlace(_ orgId: UUID, placeId: UUID, by account: Account) async throws {
        _ = try await staffAccess(orgId, account: account)
        guard try await store.removePlace(org: orgId, place: placeId) else { throw AppError.notFound }
    }

    /// Owners decide who runs the company; owners and managers may share statistics with a board.
    func setMember(_ orgId: UUID, phone: String?, role: String?, by account: Account) async throws {
        let (_, mine) = try await staffAccess(orgId, account: account)
        guard let role = role.flatMap(Role.init(rawValue:)) else {
            throw AppError(.unprocessableContent, "invalid_role", en: "role must be owner, manager or board", vi: "vai trò phải là owner, manager hoặc board")
        }
        guard let phone = phone.flatMap(PhoneNumber.init) else {
            throw AppError(.unprocessableContent, "invalid_phone", en: "Enter a valid Vietnamese phone number.", vi: "Số điện thoại không hợp lệ.",
                           fields: [FieldError("phone", en: "Enter a valid Vietnamese phone number.", vi: "Số điện thoại không hợp lệ.")])
        }
        guard mine == .owner || role == .board else { throw AppError.forbidden }
        if mine != .owner, let existing = try await store.role(of: phone, in: orgId), existing != .board { throw AppError.forbidden }
        if phone == account.phone && role != mine {
            throw AppError(.conflict, "own_role", en: "You cannot change your own role.", vi: "Bạn không thể tự đổi vai trò của mình.")
        }
        try await store.setMember(org: orgId, phone: phone, role: role, by: account.id, now: services.time.seconds())
    }

    func removeMember(_ orgId: UUID, phone: String, by account: Account) async throws {
        let (_, mine) = try await staffAccess(orgId, account: account)
        guard let phone = PhoneNumber(phone) else { throw AppError.notFound }
        if mine != .owner {
            guard try await store.role(of: phone, in: orgId) == .board else { throw AppError.forbidden }
        }
        switch try await store.removeMember(org: orgId, phone: phone) {
        case .removed: return
        case .notMember: throw AppError.notFound
        case .lastOwner:
            throw AppError(.conflict, "last_owner", en: "An organisation must keep at least one owner.", vi: "Doanh nghiệp phải có ít nhất một chủ sở hữu.")
        }
    }

    // MARK: Roster

    static let maxRosterBytes = 16 * 1024 * 1024

    func importRoster(_ orgId: UUID, bytes: [UInt8], mode: OrgStore.ImportMode, by account: Account) async throws -> (imported: Int, problems: [RosterCSV.Problem], parsed: RosterCSV.Parsed) {
        let result = try await importRoster(orgId, bytes: bytes, mode: mode, expectRemoved: nil, by: account)
        return (result.imported, result.problems, result.parsed)
    }

    struct ImportResult: Sendable {
        var imported = 0, added = 0, updated = 0, removed = 0
        var problems: [RosterCSV.Problem] = []
        let parsed: RosterCSV.Parsed
    }

    static let rosterChanged = AppError(.conflict, "roster_changed",
                                        en: "The roster changed since the preview: the number of people a replace would remove is different. Preview again.",
                                        vi: "Danh sách đã thay đổi từ lúc xem trước: số người sẽ bị xóa khi thay thế đã khác. Hãy xem trước lại.")

    /// Imports a roster file. `expectRemoved` is what the preview of a replace showed: when the stored
    /// roster changed since, nothing is replaced (the person confirming saw another list).
    func importRoster(_ orgId: UUID, bytes: [UInt8], mode: OrgStore.ImportMode, expectRemoved: Int?, by account: Account) async throws -> ImportResult {
        _ = try await staffAccess(orgId, account: account)
        let parsed = RosterCSV.parse(bytes)
        var result = ImportResult(parsed: parsed)
        if !parsed.problems.isEmpty { result.problems = parsed.problems; return result }
        let now = services.time.seconds()
        if mode == .merge {
            switch try await store.mergeRoster(org: orgId, rows: parsed.rows, now: now) {
            case .saved(let counts): result.added = counts.added; result.updated = counts.updated; result.imported = counts.added + counts.updated
            case .clashes(let clashes): result.problems = clashes.map(Self.problem(from:))
            }
            return result
        }
        if mode == .replace {
            // A race with another import remains possible between this read and the write; the
            // count check is for the person who confirmed a preview minutes ago.
            let removed = try await store.plan(org: orgId, rows: parsed.rows).unmatched.count
            if let expectRemoved, expectRemoved != removed { throw Self.rosterChanged }
            result.removed = removed
        }
        switch try await store.importRoster(org: orgId, rows: parsed.rows, mode: mode, now: now) {
        case .saved(let n): result.imported = n; result.added = n
        case .clashes(let clashes): result.problems = clashes.map(Self.problem(from:)); result.removed = 0
        }
        return result
    }

    static func problem(from clash: OrgStore.Clash) -> RosterCSV.Problem {
        let (en, vi): (String, String) = switch clash.column {
        case .employeeNumber: ("employee number", "mã nhân viên")
        case .phone: ("phone number", "số điện thoại")
        case .cccd: ("CCCD number", "số CCCD")
        case .bhyt: ("BHYT number", "số BHYT")
        default: (clash.column.rawValue, clash.column.rawValue)
        }
        return RosterCSV.Problem(row: clash.row, column: clash.column.rawValue, code: "already_on_roster",
                                 en: "The \(en) belongs to \(clash.otherName), already on the roster.",
                                 vi: "\(vi.prefix(1).uppercased() + vi.dropFirst()) này là của \(clash.otherName), đã có trong danh sách.")
    }

    struct EmployeeInput: Decodable, Sendable {
        var name: String?
        var phone: String?
        var cccd: String?
        var bhyt: String?
        var department: String?
        var employeeNumber: String?
    }

    /// Adds (`id` nil) or edits one employee by hand, with the same checks as a file row.
    func saveEmployee(_ orgId: UUID, id: UUID?, input: EmployeeInput, by account: Account) async throws -> UUID {
        _ = try await staffAccess(orgId, account: account)
        if let id, try await store.employee(id: id, org: orgId) == nil { throw AppError.notFound }
        let (row, problems) = RosterCSV.validate(row: 0, name: input.name ?? "", phone: (input.phone ?? "").trimmed, cccd: (input.cccd ?? "").trimmed,
                                                 bhyt: (input.bhyt ?? "").trimmed, department: input.department ?? "",
                                                 employeeNumber: (input.employeeNumber ?? "").trimmed)
        try problems.map { FieldError($0.column, en: $0.message, vi: $0.messageVi) }.throwIfAny()
        switch try await store.save(org: orgId, id: id, row: row!, now: services.time.seconds()) {
        case .saved(let id): return id
        case .clashes(let clashes):
            let fields = clashes.map { Self.problem(from: $0) }.map { FieldError($0.column, en: $0.message, vi: $0.messageVi) }
            throw AppError(.conflict, "already_on_roster", en: fields[0].en, vi: fields[0].vi, fields: fields)
        }
    }

    func deleteEmployee(_ orgId: UUID, id: UUID, by account: Account) async throws {
        _ = try await staffAccess(orgId, account: account)
        guard try await store.deleteEmployee(id: id, org: orgId) else { throw AppError.notFound }
    }

    // MARK: Coverage

    /// `YYYY-MM-DD`, or today in Vietnam when absent.
    func day(_ text: String?) throws -> LocalDate {
        guard let text = text?.trimmed, !text.isEmpty else { return LocalDate(containing: services.time.seconds()) }
        guard let date = LocalDate(text) else {
            throw AppError.badRequest("invalid_date", en: "date must be YYYY-MM-DD, e.g. 2021-07-29.", vi: "Ngày phải có dạng YYYY-MM-DD, vd. 2021-07-29.")
        }
        return date
    }

    func coverage(_ org: OrgStore.Org, on date: LocalDate, withMissing: Bool) async throws -> OrgStore.Coverage {
        try await store.currentCoverage(org: org.id, day: date, withMissing: withMissing, now: services.time.seconds())
    }

    /// Percent present, one decimal; an empty roster is 0 %.
    static func percent(_ present: Int, of total: Int) -> Double {
        total == 0 ? 0 : (Double(present) * 1000 / Double(total)).rounded() / 10
    }

    /// The last 30 days ending at `date`, as percentages of today's roster size.
    func history(_ org: OrgStore.Org, endingAt date: LocalDate, days: Int = 30) async throws -> [(date: LocalDate, present: Int, total: Int)] {
        try await store.refreshPresence(org: org.id, now: services.time.seconds())
        let first = date.adding(days: -(days - 1))
        let counts = try await store.presentByDay(org: org.id, days: first...date)
        let total = try await store.employeeCount(of: org.id)
        return (0..<days).map { i in
            let d = first.adding(days: i)
            return (d, counts[d] ?? 0, total)
        }
    }

    // MARK: Buses

    struct Trip: Sendable {
        let start: Int64
        let end: Int64
        let rides: [OrgStore.Ride]
    }

    /// The places of the organisation a manifest can be asked for, buses (vehicles or plates) first.
    func buses(_ org: OrgStore.Org) async throws -> [Place] {
        try await store.places(of: org.id).map { $0.place }.filter { $0.type == "vehicle" || $0.plate != nil }
    }

    func trips(_ org: OrgStore.Org, placeId: UUID, on date: LocalDate, gapMinutes: Int) async throws -> (Place, [Trip]) {
        guard let place = try await store.places(of: org.id).map { $0.place }.first(where: { $0.id == placeId }) else { throw AppError.notFound }
        let rides = try await store.rides(org: org.id, place: placeId, from: date.start, to: date.end)
        let trips = Trips.group(rides, gap: Int64(gapMinutes) * 60, time: \.scannedAt).map {
            Trip(start: $0.first!.scannedAt, end: $0.last!.scannedAt, rides: $0)
        }
        return (place, trips)
    }

    func gap(_ text: String?, default value: Int) throws -> Int {
        guard let text = text?.trimmed, !text.isEmpty else { return value }
        guard let gap = Int(text), (5...1440).contains(gap) else {
            throw AppError.badRequest("invalid_gap", en: "gap must be 5 to 1440 minutes.", vi: "Khoảng cách giữa hai chuyến phải từ 5 đến 1440 phút.")
        }
        return gap
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
