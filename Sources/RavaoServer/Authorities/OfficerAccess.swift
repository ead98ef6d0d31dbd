import Foundation
import RavaoCore
import RavaoStore

/// The `officer` role (A1): who is an officer, of which unit, with which functions, and whether a
/// unit, place or person lies inside their jurisdiction. Every authority route goes through here.
struct OfficerAccess {
    let services: AppServices

    struct Officer: Sendable {
        let account: Account
        let record: OfficerStore.Officer
        let jurisdiction: Jurisdiction
        var functions: Set<OfficerFunction> { record.functions }
        func can(_ function: OfficerFunction) -> Bool { functions.contains(function) }
    }

    static let notOfficer = AppError(.forbidden, "not_officer", en: "Only officers of the authorities can open this.",
                                     vi: "Chỉ cán bộ cơ quan chức năng mới được truy cập.")
    static func missing(_ function: OfficerFunction) -> AppError {
        let vi = ["statistics": "thống kê", "health": "y tế/truy vết", "zones": "khoanh vùng dịch"][function.rawValue] ?? function.rawValue
        return AppError(.forbidden, "missing_function", en: "Your officer account does not have the \(function.rawValue) function.",
                        vi: "Tài khoản cán bộ của bạn không có chức năng \(vi).")
    }
    static func unmapped(_ code: String) -> AppError {
        AppError(.forbidden, "unit_unmapped", en: "Your unit \(code) is not in the active list of administrative units; an administrator must map it (ravao officer add --unit NEW).",
                 vi: "Đơn vị \(code) của bạn không có trong danh mục đơn vị hành chính đang dùng; quản trị viên cần gán lại đơn vị.")
    }
    static let outside = AppError(.forbidden, "outside_jurisdiction", en: "That is outside your jurisdiction.",
                                  vi: "Nội dung này nằm ngoài địa bàn bạn phụ trách.")
    static let unknownUnit = AppError(.unprocessableContent, "unknown_unit", en: "Unknown administrative unit code (use VN for the whole country).",
                                      vi: "Mã đơn vị hành chính không tồn tại (dùng VN cho toàn quốc).")

    /// The signed-in officer, or 401/403; `function` is required when given.
    func officer(_ context: AppRequestContext, needs function: OfficerFunction? = nil) async throws -> Officer {
        let account = try context.requireAccount()
        guard let record = try await services.store.officers.officer(account: account.id) else { throw Self.notOfficer }
        if let function, !record.functions.contains(function) { throw Self.missing(function) }
        // Trust rule 7: a unit the active list does not know (e.g. a 2021 district after the switch to the
        // 2025 list) grants nothing until an administrator maps it — never the whole country.
        guard let jurisdiction = try await jurisdiction(of: record) else { throw Self.unmapped(record.unitCode) }
        return Officer(account: account, record: record, jurisdiction: jurisdiction)
    }

    /// An officer's jurisdiction in the active list. A code given under the other list counts only
    /// where the change was one-to-one: the same code, level and name in both lists. Anything else
    /// (a 2021 district, a ward merged under another's code) grants nothing until it is mapped.
    func jurisdiction(of record: OfficerStore.Officer) async throws -> Jurisdiction? {
        if record.unitCode.uppercased() == Jurisdiction.countryCode { return .country }
        let active = try await services.store.units.activeScheme()
        guard let unit = try await services.store.units.unit(record.unitCode, scheme: active) else { return nil }
        if record.unitScheme != active.rawValue {
            guard let given = UnitScheme(rawValue: record.unitScheme),
                  let old = try await services.store.units.unit(record.unitCode, scheme: given),
                  old.level == unit.level, TextFolding.fold(old.name) == TextFolding.fold(unit.name) else { return nil }
        }
        return Jurisdiction(unit: unit)
    }

    /// The jurisdiction a unit code names in the active list; nil when unknown. `VN` is the country.
    func jurisdiction(of code: String) async throws -> Jurisdiction? {
        if code.uppercased() == Jurisdiction.countryCode { return .country }
        let scheme = try await services.store.units.activeScheme()
        guard let unit = try await services.store.units.unit(code, scheme: scheme) else { return nil }
        return Jurisdiction(unit: unit)
    }

    /// A unit the officer asked about: it must exist and lie inside their jurisdiction.
    func unit(_ code: String?, for officer: Officer) async throws -> Jurisdiction {
        guard let code = code?.trimmingCharacters(in: .whitespaces), !code.isEmpty else { return officer.jurisdiction }
        guard let wanted = try await jurisdiction(of: code) else { throw Self.unknownUnit }
        guard try await contains(officer.jurisdiction, wanted) else { throw Self.outside }
        return wanted
    }

    /// Whether `inner` is `outer` or lies below it.
    func contains(_ outer: Jurisdiction, _ inner: Jurisdiction) async throws -> Bool {
        if outer.scope == .country { return true }
        if inner.scope == .country { return false }
        let scheme = try await services.store.units.activeScheme()
        let ancestry = try await services.store.units.path(inner.code, scheme: scheme).map(\.code)
        return outer.contains(ancestry: ancestry)
    }

    /// A place inside the officer's jurisdiction, else not found (ids outside cannot be probed).
    func place(_ id: UUID, for officer: Officer) async throws -> Place {
        guard let place = try await services.store.places.place(id: id), officer.jurisdiction.contains(place) else { throw AppError.notFound }
        return place
    }

    /// A person the officer may act on: living in the jurisdiction or seen at one of its places in the
    /// last 28 days; anyone else is not found.
    func person(_ id: UUID, for officer: Officer) async throws -> UUID {
        let scheme = try await services.store.units.activeScheme()
        let since = DashboardStore.day(services.time.seconds()) - 28
        guard try await services.store.risk.isInside(id, officer.jurisdiction, scheme: scheme, sinceDay: since) else { throw AppError.notFound }
        return id
    }

    /// Records that an officer saw these people's personal data in full (masking's audit trail).
    func logUnmasked(_ officer: Officer, people: [UUID], what: String) async {
        do {
            try await services.store.officers.audit(account: officer.account.id, action: "unmasked_view", subjects: people.map(\.uuidString),
                                                    detail: what, now: services.time.seconds())
        } catch {
            services.logger.error("could not write the officers' audit trail", metadata: ["error": "\(error)"])
        }
    }

    /// The children of a unit for a dashboard: provinces under VN, then districts or wards.
    func children(of jurisdiction: Jurisdiction) async throws -> (column: String?, units: [AdminUnit]) {
        let scheme = try await services.store.units.activeScheme()
        switch jurisdiction.scope {
        case .country: return ("province_code", try await services.store.units.children(of: nil, scheme: scheme))
        case .ward: return (nil, [])
        case .province, .district:
            let units = try await services.store.units.children(of: jurisdiction.code, scheme: scheme)
            let column = units.first?.level == .district ? "district_code" : "ward_code"
            return (column, units)
        }
    }
}
