import Foundation
import RavaoCore
import RavaoStore

/// Turns what was scanned (or a self check-in at a poster) into a check-in through the group-commit
/// writer, with the rules shared by the station, the kiosk and the poster flow.
struct CheckInService {
    let services: AppServices

    /// Who scanned: a signed-in staff member or a kiosk.
    enum Scanner {
        case account(Account)
        case device(DeviceStore.Device)

        var accountId: UUID? { if case .account(let a) = self { a.id } else { nil } }
        var deviceId: UUID? { if case .device(let d) = self { d.id } else { nil } }
    }

    /// The place a scan is for, if this scanner may scan there. Answered from the access caches.
    func placeForScanning(_ placeId: UUID, by scanner: Scanner) async throws -> Place {
        let caches = services.caches
        let store = services.store.places
        switch scanner {
        case .device(let device):
            guard device.placeId == placeId else {
                throw AppError(.forbidden, "wrong_place", en: "This device is registered for another place.", vi: "Thiết bị này được đăng ký cho địa điểm khác.")
            }
            guard let place = try await caches.places.value(placeId, load: { try await store.place(id: placeId) }), place.deletedAt == nil else {
                throw AppError.notFound
            }
            touch(device)
            return place
        case .account(let account):
            // Every role may scan: owners, managers and entry controllers.
            let key = AccessCaches.RoleKey(place: placeId, account: account.id)
            let access = try await caches.roles.value(key) {
                guard let place = try await store.place(id: placeId), place.deletedAt == nil,
                      let role = try await store.role(of: account.id, at: placeId, now: services.time.seconds()) else { return nil }
                return AccessCaches.PlaceAccess(place: place, role: role)
            }
            guard let access else { throw AppError.notFound }
            return access.place
        }
    }

    /// Records a scan. Unreadable payloads and re-issued tokens are kept in the rejected-scan log and
    /// answered 422 with the reason.
    /// A recorded scan, and — when the payload was a typed number — what the guard typed, masked:
    /// the answer then names no one (a typed number proves nothing about who stands at the door).
    struct ScanResult {
        let recorded: CheckInStore.Recorded
        let typedAs: String?
    }

    func scan(payload text: String, at place: Place, direction: CheckInDirection, clientId: UUID, scannedAt: Int64,
              by scanner: Scanner) async throws -> ScanResult {
        let now = services.time.seconds()
        let payload: ScannedPayload
        switch services.recognizer.recognize(text) {
        case .recognized(let recognized): payload = recognized
        case .unrecognized(let reason):
            try await services.store.checkIns.reject(placeId: place.id, clientId: clientId, payload: text, reason: reason.code,
                                                      scannedBy: scanner.accountId, deviceId: scanner.deviceId, at: now)
            throw AppError(.unprocessableContent, "unrecognized_payload", en: reason.message, vi: reason.messageVI,
                           fields: [FieldError("payload", en: reason.code, vi: reason.code)])
        }
        let typed = Self.isTyped(payload)
        if typed {
            try await takeTypedSlot(payload, place: place, by: scanner, now: now)
        }
        var identifiers: [CheckInStore.Identifier] = []
        if let qid = payload.nationalQID { identifiers.append(.init(kind: "qid", value: qid)) }
        if let cccd = payload.cccdNumber { identifiers.append(.init(kind: "cccd", value: cccd)) }
        if let bhyt = payload.bhytCardNumber ?? payload.bhxhNumber { identifiers.append(.init(kind: "bhyt", value: bhyt)) }
        if let phone = payload.phone { identifiers.append(.init(kind: "phone", value: phone.e164)) }
        let isToken = payload.kind == .ravao && payload.ravaoPersonID != nil
        let outcome = try await services.checkIns.submit(.init(
            clientId: clientId, placeId: place.id, direction: direction, kind: payload.kind, scannedAt: scannedAt, recordedAt: now,
            scannedBy: scanner.accountId, deviceId: scanner.deviceId, payload: text, identifiers: identifiers,
            provenPerson: isToken ? payload.ravaoPersonID : nil, tokenVersion: isToken ? payload.ravaoTokenVersion : nil,
            fullName: payload.fullName))
        let recorded = try Self.recorded(outcome)
        return ScanResult(recorded: recorded, typedAs: typed ? Self.maskedTyped(payload) : nil)
    }

    static func maskedTyped(_ payload: ScannedPayload) -> String {
        if let phone = payload.phone { return PhoneNumber(phone.e164)?.masked ?? "" }
        let number = payload.cccdNumber ?? payload.bhytCardNumber ?? payload.bhxhNumber ?? ""
        return String(number.prefix(4)) + String(repeating: "*", count: max(0, number.count - 4))
    }

    /// The check-in of an outcome, or the error that explains why there is none.
    static func recorded(_ outcome: CheckInWriter.Outcome) throws -> CheckInStore.Recorded {
        switch outcome {
        case .recorded(let recorded): return recorded
        case .tokenRevoked:
            throw AppError(.unprocessableContent, "token_revoked", en: "This personal QR was replaced by a newer one; ask for the current QR.",
                           vi: "Mã QR cá nhân này đã được thay bằng mã mới; đề nghị xuất trình mã hiện tại.")
        case .clientIdReused: throw clientIdReused
        }
    }

    static let clientIdReused = AppError(.conflict, "client_id_reused", en: "This clientId was already used for another scan; send each scan with a new one.",
                                         vi: "clientId này đã được dùng cho một lượt quét khác; mỗi lượt quét cần một mã mới.")

