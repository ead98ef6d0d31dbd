import Foundation
import RavaoCore
import RavaoStore

/// The rules of sharing a place (S1), shared by the API and the place page.
///
/// Owners share any role; managers share entry-controller and manager roles but never ownership.
/// Each invited phone gets its own SMS code (same generation, keyed hash and constant-time check as
/// sign-in codes); the share becomes active when that code is entered, by the invitee signed in or by
/// the owner the invitee reads it to. Sending codes is capped per phone, per sharing account and per
/// address, like sign-in codes.
struct SharingService {
    let services: AppServices
    var store: SharingStore { services.store.sharing }
    var places: PlaceService { PlaceService(services: services) }

    static let maximumPhones = 20
    /// A code may be read out over the phone, so it lives the longest the house rules allow.
    static let codeLifetimeSeconds: Int64 = 600
    static let codesPerPhonePerHour = 5
    static let sharesPerAccountPerHour = 30
    static let sharesPerIPPerHour = 60

    static let lastOwnerError = AppError(.conflict, "last_owner",
        en: "A place must keep at least one permanent owner; share ownership with someone else first.",
        vi: "Địa điểm phải luôn có ít nhất một chủ sở hữu; hãy chia sẻ quyền chủ sở hữu cho người khác trước.")
    static let ownershipError = AppError(.forbidden, "owner_only",
        en: "Only an owner can share or revoke ownership.", vi: "Chỉ chủ địa điểm mới được chia sẻ hoặc thu hồi quyền chủ sở hữu.")

    /// Whether someone holding `mine` may hand out or take back `role` at the place.
    static func mayShare(_ role: PlaceRole, holding mine: PlaceRole) -> Bool {
        mine == .owner || (mine == .manager && role != .owner)
    }

    // MARK: Input

    /// Phone numbers separated by commas, semicolons or new lines; every bad one is named.
    static func parsePhones(_ text: String?) throws -> [PhoneNumber] {
        let parts = (text ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else {
            try [FieldError("phones", en: "enter at least one phone number", vi: "nhập ít nhất một số điện thoại")].throwIfAny()
            return []
        }
        let bad = parts.filter { PhoneNumber($0) == nil }
        if !bad.isEmpty {
            let list = bad.prefix(5).joined(separator: ", ")
            try [FieldError("phones", en: "not Vietnamese phone numbers: \(list)", vi: "số điện thoại không hợp lệ: \(list)")].throwIfAny()
        }
        var seen = Set<String>()
        let phones = parts.compactMap(PhoneNumber.init).filter { seen.insert($0.e164).inserted }
        if phones.count > maximumPhones {
            try [FieldError("phones", en: "at most \(maximumPhones) numbers at once", vi: "tối đa \(maximumPhones) số mỗi lần")].throwIfAny()
        }
        return phones
    }

    /// An ISO 8601 time, or a date (the share then lasts to the end of that day, Vietnam time).
    static func parseExpiry(_ text: String?, now: Int64) throws -> Int64? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        var seconds: Int64?
        if let date = ISOTime.parse(text) {
            seconds = Int64(date.timeIntervalSince1970)
        } else if let day = FormDate.parse(text) {
            seconds = day + 86_400
        }
        guard let seconds else {
            try [FieldError("expiresAt", en: "write the expiry as a date (2026-12-31) or an ISO 8601 time", vi: "ngày hết hạn không hợp lệ (ví dụ 2026-12-31)")].throwIfAny()
            return nil
        }
        if seconds <= now {
            try [FieldError("expiresAt", en: "the expiry must be in the future", vi: "ngày hết hạn phải ở tương lai")].throwIfAny()
        }
        return seconds
    }

    // MARK: Sharing

