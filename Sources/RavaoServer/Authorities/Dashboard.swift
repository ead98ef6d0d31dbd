import Foundation
import RavaoCore
import RavaoStore

/// The dashboard (A2): counts for a unit and each unit below it, per day, from the rollups.
struct Dashboard {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    static let maximumDays = DashboardStore.maximumDays

    /// `from`/`to` are local dates (YYYY-MM-DD), default the last 7 days; `type` a place type code.
    func stats(unit: String?, from: String?, to: String?, type: String?, officer: OfficerAccess.Officer) async throws -> AuthoritiesAPI.StatsBody {
        let jurisdiction = try await access.unit(unit, for: officer)
        let today = DashboardStore.day(services.time.seconds())
        var errors: [FieldError] = []
        let toDay: Int64? = if let to = to.nonEmpty { HealthRules.days(to) } else { today }
        let fromDay: Int64? = if let from = from.nonEmpty { HealthRules.days(from) } else { toDay.map { $0 - 6 } }
        if toDay == nil { errors.append(FieldError("to", en: "to must be a date (YYYY-MM-DD).", vi: "Ngày kết thúc phải có dạng YYYY-MM-DD.")) }
        if fromDay == nil { errors.append(FieldError("from", en: "from must be a date (YYYY-MM-DD).", vi: "Ngày bắt đầu phải có dạng YYYY-MM-DD.")) }
        if let a = fromDay, let b = toDay, a > b { errors.append(FieldError("to", en: "to must not be before from.", vi: "Ngày kết thúc phải sau ngày bắt đầu.")) }
        if let a = fromDay, let b = toDay, b - a >= Self.maximumDays {
            errors.append(FieldError("from", en: "At most \(Self.maximumDays) days at a time.", vi: "Tối đa \(Self.maximumDays) ngày mỗi lần."))
        }
        let placeType = type.nonEmpty
        if let placeType, PlaceType.named(placeType) == nil { errors.append(FieldError("type", en: "Unknown place type.", vi: "Loại địa điểm không tồn tại.")) }
        try errors.throwIfAny()

        let scheme = try await services.store.units.activeScheme()
        let (column, units) = try await access.children(of: jurisdiction)
        let stats = try await services.store.dashboard.stats(jurisdiction, scheme: scheme, childColumn: column, childCodes: units.map(\.code), fromDay: fromDay!, toDay: toDay!, type: placeType)
        let name = jurisdiction.scope == .country ? "Việt Nam" : try await services.store.units.unit(jurisdiction.code, scheme: scheme)?.name ?? jurisdiction.code
        let children = units.map { unit in
            let c = stats.children[unit.code] ?? DashboardStore.Counts()
            return AuthoritiesAPI.CountsBody(unit: unit.code, name: unit.name, places: c.places, activePlaces: c.activePlaces, scans: c.scans, people: c.people)
        }
        return AuthoritiesAPI.StatsBody(
            unit: jurisdiction.code, name: name, from: HealthRules.civilDateString(days: fromDay!), to: HealthRules.civilDateString(days: toDay!), type: placeType,
            places: stats.total.places, activePlaces: stats.total.activePlaces, scans: stats.total.scans, people: stats.total.people, children: children,
            days: stats.days.map { .init(date: HealthRules.civilDateString(days: $0.day), activePlaces: $0.activePlaces, scans: $0.scans, people: $0.people) })
    }
}

/// The risk list (A3): people of a jurisdiction whose status gives a reason to follow them up.
struct RiskList {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    static let reasons = ["declaration", "contact", "zone", "unvaccinated", "marked"]
    /// People looked at per request; a country-wide list is a job for exports by province.
    static let candidateLimit = 5000

    struct Row: Sendable {
        let personId: UUID
        let name: String
        let phone: String?
        let wardCode: String?
        let reasons: [String]
        let masked: Bool
    }

    func rows(unit: String?, reason: String?, officer: OfficerAccess.Officer) async throws -> [Row] {
        let jurisdiction = try await access.unit(unit, for: officer)
        let wanted = reason.nonEmpty
        if let wanted, !Self.reasons.contains(wanted) {
            throw AppError(.unprocessableContent, "validation_failed", en: "reason must be one of \(Self.reasons.joined(separator: ", ")).",
                           vi: "Lý do phải là một trong: \(Self.reasons.joined(separator: ", ")).",
                           fields: [FieldError("reason", en: "Unknown reason.", vi: "Lý do không hợp lệ.")])
        }
        let scheme = try await services.store.units.activeScheme()
        let since = DashboardStore.day(services.time.seconds()) - 13
        let people = try await services.store.risk.candidates(jurisdiction, scheme: scheme, sinceDay: since, limit: Self.candidateLimit)
        let health = HealthStatusService(services: services)
        var found: [(UUID, [String])] = []
        for person in people {
            let status = try await health.compute(person)
            var reasons: [String] = []
            if status.level == .abnormal { reasons.append("declaration") }
            if status.alerts.contains("exposure") || status.reasons.contains("contact") { reasons.append("contact") }
            if status.alerts.contains("epidemic_zone") { reasons.append("zone") }
            if status.vaccination == nil { reasons.append("unvaccinated") }
            if status.alerts.contains(where: { ["f0", "f1", "f2"].contains($0) }) { reasons.append("marked") }
            if let mark = status.alerts.first(where: { ["f0", "f1", "f2"].contains($0) }) { reasons.append(mark.uppercased()) }
            guard !reasons.isEmpty, wanted.map({ reasons.contains($0) }) ?? true else { continue }
            found.append((person, reasons))
        }
        let entitled = officer.can(.health)
        let summaries = try await services.store.tracing().summaries(found.map(\.0))
        if entitled { await access.logUnmasked(officer, people: found.map(\.0), what: "risk_list") }
        return found.map { person, reasons in
            let s = summaries[person]
            let phone = s?.phone.flatMap { PhoneNumber($0)?.national ?? $0 }
            return Row(personId: person, name: entitled ? s?.fullName ?? "" : Masking.name(s?.fullName ?? ""),
                       phone: entitled ? phone : phone.map(Self.maskPhone), wardCode: s?.wardCode, reasons: reasons, masked: !entitled)
        }
    }

    /// Keeps seven digits of a phone, as masking rules say: 0912***678.
    static func maskPhone(_ phone: String) -> String {
        guard phone.count >= 7 else { return "***" }
        return String(phone.prefix(4)) + "***" + String(phone.suffix(3))
    }
}

