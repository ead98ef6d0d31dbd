import Foundation
import RavaoCore
import RavaoStore

/// Tracing (A4), marks, verified records, place alerts (A5) and notifications: the rules shared by
/// the authority API and its web pages.
struct AuthorityService {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    // MARK: Finding the case

    enum PersonKey: Sendable {
        case phone(String), cccd(String), personId(UUID), payload(String)
    }

    static let personNotFound = AppError(.notFound, "person_not_found", en: "No person with that phone, CCCD or code has been seen.",
                                         vi: "Không tìm thấy người có số điện thoại, CCCD hoặc mã này.")

    /// The person an officer names by phone, CCCD number, id, or the text a scanner read from a card.
    func findPerson(_ key: PersonKey) async throws -> UUID {
        let tracing = services.store.tracing()
        switch key {
        case .personId(let id):
            if let found = try await tracing.person(kind: "ravao", value: id.uuidString) { return found }
        case .phone(let text):
            guard let phone = PhoneNumber(text) else {
                throw AppError(.unprocessableContent, "invalid_phone", en: "That is not a Vietnamese phone number.", vi: "Số điện thoại không hợp lệ.")
            }
            if let found = try await tracing.person(kind: "phone", value: phone.e164) { return found }
        case .cccd(let text):
            let digits = text.filter { !$0.isWhitespace }
            guard digits.count == 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw AppError(.unprocessableContent, "invalid_cccd", en: "A citizen ID (CCCD) number has 12 digits.", vi: "Số CCCD gồm 12 chữ số.")
            }
            if let found = try await tracing.person(kind: "cccd", value: digits) { return found }
        case .payload(let text):
            guard case .recognized(let payload) = services.recognizer.recognize(text) else {
                throw AppError(.unprocessableContent, "unrecognized_payload", en: "The scanned text is not a card, QR or phone Ravao can read.",
                               vi: "Không đọc được nội dung quét (thẻ, mã QR hoặc số điện thoại).")
            }
            var keys: [(String, String)] = []
            if let id = payload.ravaoPersonID { keys.append(("ravao", id.uuidString)) }
            if let qid = payload.nationalQID { keys.append(("qid", qid)) }
            if let cccd = payload.cccdNumber { keys.append(("cccd", cccd)) }
            if let bhyt = payload.bhytCardNumber ?? payload.bhxhNumber { keys.append(("bhyt", bhyt)) }
            if let phone = payload.phone { keys.append(("phone", phone.e164)) }
            for (kind, value) in keys {
                if let found = try await tracing.person(kind: kind, value: value) { return found }
            }
        }
        throw Self.personNotFound
    }

    // MARK: Tracing

    struct TraceRequest: Sendable {
        var person: UUID
        var from: Int64
        var to: Int64
        var bufferMinutes: Int = 60
        var depth: Int = 1
    }

    static let maximumWindowDays: Int64 = 31

    /// Checks a window and options; throws a 422 naming every bad field.
    static func validate(from: Int64?, to: Int64?, bufferMinutes: Int?, depth: Int?) throws -> (Int64, Int64, Int, Int) {
        var errors: [FieldError] = []
        if from == nil { errors.append(FieldError("from", en: "from must be an ISO 8601 time with offset.", vi: "Thời điểm bắt đầu (from) phải theo ISO 8601 có múi giờ.")) }
        if to == nil { errors.append(FieldError("to", en: "to must be an ISO 8601 time with offset.", vi: "Thời điểm kết thúc (to) phải theo ISO 8601 có múi giờ.")) }
        if let from, let to, from > to {
            errors.append(FieldError("to", en: "to must not be before from.", vi: "Thời điểm kết thúc phải sau thời điểm bắt đầu."))
        }
        if let from, let to, to - from > maximumWindowDays * 86_400 {
            errors.append(FieldError("to", en: "The window may be at most \(maximumWindowDays) days.", vi: "Khoảng thời gian tối đa \(maximumWindowDays) ngày."))
        }
        let buffer = bufferMinutes ?? 60
        if buffer < 0 || buffer > 24 * 60 {
            errors.append(FieldError("bufferMinutes", en: "bufferMinutes must be 0 to 1440.", vi: "Khoảng đệm (bufferMinutes) phải từ 0 đến 1440 phút."))
        }
        let depth = depth ?? 1
        if depth != 1 && depth != 2 { errors.append(FieldError("depth", en: "depth must be 1 or 2.", vi: "Cấp truy vết (depth) phải là 1 hoặc 2.")) }
        try errors.throwIfAny()
        return (from!, to!, buffer, depth)
    }

    /// Runs a trace limited to the officer's jurisdiction, and logs who was shown.
    func trace(_ request: TraceRequest, by officer: OfficerAccess.Officer) async throws -> (result: Tracing.Result, places: [UUID: TracingStore.PlaceFacts]) {
        let store = services.store.tracing()
        let jurisdiction = officer.jurisdiction
        // Place facts are read before the trace filters by them; a cache per trace keeps that to one read per place.
        let allowed = AllowedPlaces(store: store, jurisdiction: jurisdiction)
        let result: Tracing.Result
        do {
            result = try await Tracing.trace(person: request.person, from: request.from, to: request.to,
                                             bufferSeconds: Int64(request.bufferMinutes) * 60, depth: request.depth,
                                             source: allowed, maximumContacts: services.configuration.maximumTraceContacts)
        } catch let tooMany as Tracing.TooManyContacts {
            let limit = tooMany.limit.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))
            throw AppError(.unprocessableContent, "trace_too_large",
                           en: "This trace reaches more than \(limit) contacts (at level \(tooMany.level)). Narrow the window or the buffer, or trace level 1 first and then its contacts one by one.",
                           vi: "Truy vết này có hơn \(limit) người tiếp xúc (cấp \(tooMany.level)). Hãy thu hẹp khoảng thời gian hoặc thời gian đệm, hoặc truy vết cấp 1 trước rồi truy tiếp từng người.")
        }
        let places = try await store.placeFacts(result.stays.map(\.placeId) + result.contacts.map(\.placeId))
        await access.logUnmasked(officer, people: [request.person] + Array(Set(result.contacts.map(\.personId))), what: "tracing")
        return (result, places)
    }

    /// A source that hides places outside the jurisdiction, so nothing is shown or followed there.
    struct AllowedPlaces: Tracing.Source {
        let store: TracingStore
        let jurisdiction: Jurisdiction

        func stays(of person: UUID, from: Int64, to: Int64) async throws -> [Tracing.PlaceStay] {
            try await stays(of: [person], from: from, to: to)[person] ?? []
        }

        func stays(of people: [UUID], from: Int64, to: Int64) async throws -> [UUID: [Tracing.PlaceStay]] {
            let stays = try await store.stays(of: people, from: from, to: to)
            guard jurisdiction.scope != .country else { return stays }
            let facts = try await store.placeFacts(Array(Set(stays.values.flatMap { $0.map(\.placeId) })))
            return stays.mapValues { list in
                list.filter { facts[$0.placeId].map { jurisdiction.contains(wardCode: $0.wardCode, districtCode: $0.districtCode, provinceCode: $0.provinceCode) } ?? false }
            }
        }

        func stays(at place: UUID, from: Int64, to: Int64) async throws -> [UUID: [Stay]] {
            try await store.stays(at: place, from: from, to: to)
        }

        func stays(at windows: [Tracing.PlaceWindow]) async throws -> [[UUID: [Stay]]] {
            try await store.stays(at: windows)
        }
    }

    // MARK: Marks, records, notices

    /// Marks a person F0/F1/F2 (or clears marks with nil) and refreshes their status.
    func mark(_ person: UUID, _ mark: CaseMark?, source: String, by officer: OfficerAccess.Officer) async throws {
        let now = services.time.seconds()
        if let mark {
            try await services.store.health.setMark(person, mark: mark, source: source, by: officer.account.id, now: now)
        } else {
            try await services.store.health.clearMarks(person, by: officer.account.id, now: now)
        }
        try await services.store.officers.audit(account: officer.account.id, action: "mark", subjects: [person.uuidString], detail: mark?.rawValue ?? "clear", now: now)
        services.healthCache.personChanged(person)
    }

    /// Marks traced contacts (F1 for level 1, F2 for level 2), lists them as exposed (H8) and tells them
    /// and the places' owners. Returns how many people were marked and how many texts were sent.
    func markContacts(_ contacts: [Tracing.Contact], by officer: OfficerAccess.Officer, notify: Bool) async throws -> (marked: Int, texts: Int) {
        let now = services.time.seconds()
        var firstPerPerson: [UUID: Tracing.Contact] = [:]
        for contact in contacts where firstPerPerson[contact.personId].map({ contact.level < $0.level }) ?? true { firstPerPerson[contact.personId] = contact }
        var texts = 0
        for (person, contact) in firstPerPerson.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            try await services.store.health.setMark(person, mark: contact.level == 1 ? .f1 : .f2, source: "tracing", by: officer.account.id, now: now)
            try await services.store.health.addExposure(person, source: "tracing", placeId: contact.placeId, from: contact.from, to: contact.to,
                                                        level: contact.level, by: officer.account.id, now: now)
            services.healthCache.personChanged(person)
            if notify, try await notifyPerson(person, placeId: contact.placeId, from: contact.from, to: contact.to, officer: officer) { texts += 1 }
        }
        try await services.store.officers.audit(account: officer.account.id, action: "mark", subjects: firstPerPerson.keys.map(\.uuidString), detail: "tracing", now: now)
        if notify {
            for place in Set(contacts.map(\.placeId)) {
                let window = contacts.filter { $0.placeId == place }
                texts += try await notifyOwners(place: place, from: window.map(\.from).min()!, to: window.map(\.to).max()!, officer: officer)
            }
        }
        return (firstPerPerson.count, texts)
    }

    /// Texts a person whose phone is known, within the daily cap. True when a text went out.
    func notifyPerson(_ person: UUID, placeId: UUID, from: Int64, to: Int64, officer: OfficerAccess.Officer) async throws -> Bool {
        guard let phone = try await services.store.tracing().summaries([person])[person]?.phone else { return false }
        // No place name in the text (typed by its owner); the citizen sees the place in Ravao's alert.
        return try await sendCapped(to: phone, text: "Ravao: Ban co mat tai mot dia diem luc \(LocalTime.format(from)) - \(LocalTime.format(to)), cung thoi diem voi mot ca benh. Xem chi tiet trong Ravao, theo doi suc khoe va lien he tram y te.",
                                    officer: officer)
    }

    /// Tells a place's owners and managers the window (never the case). Returns texts sent.
    func notifyOwners(place: UUID, from: Int64, to: Int64, officer: OfficerAccess.Officer) async throws -> Int {
        // The place's code, not its name: a name is text a user typed, and this goes to phones that did not ask.
        let code = try await services.store.places.place(id: place)?.code ?? ""
        var sent = 0
        for phone in try await services.store.officers.placeContacts(place: place) {
            if try await sendCapped(to: phone, text: "Ravao: Co quan y te thong bao dia diem ma \(code) co ca benh lien quan trong khoang \(LocalTime.format(from)) - \(LocalTime.format(to)). Vui long ve sinh, khu khuan va phoi hop truy vet.",
                                    officer: officer) { sent += 1 }
        }
        return sent
    }

    /// Texts at most `dailyCap` notices per phone per local day, like the sign-in limits, so a large
    /// trace cannot flood one number.
    static let dailyCap = 3

    func sendCapped(to phone: String, text: String, officer: OfficerAccess.Officer) async throws -> Bool {
        let now = services.time.seconds()
        let sentToday = try await services.store.officers.sentCount(to: phone, since: LocalTime.startOfDay(containing: now))
        guard sentToday < Self.dailyCap else { return false }
        try await services.store.officers.audit(account: officer.account.id, action: "sms", subjects: [phone], detail: "notice", now: now)
        do {
            try await services.sms.send(to: phone, text: text)
        } catch {
            services.logger.warning("notice SMS failed", metadata: ["error": "\(error)"])
            return false
        }
        return true
    }

    // MARK: Place alert (A5)

    struct Present: Sendable { let personId: UUID; let from: Int64; let to: Int64 }

    /// Everyone whose stay at the place overlaps [from, to]; they are listed as exposed and told, and the
    /// owners are told the window.
    func placeAlert(_ place: Place, from: Int64, to: Int64, by officer: OfficerAccess.Officer, notify: Bool) async throws -> [Present] {
        let store = services.store.tracing()
        let present = try await store.stays(at: place.id, from: from, to: to)
        let now = services.time.seconds()
        var out: [Present] = []
        for (person, stays) in present.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            let lo = stays.map { max($0.from, from) }.min()!, hi = stays.map { min($0.to, to) }.max()!
            out.append(Present(personId: person, from: lo, to: hi))
            try await services.store.health.addExposure(person, source: "place_alert", placeId: place.id, from: lo, to: hi, level: nil,
                                                        by: officer.account.id, now: now)
            services.healthCache.personChanged(person)
            if notify { _ = try await notifyPerson(person, placeId: place.id, from: lo, to: hi, officer: officer) }
        }
        _ = try await services.store.officers.addPlaceAlert(place: place.id, from: from, to: to, people: out.count, by: officer.account.id, now: now)
        if notify { _ = try await notifyOwners(place: place.id, from: from, to: to, officer: officer) }
        await access.logUnmasked(officer, people: out.map(\.personId), what: "place_alert")
        return out
    }
}

/// Times for officers: ISO 8601 with the +07:00 offset Vietnam keeps all year.
enum LocalISO {
    static func string(_ seconds: Int64) -> String {
        let local = seconds + LocalTime.offsetSeconds
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secs = local - day * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return HealthRules.civilDateString(days: day) + "T\(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60))+07:00"
    }

    static func parse(_ text: String?) -> Int64? {
        guard let text, let date = ISOTime.parse(text) else { return nil }
        return Int64(date.timeIntervalSince1970.rounded(.down))
    }
}