    func create(placeId: UUID, phones phonesText: String?, role roleText: String?, expiresAt expiryText: String?, by account: Account,
                audit: AuditSource) async throws -> [SharingStore.Share] {
        let (place, mine) = try await places.placeWithRole(placeId, account: account, needs: { $0 >= .manager })
        let now = services.time.seconds()
        var errors: [FieldError] = []
        let role = PlaceRole(rawValue: roleText ?? "")
        if role == nil { errors.append(FieldError("role", en: "role must be owner, manager or controller", vi: "vai trò phải là owner, manager hoặc controller")) }
        var phones: [PhoneNumber] = []
        do { phones = try Self.parsePhones(phonesText) } catch let e as AppError { errors += e.fields }
        var expiresAt: Int64?
        do { expiresAt = try Self.parseExpiry(expiryText, now: now) } catch let e as AppError { errors += e.fields }
        try errors.throwIfAny()
        guard let role else { throw AppError.forbidden }
        guard Self.mayShare(role, holding: mine) else { throw Self.ownershipError }
        // Trust rule 6: nobody extends their own access, nor gives more than they hold. A sharer whose
        // role ends gives roles that end no later (an invitation without an expiry gets theirs).
        if phones.contains(account.phone) {
            throw AppError(.unprocessableContent, "share_with_yourself", en: "You cannot share a place with your own number.",
                           vi: "Không thể chia sẻ địa điểm cho chính số điện thoại của bạn.",
                           fields: [FieldError("phones", en: "your own number", vi: "số của chính bạn")])
        }
        if let myEnd = try await services.store.places.roleExpiry(of: account.id, at: place.id) {
            if let wanted = expiresAt, wanted > myEnd {
                throw AppError(.unprocessableContent, "expiry_beyond_own", en: "Your own access ends on \(LocalTime.format(myEnd)); an invitation cannot last longer.",
                               vi: "Quyền của bạn hết hạn lúc \(LocalTime.format(myEnd)); lời mời không thể dài hơn.",
                               fields: [FieldError("expiresAt", en: "after your own expiry", vi: "sau thời hạn của bạn")])
            }
            expiresAt = expiresAt ?? myEnd
        }

        // One code per invitation: a second share of the place to a number whose code went out moments
        // ago (a double click, a resent form) would put two codes on that phone, only the last valid.
        let recent = try await store.shares(placeId: place.id).filter {
            $0.state(now: now) == "pending" && now - $0.createdAt < Self.resendWaitSeconds && phones.contains($0.phone)
        }
        if !recent.isEmpty {
            let numbers = recent.map(\.phone.national).joined(separator: ", ")
            throw AppError(.conflict, "share_just_sent",
                           en: "A code was just sent to \(numbers) for this place; it is valid for 10 minutes. Wait a minute before sending another.",
                           vi: "Vừa gửi mã cho số \(numbers) cho địa điểm này; mã có hiệu lực 10 phút. Chờ 1 phút nếu cần gửi lại.",
                           fields: [FieldError("phones", en: "code just sent", vi: "vừa gửi mã")])
        }
        var limits = phones.map { RateLimitStore.Limit(scope: "share-phone", subject: $0.e164, perHour: Self.codesPerPhonePerHour) }
        limits.append(.init(scope: "share-account", subject: account.id.uuidString, perHour: Self.sharesPerAccountPerHour))
        limits.append(.init(scope: "share-ip", subject: audit.ip, perHour: Self.sharesPerIPPerHour))
        if try await services.store.rateLimits.take(limits, now: now) != nil {
            throw AppError(.tooManyRequests, "too_many_codes", en: "Too many share codes were sent in the last hour; try again later.",
                           vi: "Đã gửi quá nhiều mã chia sẻ trong một giờ; vui lòng thử lại sau.", retryAfter: 3600)
        }
        var codes: [UUID: String] = [:]
        let newShares = phones.map { phone -> SharingStore.NewShare in
            let id = UUID()
            let code = SignInService.generateCode()
            codes[id] = code
            return .init(id: id, phone: phone, codeHash: codeHash(shareId: id, phone: phone, code: code))
        }
        try await store.create(placeId: place.id, role: role, shares: newShares, expiresAt: expiresAt,
                               codeExpiresAt: now + Self.codeLifetimeSeconds, by: account.id, now: now)
        var created: [SharingStore.Share] = []
        for share in newShares {
            do {
                try await services.sms.send(to: share.phone.e164, text: Self.message(code: codes[share.id]!, language: audit.language))
            } catch {
                // An undelivered code is withdrawn, as at sign-in, so the owner can simply try again.
                try? await store.delete(id: share.id)
                services.logger.error("share SMS not sent", metadata: ["error": "\(error)"])
                throw error
            }
            if let stored = try await store.share(id: share.id) { created.append(stored) }
            await HistoryRecorder(services: services).record(place.id, .shared, audit: audit,
                details: ["phone": share.phone.national, "role": role.rawValue, "expiresAt": expiresAt.map(ISOTime.string) ?? "", "status": "pending"])
        }
        return created
    }

