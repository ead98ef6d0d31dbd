import Foundation
import RavaoCore
import RavaoStore

/// Officers creating officers for the units below theirs (A1), and declaring or lifting zones (A6).
struct OfficerAdmin {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    /// Makes the owner of `phone` (creating the account if needed) an officer of a unit strictly below
    /// the creator's, with functions the creator holds.
    func create(phone: String?, unitCode: String?, functions: String, by creator: OfficerAccess.Officer) async throws -> OfficerStore.Officer {
        var errors: [FieldError] = []
        let number = phone.flatMap(PhoneNumber.init)
        if number == nil { errors.append(FieldError("phone", en: "Enter a Vietnamese mobile number.", vi: "Nhập số điện thoại di động Việt Nam hợp lệ.")) }
        let parsed = OfficerFunction.parseList(functions)
        if parsed == nil {
            errors.append(FieldError("functions", en: "Choose functions among statistics, health, zones.", vi: "Chọn chức năng: statistics (thống kê), health (y tế), zones (khoanh vùng)."))
        } else if !parsed!.isSubset(of: creator.functions) {
            errors.append(FieldError("functions", en: "You can only give functions you hold yourself.", vi: "Chỉ có thể cấp các chức năng mà bạn đang có."))
        }
        let code = unitCode?.trimmingCharacters(in: .whitespaces) ?? ""
        let unit = code.isEmpty ? nil : try await access.jurisdiction(of: code)
        if unit == nil { errors.append(FieldError("unitCode", en: "Unknown administrative unit code.", vi: "Mã đơn vị hành chính không tồn tại.")) }
        try errors.throwIfAny()
        guard try await access.contains(creator.jurisdiction, unit!), unit! != creator.jurisdiction else {
            throw AppError(.forbidden, "outside_jurisdiction", en: "You can create officers only for units below yours.",
                           vi: "Chỉ có thể tạo tài khoản cán bộ cho đơn vị cấp dưới thuộc địa bàn của bạn.")
        }
        let now = services.time.seconds()
        let account = try await services.store.accounts.findOrCreate(phone: number!, language: .vi, now: now)
        if account.id == creator.account.id {
            throw AppError(.unprocessableContent, "validation_failed", en: "You cannot change your own officer account.", vi: "Không thể tự thay đổi tài khoản cán bộ của mình.",
                           fields: [FieldError("phone", en: "That is your own number.", vi: "Đây là số của chính bạn.")])
        }
        if let existing = try await services.store.officers.officer(account: account.id),
           let current = try await access.jurisdiction(of: existing.unitCode) {
            // Someone else's officer (or a peer) is not re-assigned from below.
            let below = try await access.contains(creator.jurisdiction, current)
            if !below || current == creator.jurisdiction { throw OfficerAccess.outside }
        }
        try await services.store.officers.upsert(account: account.id, unitCode: unit!.code, functions: parsed!, by: creator.account.id, now: now)
        try await services.store.officers.audit(account: creator.account.id, action: "officer_created", subjects: [account.id.uuidString],
                                                detail: "\(unit!.code) \(OfficerFunction.list(parsed!))", now: now)
        return try await services.store.officers.officer(account: account.id)!
    }
}

/// Epidemic zones (A6): declared for a unit inside the officer's jurisdiction; they feed the status rules.
struct ZoneRules {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    /// Levels of Resolution 128/NQ-CP (2021): 1 new normal, 2 moderate, 3 high, 4 very high.
    static let levels = ["1", "2", "3", "4"]

    /// `YYYY-MM-DD` (a local day: from its start, to its end) or an ISO 8601 time.
    static func time(_ text: String?, endOfDay: Bool) -> Int64? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.count == 10, let days = HealthRules.days(text) {
            return days * 86_400 - LocalTime.offsetSeconds + (endOfDay ? 86_399 : 0)
        }
        return LocalISO.parse(text)
    }

    func declare(unitCode: String?, level: String?, from: String?, to: String?, by officer: OfficerAccess.Officer) async throws -> OfficerStore.ZoneRow {
        var errors: [FieldError] = []
        let code = unitCode?.trimmingCharacters(in: .whitespaces) ?? ""
        let unit = code.isEmpty || code.uppercased() == Jurisdiction.countryCode ? nil : try await access.jurisdiction(of: code)
        if unit == nil { errors.append(FieldError("unitCode", en: "Choose a province, district or ward.", vi: "Chọn tỉnh, quận/huyện hoặc phường/xã.")) }
        if !Self.levels.contains(level ?? "") { errors.append(FieldError("level", en: "level must be 1, 2, 3 or 4.", vi: "Cấp độ dịch phải là 1, 2, 3 hoặc 4.")) }
        let start = Self.time(from, endOfDay: false)
        if start == nil { errors.append(FieldError("from", en: "from must be a date (YYYY-MM-DD) or ISO 8601 time.", vi: "Ngày bắt đầu phải có dạng YYYY-MM-DD.")) }
        let end = Self.time(to, endOfDay: true)
        if to?.trimmingCharacters(in: .whitespaces).isEmpty == false, end == nil {
            errors.append(FieldError("to", en: "to must be a date (YYYY-MM-DD) or ISO 8601 time, or left out.", vi: "Ngày kết thúc phải có dạng YYYY-MM-DD hoặc để trống."))
        }
        if let start, let end, end <= start { errors.append(FieldError("to", en: "to must be after from.", vi: "Ngày kết thúc phải sau ngày bắt đầu.")) }
        try errors.throwIfAny()
        guard try await access.contains(officer.jurisdiction, unit!) else { throw OfficerAccess.outside }
        let now = services.time.seconds()
        let id = try await services.store.health.addZone(unitCode: unit!.code, level: level!, from: start!, to: end, by: officer.account.id, now: now)
        try await services.store.officers.audit(account: officer.account.id, action: "zone_declared", subjects: [unit!.code], detail: id.uuidString, now: now)
        services.healthCache.zonesChanged()
        return try await services.store.officers.zones().first { $0.id == id }!
    }

    func lift(_ id: UUID, by officer: OfficerAccess.Officer) async throws {
        guard let zone = try await services.store.officers.zones().first(where: { $0.id == id }),
              let unit = try await access.jurisdiction(of: zone.unitCode), try await access.contains(officer.jurisdiction, unit) else { throw AppError.notFound }
        let now = services.time.seconds()
        guard try await services.store.officers.liftZone(id, now: now) else {
            throw AppError(.conflict, "zone_ended", en: "That zone has already ended.", vi: "Vùng dịch này đã kết thúc.")
        }
        try await services.store.officers.audit(account: officer.account.id, action: "zone_lifted", subjects: [zone.unitCode], detail: id.uuidString, now: now)
        services.healthCache.zonesChanged()
    }
}
