import Foundation
import RavaoCore
import RavaoStore

/// The rules of the citizen side (H1–H5, H7): whose data an account may read or change, and what a
/// valid profile, declaration, dose or test is. The API and the web pages both go through here.
struct CitizenService {
    let services: AppServices

    /// The account's own person record, created on first use.
    func me(_ account: Account) async throws -> UUID {
        try await services.store.checkIns.person(forAccount: account, now: services.time.seconds())
    }

    /// A person the account may act for: itself, or one of its dependents. Anyone else is "not found",
    /// so ids cannot be probed.
    func subject(_ id: UUID?, account: Account) async throws -> PeopleStore.Profile {
        let own = try await me(account)
        guard let profile = try await services.store.people.profile(id: id ?? own) else { throw AppError.notFound }
        guard profile.id == own || profile.guardianId == own else { throw AppError.notFound }
        return profile
    }

    /// The personal QR's content (FORMATS.md §4).
    func token(for profile: PeopleStore.Profile) -> String {
        PersonalToken.issue(personId: profile.id, version: profile.tokenVersion, key: services.keys.personalTokenKey)
    }

    // MARK: Validation

    struct ProfileFields: Decodable, Sendable {
        var name: String?
        var birthDate: String?
        var gender: String?
        var cccd: String?
        var bhyt: String?
        var wardCode: String?
        var address: String?
    }

    static let genders = ["male", "female", "other"]