    /// The SMS: the code, the place and the role; no diacritics so it fits one GSM-7 message.
    /// The invitation text. The place's name is typed by whoever shares it, and this goes to a phone
    /// that never asked for it, so it names nothing a user typed (trust rule 8): the invitee sees the
    /// place in Ravao after signing in.
    static func message(code: String, language: Language) -> String {
        switch language {
        // The same words as the invitations page: sign in and enter the code there (or read it out).
        case .vi: return "Ravao: co nguoi moi ban cung quan ly mot dia diem. Ma cua loi moi nay: \(code), hieu luc 10 phut. Dang nhap Ravao, nhap ma o muc Loi moi chia se (hoac doc ma cho nguoi da moi ban). Bo qua neu ban khong quen ho."
        case .en: return "Ravao: someone invited you to help run a place. Code for this invitation: \(code), valid 10 minutes. Sign in to Ravao and enter it under Shares waiting for you (or read it to whoever invited you). Ignore it if you do not know them."
        }
    }

    func codeHash(shareId: UUID, phone: PhoneNumber, code: String) -> String {
        // Bound to the share as well as the phone, so a code for one share never confirms another.
        services.keys.otpHash(phone: "share:\(shareId.uuidString)|\(phone.e164)", code: code)
    }

    // MARK: Confirming

    /// The share, if this account may act on it: the invitee, or staff of the place allowed to share its role.
    func shareForActing(_ shareId: UUID, account: Account) async throws -> (SharingStore.Share, isInvitee: Bool) {
        guard let share = try await store.share(id: shareId) else { throw AppError.notFound }
        if share.phone == account.phone { return (share, true) }
        let now = services.time.seconds()
        guard let mine = try await services.store.places.role(of: account.id, at: share.placeId, now: now), mine >= .manager else { throw AppError.notFound }
        guard Self.mayShare(share.role, holding: mine) else { throw Self.ownershipError }
        return (share, false)
    }

