import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/api/v1/places/{id}/privilege`: a health officer lets a hospital's or checkpoint's staff see full
/// personal data (S4, trust rule 2). Privilege is granted, recorded with who and when, revocable, and
/// never reaches back to scans taken before it; the place's owner cannot give it to themselves by
/// choosing a type.
struct PrivilegeAPI {
    let services: AppServices
    var access: OfficerAccess { OfficerAccess(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("places/:id/privilege", use: list)
        group.post("places/:id/privilege", use: grant)
        group.delete("places/:id/privilege", use: revoke)
    }

    struct GrantBody: Decodable { let note: String? }
    struct GrantAnswer: Encodable, Sendable {
        let grantedBy: String; let grantedAt: String; let note: String; let revokedAt: String?
    }
    struct PrivilegeAnswer: Encodable, Sendable {
        let placeId: String; let privileged: Bool; let since: String?; let eligible: Bool; let grants: [GrantAnswer]
    }

    func answer(_ place: Place) async throws -> PrivilegeAnswer {
        let grants = try await services.store.places.grants(of: place.id).map {
            GrantAnswer(grantedBy: $0.grantedBy.uuidString, grantedAt: LocalISO.string($0.grantedAt), note: $0.note, revokedAt: $0.revokedAt.map(LocalISO.string))
        }
        return PrivilegeAnswer(placeId: place.id.uuidString, privileged: place.isPrivileged, since: place.privilegedSince.map(LocalISO.string),
                               eligible: place.placeType.privileged, grants: grants)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PrivilegeAnswer> {
        let officer = try await access.officer(context, needs: .health)
        return JSONResponse(try await answer(try await access.place(try context.uuidParameter("id"), for: officer)))
    }

    @Sendable func grant(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PrivilegeAnswer> {
        let officer = try await access.officer(context, needs: .health)
        let place = try await access.place(try context.uuidParameter("id"), for: officer)
        let note = try await request.decodeJSON(GrantBody.self, context: context).note?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard place.placeType.privileged else {
            throw AppError(.unprocessableContent, "not_eligible", en: "Only hospitals, clinics and quarantine checkpoints may see full personal data.",
                           vi: "Chỉ bệnh viện, cơ sở y tế và chốt kiểm dịch mới được xem đầy đủ thông tin cá nhân.")
        }
        guard note.count <= 500 else { throw AppError(.unprocessableContent, "note_too_long", en: "The note may be at most 500 characters.", vi: "Ghi chú tối đa 500 ký tự.") }
        let now = services.time.seconds()
        if try await services.store.places.grantPrivilege(place.id, by: officer.account.id, note: note, now: now) {
            try await services.store.officers.audit(account: officer.account.id, action: "privilege_grant", subjects: [place.id.uuidString], detail: note, now: now)
            await HistoryRecorder(services: services).record(place.id, .privilegeGranted, audit: AuditSource(request, context), details: ["note": note])
            services.caches.placesChanged()
        }
        guard let updated = try await services.store.places.place(id: place.id) else { throw AppError.notFound }
        return JSONResponse(try await answer(updated), status: .created)
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .health)
        let place = try await access.place(try context.uuidParameter("id"), for: officer)
        let now = services.time.seconds()
        guard try await services.store.places.revokePrivilege(place.id, by: officer.account.id, now: now) else { throw AppError.notFound }
        try await services.store.officers.audit(account: officer.account.id, action: "privilege_revoke", subjects: [place.id.uuidString], detail: "", now: now)
        await HistoryRecorder(services: services).record(place.id, .privilegeRevoked, audit: AuditSource(request, context))
        services.caches.placesChanged()
        return Response(status: .noContent)
    }
}
