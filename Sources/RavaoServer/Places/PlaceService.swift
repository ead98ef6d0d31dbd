import Foundation
import RavaoCore
import RavaoStore

/// The rules of registering and editing places (L1–L4), shared by the web pages and the JSON API so
/// that both accept and refuse exactly the same things.
public struct PlaceService: Sendable {
    let services: AppServices
    var store: PlaceStore { services.store.places }
    var units: UnitStore { services.store.units }

    public init(services: AppServices) { self.services = services }

    /// What a user submits to register or edit a place; nil fields are left unchanged on edit.
    public struct Draft: Sendable {
        public var name: String?
        public var type: String?
        public var wardCode: String?
        public var address: String?
        /// `.some(nil)` clears the parent.
        public var parentId: UUID??
        public var plate: String??
        public var defaultStayMinutes: Int?
        public var registrantName: String?
        public init() {}
    }

    // MARK: Register

    public func register(_ draft: Draft, by account: Account) async throws -> Place {
        var errors: [FieldError] = []
        guard let typeCode = draft.type, let type = PlaceType.named(typeCode) else {
            try [FieldError("type", en: "choose a type from the catalogue", vi: "chọn loại địa điểm trong danh mục")].throwIfAny()
            throw AppError.notFound  // not reached: the line above always throws
        }
        let plate = validatePlate(draft.plate ?? nil, type: type, errors: &errors)
        let name = validateName(draft.name, plate: plate, type: type, errors: &errors)
        let address = (draft.address ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if address.count > 300 { errors.append(FieldError("address", en: "the address is longer than 300 characters", vi: "địa chỉ dài quá 300 ký tự")) }
        let location = try await validateWard(draft.wardCode, errors: &errors)
        let parent = try await validateParent(draft.parentId ?? nil, placeId: nil, account: account, errors: &errors)
        let stay = validateStay(draft.defaultStayMinutes ?? type.defaultStayMinutes, errors: &errors)
        let registrant = (draft.registrantName ?? account.displayName).trimmingCharacters(in: .whitespacesAndNewlines)
        if registrant.isEmpty { errors.append(FieldError("registrantName", en: "enter the registrant's full name", vi: "nhập họ tên người đăng ký")) }
        if registrant.count > 120 { errors.append(FieldError("registrantName", en: "the name is too long", vi: "họ tên quá dài")) }
        try errors.throwIfAny()

        let now = services.time.seconds()
        let place = Place(
            id: UUID(), code: PlaceCode.generate(), name: name, type: type.code, unitsScheme: location!.scheme,
            wardCode: location!.ward.code, districtCode: location!.district?.code, provinceCode: location!.province.code,
            address: address, parentId: parent?.id, plate: plate, defaultStayMinutes: stay, registrantName: registrant,
            registrantPhone: account.phone, createdBy: account.id, createdAt: now, updatedAt: now, deletedAt: nil)
        do {
            try await store.create(place, searchText: searchText(place, location: location!), owner: account.id)
        } catch PlaceStore.PlaceStoreError.plateTaken {
            throw Self.plateTakenError
        }
        if account.displayName.isEmpty {
            try await services.store.accounts.setProfile(id: account.id, displayName: registrant, language: nil)
        }
        services.logger.info("place registered", metadata: ["place": "\(place.id)", "account": "\(account.id)", "type": "\(place.type)"])
        return place
    }

    // MARK: Edit

    public func update(_ placeId: UUID, with draft: Draft, by account: Account) async throws -> Place {
        var (place, _) = try await placeWithRole(placeId, account: account, needs: { $0.canEdit })
        var errors: [FieldError] = []
        var type = place.placeType
        if let code = draft.type {
            if let newType = PlaceType.named(code) { type = newType; place.type = code }
            else { errors.append(FieldError("type", en: "choose a type from the catalogue", vi: "chọn loại địa điểm trong danh mục")) }
        }
        if let plateValue = draft.plate { place.plate = validatePlate(plateValue, type: type, errors: &errors) }
        else if type.code == "vehicle" && place.plate == nil { _ = validatePlate(nil, type: type, errors: &errors) }
        else if type.code != "vehicle" { place.plate = nil }
        if let name = draft.name { place.name = validateName(name, plate: place.plate, type: type, errors: &errors) }
        if let address = draft.address {
            place.address = address.trimmingCharacters(in: .whitespacesAndNewlines)
            if place.address.count > 300 { errors.append(FieldError("address", en: "the address is longer than 300 characters", vi: "địa chỉ dài quá 300 ký tự")) }
        }
        var location = try await resolve(wardCode: place.wardCode, scheme: place.unitsScheme)
        if let ward = draft.wardCode, ward != place.wardCode {
            location = try await validateWard(ward, errors: &errors)
        }
        if let parentValue = draft.parentId {
            place.parentId = try await validateParent(parentValue, placeId: place.id, account: account, errors: &errors)?.id
        }
        if let stay = draft.defaultStayMinutes { place.defaultStayMinutes = validateStay(stay, errors: &errors) }
        if let registrant = draft.registrantName?.trimmingCharacters(in: .whitespacesAndNewlines) {
            if registrant.isEmpty || registrant.count > 120 { errors.append(FieldError("registrantName", en: "enter the registrant's full name", vi: "nhập họ tên người đăng ký")) }
            place.registrantName = registrant
        }
        try errors.throwIfAny()
        guard let location else { throw AppError(.conflict, "unit_missing", en: "The place's ward is not in the unit list.", vi: "Phường/xã của địa điểm không có trong danh mục.") }
        place.unitsScheme = location.scheme
        place.wardCode = location.ward.code
        place.districtCode = location.district?.code
        place.provinceCode = location.province.code
        place.updatedAt = services.time.seconds()
        do {
            try await store.update(place, searchText: searchText(place, location: location))
            services.caches.placesChanged()
        } catch PlaceStore.PlaceStoreError.plateTaken {
            throw Self.plateTakenError
        }
        return place
    }

    public func delete(_ placeId: UUID, by account: Account) async throws {
        _ = try await placeWithRole(placeId, account: account, needs: { $0.canDelete })
        try await store.softDelete(id: placeId, now: services.time.seconds())
        services.caches.placesChanged()
        services.logger.info("place deleted", metadata: ["place": "\(placeId)", "account": "\(account.id)"])
    }

    public func rotateCode(_ placeId: UUID, by account: Account) async throws -> Place {
        _ = try await placeWithRole(placeId, account: account, needs: { $0.canManageAccess })
        try await store.rotateCode(id: placeId, newCode: PlaceCode.generate(), now: services.time.seconds())
        services.caches.placesChanged()
        return try await store.place(id: placeId)!
    }

    // MARK: Access

    /// The place and the account's role, or 404 when the account has no role there — a place someone
    /// cannot see does not exist for them — and 403 when the role is not enough.
    public func placeWithRole(_ placeId: UUID, account: Account, needs: (PlaceRole) -> Bool = { _ in true }) async throws -> (Place, PlaceRole) {
        guard let place = try await store.place(id: placeId), place.deletedAt == nil,
              let role = try await store.role(of: account.id, at: placeId, now: services.time.seconds()) else { throw AppError.notFound }
        guard needs(role) else { throw AppError.forbidden }
        return (place, role)
    }

    /// Asks the owner of the place with this poster code to add the account.
    public func requestAccess(code: String, by account: Account) async throws -> (PlaceStore.AccessRequest, Place) {
        let trimmed = Self.code(fromScanned: code)
        guard PlaceCode.isWellFormed(trimmed), case .live(let place) = try await store.lookup(code: trimmed) else {
            throw AppError(.notFound, "unknown_code", en: "No active place has this code.", vi: "Không có địa điểm nào đang hoạt động với mã này.")
        }
        if try await store.role(of: account.id, at: place.id, now: services.time.seconds()) != nil {
            throw AppError(.conflict, "already_member", en: "You already have access to this place.", vi: "Bạn đã có quyền với địa điểm này.")
        }
        return (try await store.requestAccess(placeId: place.id, accountId: account.id, now: services.time.seconds()), place)
    }

    public func decide(requestId: UUID, accept: Bool, role: PlaceRole, by account: Account) async throws {
        guard let request = try await store.accessRequest(id: requestId) else { throw AppError.notFound }
        _ = try await placeWithRole(request.placeId, account: account, needs: { $0.canManageAccess })
        defer { services.caches.placesChanged() }
        guard try await store.decide(requestId: requestId, accept: accept, role: role, by: account.id, now: services.time.seconds()) else {
            throw AppError(.conflict, "already_decided", en: "This request was already answered.", vi: "Yêu cầu này đã được xử lý.")
        }
    }

    /// Accepts a bare code or a whole poster URL (people paste what their camera showed).
    static func code(fromScanned text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if let range = trimmed.range(of: "/c/") { return String(trimmed[range.upperBound...].prefix { $0 != "?" && $0 != "/" && $0 != "#" }) }
        return trimmed
    }

    // MARK: Validation

    struct Location {
        let scheme: UnitScheme
        let ward: AdminUnit
        let district: AdminUnit?
        let province: AdminUnit
    }

    static let plateTakenError = AppError(.conflict, "plate_taken", en: "A vehicle with this plate is already registered; ask its owner to share it.",
                                          vi: "Xe mang biển số này đã được đăng ký; hãy đề nghị chủ xe chia sẻ.",
                                          fields: [FieldError("plate", en: "already registered", vi: "đã được đăng ký")])

    func validateName(_ name: String?, plate: String?, type: PlaceType, errors: inout [FieldError]) -> String {
        var value = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if value.isEmpty, let plate, type.code == "vehicle" { value = "Xe \(plate)" }
        if value.isEmpty { errors.append(FieldError("name", en: "enter the place's name", vi: "nhập tên địa điểm")) }
        if value.count > 200 { errors.append(FieldError("name", en: "the name is longer than 200 characters", vi: "tên dài quá 200 ký tự")) }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError("name", en: "the name contains control characters", vi: "tên chứa ký tự không hợp lệ"))
        }
        return value
    }

    func validatePlate(_ plate: String?, type: PlaceType, errors: inout [FieldError]) -> String? {
        let text = plate?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if type.code == "vehicle" {
            guard !text.isEmpty else {
                errors.append(FieldError("plate", en: "a vehicle needs its licence plate, e.g. 98C-123.45", vi: "phương tiện cần có biển số, ví dụ 98C-123.45"))
                return nil
            }
            guard let parsed = LicensePlate(text) else {
                errors.append(FieldError("plate", en: "'\(text)' is not a Vietnamese licence plate (e.g. 98C-123.45 or 51F12345)",
                                         vi: "'\(text)' không phải biển số hợp lệ (ví dụ 98C-123.45 hoặc 51F12345)"))
                return nil
            }
            return parsed.canonical
        }
        if !text.isEmpty {
            errors.append(FieldError("plate", en: "only vehicles have a licence plate", vi: "chỉ phương tiện mới có biển số"))
        }
        return nil
    }

    func validateStay(_ minutes: Int, errors: inout [FieldError]) -> Int {
        if minutes < 1 || minutes > PlaceType.maximumStayMinutes {
            errors.append(FieldError("defaultStayMinutes", en: "the default stay must be 1 to 1440 minutes", vi: "thời gian lưu lại phải từ 1 đến 1440 phút"))
        }
        return minutes
    }

    func validateWard(_ code: String?, errors: inout [FieldError]) async throws -> Location? {
        guard let code, !code.isEmpty else {
            errors.append(FieldError("wardCode", en: "choose the ward", vi: "chọn phường/xã"))
            return nil
        }
        let scheme = try await units.activeScheme()
        guard let location = try await resolve(wardCode: code, scheme: scheme) else {
            errors.append(FieldError("wardCode", en: "'\(code)' is not a ward in the official list", vi: "'\(code)' không phải phường/xã trong danh mục"))
            return nil
        }
        return location
    }

    func resolve(wardCode: String, scheme: UnitScheme) async throws -> Location? {
        let path = try await units.path(wardCode, scheme: scheme)
        guard let ward = path.first, ward.level == .ward, let province = path.last, province.level == .province else { return nil }
        return Location(scheme: scheme, ward: ward, district: path.first { $0.level == .district }, province: province)
    }

    func validateParent(_ parentId: UUID?, placeId: UUID?, account: Account, errors: inout [FieldError]) async throws -> Place? {
        guard let parentId else { return nil }
        guard let parent = try await store.place(id: parentId), parent.deletedAt == nil,
              let role = try await store.role(of: account.id, at: parentId, now: services.time.seconds()), role.canEdit else {
            errors.append(FieldError("parentId", en: "the parent place must be one you own or manage", vi: "địa điểm cha phải là địa điểm bạn sở hữu hoặc quản lý"))
            return nil
        }
        if let placeId, try await store.ancestry(of: parentId, contains: placeId) {
            errors.append(FieldError("parentId", en: "a place cannot be inside itself", vi: "địa điểm không thể nằm trong chính nó"))
            return nil
        }
        return parent
    }

    /// The folded text "My places" searches: name, address, units, type names, plate, registrant.
    func searchText(_ place: Place, location: Location) -> String {
        let type = place.placeType
        let parts = [place.name, place.address, location.ward.name, location.district?.name ?? "", location.province.name,
                     type.nameVI, type.nameEN, type.code, place.plate ?? "", place.plate.map { $0.filter { $0.isLetter || $0.isNumber } } ?? "",
                     place.registrantName, place.registrantPhone.national]
        return TextFolding.fold(parts.joined(separator: " | "))
    }

    /// The place's ward, district and province names, for display.
    public func unitNames(_ place: Place) async throws -> (ward: String, district: String?, province: String) {
        guard let location = try await resolve(wardCode: place.wardCode, scheme: place.unitsScheme) else {
            return (place.wardCode, place.districtCode, place.provinceCode)
        }
        return (location.ward.name, location.district?.name, location.province.name)
    }
}