    func confirm(shareId: UUID, code: String?, by account: Account, audit: AuditSource) async throws -> (SharingStore.Share, SharingStore.Granted?) {
        let (share, _) = try await shareForActing(shareId, account: account)
        let now = services.time.seconds()
        guard share.state(now: now) == "pending" else {
            throw AppError(.conflict, "share_not_pending", en: "This share is no longer waiting for a code.", vi: "Lượt chia sẻ này không còn chờ mã xác nhận.")
        }
        let policy = services.configuration.otp
        if try await services.store.accounts.failureCount(ip: audit.ip, since: now - 3600) >= policy.maxFailuresPerIPPerHour {
            throw AppError(.tooManyRequests, "too_many_failures", en: "Too many wrong codes from this address; try again in an hour.",
                           vi: "Nhập sai mã quá nhiều lần; vui lòng thử lại sau một giờ.", retryAfter: 3600)
        }
        let trimmed = (code ?? "").filter { !$0.isWhitespace }
        guard share.codeExpiresAt > now, trimmed.count == 6, trimmed.allSatisfy(\.isASCII),
              SignInService.constantTimeEquals(codeHash(shareId: share.id, phone: share.phone, code: trimmed), share.codeHash) else {
            try await store.recordFailedAttempt(id: share.id, maxAttempts: policy.maxAttemptsPerCode, now: now)
            try await services.store.accounts.recordFailure(challengeId: nil, phone: share.phone, ip: audit.ip, maxAttempts: policy.maxAttemptsPerCode, now: now)
            throw AppError(.unprocessableContent, "invalid_code", en: "The code is wrong or has expired; share again to send a new one.",
                           vi: "Mã không đúng hoặc đã hết hạn; hãy chia sẻ lại để gửi mã mới.", fields: [FieldError("code", en: "wrong or expired", vi: "sai hoặc hết hạn")])
        }
        let granted: SharingStore.Granted?
        do {
            granted = try await store.confirm(id: share.id, now: now)
        } catch SharingStore.SharingError.lastOwner {
            throw Self.lastOwnerError
        } catch SharingStore.SharingError.notPending {
            throw AppError(.conflict, "share_not_pending", en: "This share is no longer waiting for a code.", vi: "Lượt chia sẻ này không còn chờ mã xác nhận.")
        }
        services.caches.placesChanged()
        let recorder = HistoryRecorder(services: services)
        if let granted, let previous = granted.previous, previous != granted.role {
            await recorder.record(share.placeId, .roleChanged, audit: audit,
                                  details: ["phone": share.phone.national, "role": granted.role.rawValue, "previousRole": previous.rawValue])
        } else {
            await recorder.record(share.placeId, .shareConfirmed, audit: audit,
                                  details: ["phone": share.phone.national, "role": share.role.rawValue, "status": granted == nil ? "awaiting_sign_in" : "active"])
        }
        return (try await store.share(id: share.id) ?? share, granted)
    }

    /// As at sign-in: no second code to the same number for the same place within a minute.
    static let resendWaitSeconds: Int64 = 60

    static let wrongInvitationCode = AppError(.unprocessableContent, "invalid_code",
        en: "That code is wrong or has expired. Check the SMS and enter it again.",
        vi: "Mã không đúng hoặc đã hết hạn. Hãy kiểm tra tin nhắn và nhập lại.",
        fields: [FieldError("code", en: "wrong or expired", vi: "sai hoặc hết hạn")])

    /// The invitee types the code from an SMS once, whatever invitation it belongs to: each code is
    /// bound to one share, so the code itself says which. A wrong code counts against every pending
    /// share of the phone (and the IP), as five wrong tries at one share would.
    func confirmByCode(_ code: String?, account: Account, audit: AuditSource) async throws -> SharingStore.Share {
        let now = services.time.seconds()
        let pending = try await store.pending(phone: account.phone, now: now)
        guard !pending.isEmpty else {
            throw AppError(.conflict, "share_not_pending", en: "No invitation is waiting for your number.", vi: "Không có lời mời nào đang chờ số điện thoại của bạn.")
        }
        let policy = services.configuration.otp
        if try await services.store.accounts.failureCount(ip: audit.ip, since: now - 3600) >= policy.maxFailuresPerIPPerHour {
            throw AppError(.tooManyRequests, "too_many_failures", en: "Too many wrong codes from this address; try again in an hour.",
                           vi: "Nhập sai mã quá nhiều lần; vui lòng thử lại sau một giờ.", retryAfter: 3600)
        }
        let trimmed = (code ?? "").filter { !$0.isWhitespace }
        if trimmed.count == 6, trimmed.allSatisfy(\.isASCII) {
            for share in pending where SignInService.constantTimeEquals(codeHash(shareId: share.id, phone: share.phone, code: trimmed), share.codeHash) {
                return try await confirm(shareId: share.id, code: trimmed, by: account, audit: audit).0
            }
        }
        for share in pending { try await store.recordFailedAttempt(id: share.id, maxAttempts: policy.maxAttemptsPerCode, now: now) }
        try await services.store.accounts.recordFailure(challengeId: nil, phone: account.phone, ip: audit.ip, maxAttempts: policy.maxAttemptsPerCode, now: now)
        throw Self.wrongInvitationCode
    }