    /// A phone, CCCD or BHYT number on its own — typed by a guard, or a bare number — carries no proof
    /// that its holder is at the door, unlike a card's QR (which holds the name) or a signed personal QR.
    static func isTyped(_ payload: ScannedPayload) -> Bool {
        payload.fullName == nil && [.phone, .cccd, .bhyt].contains(payload.kind)
    }

    /// Trust rule 3: typed numbers are limited per account (or kiosk) and per place, counted by distinct
    /// number so a guard re-typing one person's phone costs nothing.
    func takeTypedSlot(_ payload: ScannedPayload, place: Place, by scanner: Scanner, now: Int64) async throws {
        let configuration = services.configuration
        let value = payload.phone?.e164 ?? payload.cccdNumber ?? payload.bhytCardNumber ?? payload.bhxhNumber ?? payload.raw
        let who = scanner.accountId.map { "account:\($0.uuidString)" } ?? scanner.deviceId.map { "device:\($0.uuidString)" } ?? "unknown"
        if let hit = try await services.store.rateLimits.takeDistinct([
            .init(scope: "typed-scanner", subject: who, perHour: configuration.typedIdentifiersPerAccountPerHour),
            .init(scope: "typed-place", subject: place.id.uuidString, perHour: configuration.typedIdentifiersPerPlacePerHour),
        ], item: services.keys.identifierHash(value), now: now) {
            services.logger.notice("typed identifiers capped", metadata: ["scope": "\(hit.scope)", "place": "\(place.id)"])
            throw AppError(.tooManyRequests, "too_many_typed_identifiers",
                           en: "Too many different phone or ID numbers typed in the last hour (at most \(hit.perHour)); scan the person's QR or card instead.",
                           vi: "Đã nhập quá nhiều số điện thoại/số giấy tờ khác nhau trong một giờ (tối đa \(hit.perHour)); hãy quét mã QR hoặc thẻ của người đến.",
                           retryAfter: 3600)
        }
    }

    /// Records a citizen's own check-in at a poster (one tap, signed in).
    func selfCheckIn(account: Account, place: Place, direction: CheckInDirection, clientId: UUID) async throws -> CheckInStore.Recorded {
        let now = services.time.seconds()
        let person = try await services.store.checkIns.person(forAccount: account, now: now)
        let outcome = try await services.checkIns.submit(.init(
            clientId: clientId, placeId: place.id, direction: direction, kind: .poster, scannedAt: now, recordedAt: now,
            scannedBy: account.id, payload: "", identifiers: [.init(kind: "phone", value: account.phone.e164)], provenPerson: person,
            fullName: account.displayName.isEmpty ? nil : account.displayName))
        return try Self.recorded(outcome)
    }

    /// Records the exit that goes with an entry from a receipt: same person, same place, same kind.
    func checkOut(after entry: CheckInStore.Stored, place: Place, clientId: UUID) async throws -> CheckInStore.Recorded {
        let now = services.time.seconds()
        let outcome = try await services.checkIns.submit(.init(
            clientId: clientId, placeId: place.id, direction: .out, kind: PayloadKind(rawValue: entry.kind) ?? .poster, scannedAt: now, recordedAt: now,
            scannedBy: nil, payload: entry.kind == PayloadKind.guest.rawValue ? entry.payload ?? "" : "", identifiers: [], provenPerson: entry.personId, fullName: nil))
        return try Self.recorded(outcome)
    }

    /// Hourly caps on guest check-ins: per place, per phone and per address.
    static let guestsPerPlacePerHour = 600
    static let guestPerPhonePerHour = 10
    static let guestPerIPPerHour = 60

    /// Records a guest who left a name and phone number at a poster, within the hourly caps. The name they
    /// typed is kept as the check-in's payload: their receipt shows it, never the name of whatever record
    /// the phone already names (a typed phone proves nothing, trust rule 5).
    func guestCheckIn(name: String, phone: PhoneNumber, place: Place, direction: CheckInDirection, clientId: UUID, ip: String) async throws -> CheckInStore.Recorded {
        let now = services.time.seconds()
        if let hit = try await services.store.rateLimits.take([
            .init(scope: "guest-place", subject: place.id.uuidString, perHour: Self.guestsPerPlacePerHour),
            .init(scope: "guest-phone", subject: phone.e164, perHour: Self.guestPerPhonePerHour),
            .init(scope: "guest-ip", subject: ip, perHour: Self.guestPerIPPerHour),
        ], now: now) {
            services.logger.notice("guest check-in capped", metadata: ["scope": "\(hit.scope)", "place": "\(place.id)"])
            throw AppError(.tooManyRequests, "too_many_guest_checkins", en: "Too many guest check-ins in the last hour; sign in with your phone instead, or try later.",
                           vi: "Quá nhiều lượt khai báo khách trong một giờ; vui lòng đăng nhập bằng số điện thoại hoặc thử lại sau.", retryAfter: 3600)
        }
        let outcome = try await services.checkIns.submit(.init(
            clientId: clientId, placeId: place.id, direction: direction, kind: .guest, scannedAt: now, recordedAt: now,
            scannedBy: nil, payload: name, identifiers: [.init(kind: "phone", value: phone.e164)], fullName: name))
        return try Self.recorded(outcome)
    }

    /// Marks when a kiosk was last heard from, at most once a minute per device so it stays off the hot path.
    private func touch(_ device: DeviceStore.Device) {
        let now = services.time.seconds()
        guard services.caches.shouldTouch(device.id, now: now) else { return }
        let store = services.store.devices
        let logger = services.logger
        Task {
            do { try await store.touch(id: device.id, now: now) } catch { logger.warning("could not record device activity", metadata: ["error": "\(error)"]) }
        }
    }
}
