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
        guard note.count <= 500 else { throw AppError(.unprocessableContent, "note_too_long", en: "The note may be at most 500 characters.", vi: "Ghi chú tối đa 500 ký tự.") }
        try await PrivilegeService(services: services).grant(place, note: note, by: officer, audit: AuditSource(request, context))
        guard let updated = try await services.store.places.place(id: place.id) else { throw AppError.notFound }
        return JSONResponse(try await answer(updated), status: .created)
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        let officer = try await access.officer(context, needs: .health)
        let place = try await access.place(try context.uuidParameter("id"), for: officer)
        guard try await PrivilegeService(services: services).revoke(place, by: officer, audit: AuditSource(request, context)) else { throw AppError.notFound }
        return Response(status: .noContent)
    }
}