    /// Applies shares confirmed before the phone had an account; called at every sign-in.
    func claim(account: Account, ip: String) async {
        do {
            let granted = try await store.claim(phone: account.phone, accountId: account.id, now: services.time.seconds())
            guard !granted.isEmpty else { return }
            services.caches.placesChanged()
            for g in granted {
                await HistoryRecorder(services: services).record(g.placeId, .shareConfirmed,
                    audit: AuditSource(accountId: account.id, ip: ip, via: "web", language: .vi),
                    details: ["phone": account.phone.national, "role": g.role.rawValue, "status": "active"])
            }
        } catch {
            services.logger.error("could not apply shares at sign-in", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Revoking

    func revoke(shareId: UUID, by account: Account, audit: AuditSource) async throws {
        let (share, _) = try await shareForActing(shareId, account: account)
        let revoked: SharingStore.Share?
        do {
            revoked = try await store.revoke(id: share.id, by: account.id, now: services.time.seconds())
        } catch SharingStore.SharingError.lastOwner {
            throw Self.lastOwnerError
        }
        guard revoked != nil else {
            throw AppError(.conflict, "already_revoked", en: "This share was already revoked.", vi: "Lượt chia sẻ này đã bị thu hồi.")
        }
        services.caches.placesChanged()
        await HistoryRecorder(services: services).record(share.placeId, .unshared, audit: audit,
                                                         details: ["phone": share.phone.national, "role": share.role.rawValue])
    }

    /// Takes someone's role away; anyone may remove themselves (leave), owners remove anyone, managers
    /// remove controllers and managers.
    func removeMember(placeId: UUID, accountId: UUID, by account: Account, audit: AuditSource) async throws {
        let now = services.time.seconds()
        guard let mine = try await services.store.places.role(of: account.id, at: placeId, now: now),
              let place = try await services.store.places.place(id: placeId), place.deletedAt == nil else { throw AppError.notFound }
        let members = try await store.members(placeId: placeId, now: now)
        guard let target = members.first(where: { $0.accountId == accountId }) else { throw AppError.notFound }
        if accountId != account.id {
            guard mine >= .manager else { throw AppError.forbidden }
            guard Self.mayShare(target.role, holding: mine) else { throw Self.ownershipError }
        }
        do {
            _ = try await store.removeMember(placeId: placeId, accountId: accountId, by: account.id, now: now)
        } catch SharingStore.SharingError.lastOwner {
            throw Self.lastOwnerError
        }
        services.caches.placesChanged()
        await HistoryRecorder(services: services).record(placeId, .unshared, audit: audit,
            details: ["phone": target.phone.national, "role": target.role.rawValue, "left": accountId == account.id ? "yes" : "no"])
    }
}

/// Calendar dates typed in forms (`2026-12-31` or `31/12/2026`), as the Unix second their day starts in Vietnam
/// (forms reach back before 1970, which `LocalDate(_:)` does not accept).
enum FormDate {
    static func parse(_ text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var parts: [Int]
        if t.contains("-") { parts = t.split(separator: "-").compactMap { Int($0) } }
        else if t.contains("/") { parts = t.split(separator: "/").compactMap { Int($0) }.reversed() }
        else { return nil }
        guard parts.count == 3, (1900...9999).contains(parts[0]), (1...12).contains(parts[1]), parts[2] >= 1,
              Int64(parts[2]) <= LocalDate.daysIn(month: Int64(parts[1]), year: Int64(parts[0])) else { return nil }
        return LocalDate(dayNumber: LocalDate.days(fromCivil: Int64(parts[0]), Int64(parts[1]), Int64(parts[2]))).start
    }
}
