import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `POST /api/v1/scans`: a staff station records what it scanned at a place (C2, C3, C7).
struct ScansAPI {
    let services: AppServices

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("scans", use: scan)
    }

    struct ScanRequest: Decodable {
        let placeId: UUID
        let payload: String
        let direction: CheckInDirection?
        let clientId: UUID
        let scannedAt: String?
    }

    struct ScanAnswer: Encodable, Sendable {
        struct Person: Encodable, Sendable { let id: String; let displayName: String }
        let checkInId: String
        let duplicate: Bool
        let kind: String
        let direction: String
        let scannedAt: String
        let person: Person
        /// Filled by the health-status feature; null until then.
        let status: String?
    }

    /// How far back an offline queue may date a scan, and how far a clock may run ahead.
    static let maximumAge: Int64 = 7 * 86_400
    static let maximumSkew: Int64 = 120

    @Sendable func scan(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<ScanAnswer> {
        let account = try context.requireAccount()
        let body = try await request.decodeJSON(ScanRequest.self, context: context)
        let (place, _) = try await PlaceService(services: services).placeWithRole(body.placeId, account: account)
        let now = services.time.seconds()
        let scannedAt = try Self.scanTime(body.scannedAt, now: now)
        let store = services.store.checkIns

        // A retry of something already recorded answers the same, without parsing again.
        if let earlier = try await store.existing(clientId: body.clientId) {
            return JSONResponse(answer(earlier, place: place))
        }
        let payload: ScannedPayload
        switch services.recognizer.recognize(body.payload) {
        case .recognized(let recognized): payload = recognized
        case .unrecognized(let reason):
            try await store.reject(placeId: place.id, clientId: body.clientId, payload: body.payload, reason: reason.code, scannedBy: account.id, at: now)
            throw AppError(.unprocessableContent, "unrecognized_payload", en: reason.message, vi: reason.messageVI,
                           fields: [FieldError("payload", en: reason.code, vi: reason.code)])
        }
        var proven: UUID?
        if payload.kind == .ravao, let person = payload.ravaoPersonID {
            // The signature proved the token; the version says whether it was re-issued since.
            guard let current = try await store.tokenVersion(person: person), current == payload.ravaoTokenVersion else {
                try await store.reject(placeId: place.id, clientId: body.clientId, payload: body.payload, reason: "token_revoked", scannedBy: account.id, at: now)
                throw AppError(.unprocessableContent, "token_revoked", en: "This personal QR was replaced by a newer one; ask for the current QR.",
                               vi: "Mã QR cá nhân này đã được thay bằng mã mới; đề nghị xuất trình mã hiện tại.")
            }
            proven = person
        }
        var identifiers: [CheckInStore.Identifier] = []
        if let qid = payload.nationalQID { identifiers.append(.init(kind: "qid", value: qid)) }
        if let cccd = payload.cccdNumber { identifiers.append(.init(kind: "cccd", value: cccd)) }
        if let bhyt = payload.bhytCardNumber ?? payload.bhxhNumber { identifiers.append(.init(kind: "bhyt", value: bhyt)) }
        if let phone = payload.phone { identifiers.append(.init(kind: "phone", value: phone.e164)) }
        let recorded = try await store.record(.init(
            clientId: body.clientId, placeId: place.id, direction: body.direction ?? .in, kind: payload.kind, scannedAt: scannedAt,
            recordedAt: now, scannedBy: account.id, payload: body.payload, identifiers: identifiers, provenPerson: proven,
            fullName: payload.fullName))
        return JSONResponse(answer(recorded, place: place), status: recorded.duplicate ? .ok : .created)
    }

    func answer(_ recorded: CheckInStore.Recorded, place: Place) -> ScanAnswer {
        // Privileged places (hospitals, checkpoints) may see full names; everyone else sees them masked.
        let name = place.isPrivileged ? recorded.fullName : Masking.name(recorded.fullName)
        return ScanAnswer(checkInId: recorded.id.uuidString, duplicate: recorded.duplicate, kind: recorded.kind, direction: recorded.direction,
                          scannedAt: ISOTime.string(recorded.scannedAt), person: .init(id: recorded.personId.uuidString, displayName: name), status: nil)
    }

    static func scanTime(_ text: String?, now: Int64) throws -> Int64 {
        guard let text else { return now }
        guard let date = ISOTime.parse(text) else {
            throw AppError(.unprocessableContent, "invalid_time", en: "scannedAt must be ISO 8601 with an offset, e.g. 2026-11-23T06:01:02+07:00",
                           vi: "scannedAt phải theo ISO 8601 có múi giờ.")
        }
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        if seconds > now + maximumSkew {
            throw AppError(.unprocessableContent, "time_in_future", en: "scannedAt is in the future; check the device clock.", vi: "Thời điểm quét ở tương lai; kiểm tra đồng hồ thiết bị.")
        }
        if seconds < now - maximumAge {
            throw AppError(.unprocessableContent, "time_too_old", en: "scannedAt is more than 7 days ago.", vi: "Thời điểm quét đã quá 7 ngày.")
        }
        return seconds
    }
}