    func validate(_ fields: ProfileFields) async throws -> PeopleStore.ProfileInput {
        var errors: [FieldError] = []
        let name = (fields.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if name.count < 2 || name.count > 100 {
            errors.append(FieldError("name", en: "Enter the full name (2–100 characters).", vi: "Nhập họ tên đầy đủ (2–100 ký tự)."))
        }
        let today = HealthRules.days(Self.localDate(services.time.seconds()))!
        let birth = fields.birthDate?.trimmingCharacters(in: .whitespaces)
        if let birth, !birth.isEmpty {
            if let days = HealthRules.days(birth), days <= today, days >= HealthRules.days("1900-01-01")! {} else {
                errors.append(FieldError("birthDate", en: "Date of birth must be a real date (YYYY-MM-DD), not in the future.",
                                         vi: "Ngày sinh phải là ngày hợp lệ (YYYY-MM-DD), không ở tương lai."))
            }
        } else {
            errors.append(FieldError("birthDate", en: "Enter the date of birth.", vi: "Nhập ngày sinh."))
        }
        let gender = fields.gender?.lowercased()
        if gender == nil || !Self.genders.contains(gender!) {
            errors.append(FieldError("gender", en: "Choose a gender: male, female or other.", vi: "Chọn giới tính: nam, nữ hoặc khác."))
        }
        let cccd = Self.digits(fields.cccd)
        if let cccd, cccd.count != 12 || !cccd.allSatisfy(\.isASCII) || !cccd.allSatisfy(\.isNumber) {
            errors.append(FieldError("cccd", en: "A citizen ID (CCCD) number has 12 digits.", vi: "Số CCCD gồm 12 chữ số."))
        }
        let bhyt = fields.bhyt.map { $0.uppercased().filter { !$0.isWhitespace } }.flatMap { $0.isEmpty ? nil : $0 }
        if let bhyt, !Self.isBHYT(bhyt) {
            errors.append(FieldError("bhyt", en: "A health-insurance number is 2 letters and 13 digits (or the 10-digit social insurance number).",
                                     vi: "Mã thẻ BHYT gồm 2 chữ cái và 13 chữ số (hoặc mã số BHXH 10 chữ số)."))
        }
        let ward = fields.wardCode?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let ward, try await !isWard(ward) {
            errors.append(FieldError("wardCode", en: "Unknown ward code.", vi: "Mã phường/xã không tồn tại."))
        }
        let address = fields.address?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        if let address, address.count > 200 {
            errors.append(FieldError("address", en: "The address is too long (200 characters at most).", vi: "Địa chỉ quá dài (tối đa 200 ký tự)."))
        }
        try errors.throwIfAny()
        return .init(fullName: name, birthDate: birth, gender: gender, cccd: cccd, bhyt: bhyt, wardCode: ward, address: address)
    }

    static func digits(_ text: String?) -> String? {
        guard let text else { return nil }
        let kept = text.filter { !$0.isWhitespace && $0 != "." && $0 != "-" }
        return kept.isEmpty ? nil : kept
    }

    static func isBHYT(_ text: String) -> Bool {
        let chars = Array(text.unicodeScalars)
        if chars.count == 10 { return chars.allSatisfy { $0.value >= 48 && $0.value <= 57 } }
        guard chars.count == 15 else { return false }
        return chars[0..<2].allSatisfy { $0.value >= 65 && $0.value <= 90 } && chars[2...].allSatisfy { $0.value >= 48 && $0.value <= 57 }
    }

    func isWard(_ code: String) async throws -> Bool {
        let scheme = try await services.store.units.activeScheme()
        return try await services.store.units.unit(code, scheme: scheme)?.level == .ward
    }

    /// Saves a profile, turning the store's linking refusals into messages a citizen understands.
    func save(_ input: PeopleStore.ProfileInput, for person: UUID) async throws {
        do {
            try await services.store.people.update(person, with: input, now: services.time.seconds())
        } catch let error as PeopleStore.LinkError {
            throw Self.appError(error)
        }
        services.healthCache.personChanged(person)
    }

    func addDependent(_ input: PeopleStore.ProfileInput, guardian: UUID) async throws -> UUID {
        do {
            return try await services.store.people.addDependent(guardian: guardian, input: input, now: services.time.seconds())
        } catch let error as PeopleStore.LinkError {
            throw Self.appError(error)
        }
    }

    static func appError(_ error: PeopleStore.LinkError) -> AppError {
        switch error {
        case .identifierTaken(let kind):
            let field = kind == "cccd" ? "CCCD" : "BHYT"
            return AppError(.conflict, "identifier_taken", en: "This \(field) number is already registered to another person.",
                            vi: "Số \(field) này đã được đăng ký cho người khác.", fields: [FieldError(kind, en: "already registered", vi: "đã được đăng ký")])
        }
    }

    // MARK: Proving a card (trust rule 5)

    /// Wrong card proofs an account may make in a day: enough for a mistyped or mis-scanned QR, far too
    /// few to guess a stranger's date of birth, address and issue date.
    static let cardClaimsPerDay = 5

    struct CardClaim: Decodable, Sendable { var payload: String? }

    /// The subject proves a CCCD/BHYT card with the card's own QR text. The card QR is not signed, so it is
    /// proof only in what it adds to a name and a number: every field must match a full QR of that card
    /// that a gate scanned. Then the card's record (check-ins, identifiers, health rows) becomes the
    /// subject's. Every failed attempt counts against the account; a proven one does not.
    func claimCard(_ claim: CardClaim, for person: UUID, by account: Account) async throws -> (kind: String, number: String, outcome: PeopleStore.ClaimOutcome) {
        let text = (claim.payload ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf8.count <= 2048 else {
            throw AppError(.unprocessableContent, "invalid_card_payload", en: "Paste or scan the whole QR text of the CCCD or BHYT card.",
                           vi: "Dán hoặc quét toàn bộ nội dung mã QR trên thẻ CCCD hoặc BHYT.", fields: [FieldError("payload", en: "required", vi: "bắt buộc")])
        }
        let now = services.time.seconds()
        let attempt = UUID().uuidString
        let subject = account.id.uuidString
        if let hit = try await services.store.rateLimits.take([.init(scope: "card-claim", subject: subject, perHour: Self.cardClaimsPerDay)], now: now, item: attempt) {
            services.logger.notice("card claims capped", metadata: ["account": "\(account.id)"])
            throw AppError(.tooManyRequests, "too_many_card_claims",
                           en: "Too many card proofs that did not match today (at most \(hit.perHour) a day); try again tomorrow.",
                           vi: "Đã thử chứng minh thẻ sai quá nhiều lần hôm nay (tối đa \(hit.perHour) lần một ngày); vui lòng thử lại vào ngày mai.",
                           retryAfter: 86_400)
        }
        let card: (kind: String, number: String, matches: (String) -> Bool)
        if case .success(let cccd) = CCCDCard.parse(text), cccd.fullName != nil {
            card = ("cccd", cccd.idNumber, { (scanned: String) -> Bool in
                guard case .success(let recorded) = CCCDCard.parse(scanned) else { return false }
                return recorded == cccd
            })
        } else if case .success(let bhyt) = BHYTCard.parse(text), bhyt.fullName != nil {
            card = ("bhyt", bhyt.cardNumber, { (scanned: String) -> Bool in
                guard case .success(let recorded) = BHYTCard.parse(scanned) else { return false }
                return recorded == bhyt
            })
        } else {
            throw AppError(.unprocessableContent, "invalid_card_payload", en: "This is not the QR of a CCCD or BHYT card; scan or paste the whole QR text of the card.",
                           vi: "Đây không phải mã QR của thẻ CCCD hoặc BHYT; hãy quét hoặc dán toàn bộ nội dung mã QR trên thẻ.",
                           fields: [FieldError("payload", en: "not a card QR", vi: "không phải mã QR thẻ")])
        }
        let record = try await services.store.people.cardRecord(kind: card.kind, value: card.number)
        if let record, record.holder != person, record.holderIsCitizen { throw Self.appError(.identifierTaken(kind: card.kind)) }
        // The card QR carries no signature: only the fields a gate read from the real card (birth date,
        // address, issue date, old ID…) are a secret the claimant must know. A card never scanned by its QR,
        // or known from typed numbers alone, has none, so it cannot be proven (yet) — whoever holds it.
        guard let record, record.payloads.contains(where: card.matches) else {
            services.logger.notice("card proof refused", metadata: ["account": "\(account.id)", "kind": "\(card.kind)"])
            throw AppError(.unprocessableContent, "card_not_proven",
                           en: "This QR does not match the card as a gate scanned it (the card's QR must have been scanned at a gate once); scan the QR printed on your own card.",
                           vi: "Mã QR này không khớp với thẻ đã được quét tại điểm kiểm soát (mã QR của thẻ phải từng được quét tại một điểm kiểm soát); hãy quét mã QR in trên thẻ của chính bạn.",
                           fields: [FieldError("payload", en: "does not match the card", vi: "không khớp với thẻ")])
        }
        let outcome = try await services.store.people.claimCard(kind: card.kind, value: card.number, holder: record.holder, person: person, now: now)
        if outcome == .taken { throw Self.appError(.identifierTaken(kind: card.kind)) }
        try await services.store.rateLimits.refund(scope: "card-claim", subject: subject, item: attempt)
        services.healthCache.personChanged(person)
        return (card.kind, card.number, outcome)
    }

    struct DeclarationFields: Decodable, Sendable {
        var symptoms: [String]?
        var contact: Bool?
        var visitedWards: [String]?
    }

    func declare(_ fields: DeclarationFields, for person: UUID, by account: Account) async throws -> UUID {
        var errors: [FieldError] = []
        var symptoms: [Symptom] = []
        for code in fields.symptoms ?? [] {
            if let symptom = Symptom(rawValue: code) { if !symptoms.contains(symptom) { symptoms.append(symptom) } } else {
                errors.append(FieldError("symptoms", en: "Unknown symptom \"\(code)\"; use fever, cough, breath, taste_smell, sore_throat.",
                                         vi: "Triệu chứng không hợp lệ \"\(code)\"."))
            }
        }
        var wards: [String] = []
        for code in fields.visitedWards ?? [] {
            let trimmed = code.trimmingCharacters(in: .whitespaces)
            if try await isWard(trimmed) { if !wards.contains(trimmed) { wards.append(trimmed) } } else {
                errors.append(FieldError("visitedWards", en: "Unknown ward code \"\(code)\".", vi: "Mã phường/xã không tồn tại \"\(code)\"."))
            }
        }
        if wards.count > 50 { errors.append(FieldError("visitedWards", en: "At most 50 wards.", vi: "Tối đa 50 phường/xã.")) }
        if fields.contact == nil {
            errors.append(FieldError("contact", en: "Say whether you were in contact with a case or suspected case.",
                                     vi: "Cho biết có tiếp xúc với ca bệnh hoặc nghi ngờ hay không."))
        }
        try errors.throwIfAny()
        let id = try await services.store.health.declare(person, symptoms: symptoms, contact: fields.contact ?? false, visitedWards: wards,
                                                         by: account.id, now: services.time.seconds())
        services.healthCache.personChanged(person)
        return id
    }

    struct DoseFields: Decodable, Sendable { var vaccine: String?; var date: String? }
    struct TestFields: Decodable, Sendable { var kind: String?; var result: String?; var date: String? }

    static let testKinds = ["pcr", "rapid"]
    static let testResults = ["negative", "positive"]

    /// A self-declared dose: never verified, whatever the request says.
    func addDose(_ fields: DoseFields, for person: UUID, by account: Account, verified: Bool = false) async throws {
        var errors: [FieldError] = []
        let vaccine = (fields.vaccine ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if vaccine.isEmpty || vaccine.count > 60 { errors.append(FieldError("vaccine", en: "Name the vaccine (60 characters at most).", vi: "Nhập tên vắc xin (tối đa 60 ký tự).")) }
        if let error = dateError(fields.date) { errors.append(error) }
        try errors.throwIfAny()
        try await services.store.health.addDose(person, vaccine: vaccine, date: fields.date!, verified: verified, by: account.id, now: services.time.seconds())
        services.healthCache.personChanged(person)
    }

    func addTest(_ fields: TestFields, for person: UUID, by account: Account, verified: Bool = false) async throws {
        var errors: [FieldError] = []
        if !Self.testKinds.contains(fields.kind ?? "") { errors.append(FieldError("kind", en: "Test kind is pcr or rapid.", vi: "Loại xét nghiệm là pcr hoặc rapid (nhanh).")) }
        if !Self.testResults.contains(fields.result ?? "") { errors.append(FieldError("result", en: "Result is negative or positive.", vi: "Kết quả là âm tính hoặc dương tính.")) }
        if let error = dateError(fields.date) { errors.append(error) }
        try errors.throwIfAny()
        try await services.store.health.addTest(person, kind: fields.kind!, result: fields.result!, date: fields.date!, verified: verified,
                                                by: account.id, now: services.time.seconds())
        services.healthCache.personChanged(person)
    }

    /// Deletes a dose or test the citizen declared themselves (or for a dependent). One a health officer
    /// recorded cannot be removed by the citizen (trust rule 1: a lower-ranked source never clears a
    /// higher one); an id of someone else's record is simply not found.
    func deleteSelfDeclared(_ record: HealthStore.Record, id: UUID, for person: UUID) async throws {
        switch try await services.store.health.deleteSelfDeclared(record, id: id, of: person) {
        case .deleted: services.healthCache.personChanged(person)
        case .notFound: throw AppError.notFound
        case .verified:
            throw AppError(.forbidden, "recorded_by_officer", en: "A health officer recorded this; only a health officer can change it.",
                           vi: "Bản ghi này do cán bộ y tế ghi nhận; chỉ cán bộ y tế mới thay đổi được.")
        }
    }

    func dateError(_ date: String?) -> FieldError? {
        let today = HealthRules.days(Self.localDate(services.time.seconds()))!
        if let date, let days = HealthRules.days(date), days <= today, days >= HealthRules.days("2019-12-01")! { return nil }
        return FieldError("date", en: "The date must be a real date (YYYY-MM-DD), not in the future.", vi: "Ngày phải hợp lệ (YYYY-MM-DD), không ở tương lai.")
    }

    /// Today's date in Vietnam, YYYY-MM-DD.
    static func localDate(_ seconds: Int64) -> String {
        let days = (LocalTime.startOfDay(containing: seconds) + LocalTime.offsetSeconds) / 86_400
        return HealthRules.civilDateString(days: days)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
