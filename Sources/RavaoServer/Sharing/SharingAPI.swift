import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `/api/v1/places/{id}/shares`, `/api/v1/shares/{id}…`, `/api/v1/places/{id}/members/{accountId}` (S1).
struct SharingAPI {
    let services: AppServices
    var sharing: SharingService { SharingService(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("places/:id/shares", use: create)
        group.get("places/:id/shares", use: list)
        group.get("shares", use: mine)
        group.post("shares/:id/confirm", use: confirm)
        group.delete("shares/:id", use: revoke)
        group.delete("places/:id/members/:accountId", use: removeMember)
    }

    struct CreateRequest: Decodable {
        let phones: String?
        let role: String?
        let expiresAt: String?
    }

    struct ConfirmRequest: Decodable { let code: String? }

    struct ShareBody: Encodable, Sendable {
        let id: String
        let placeId: String
        let placeName: String?
        let phone: String
        let role: String
        let status: String
        let expiresAt: String?
        let createdAt: String
        let confirmedAt: String?
    }

    struct MemberBody: Encodable, Sendable {
        let accountId: String
        let phone: String
        let role: String
        let expiresAt: String?
        let shareId: String?
    }

    struct CreatedBody: Encodable, Sendable { let shares: [ShareBody] }
    struct ListBody: Encodable, Sendable { let shares: [ShareBody]; let members: [MemberBody] }

    static func body(_ s: SharingStore.Share, now: Int64, placeName: String? = nil) -> ShareBody {
        ShareBody(id: s.id.uuidString, placeId: s.placeId.uuidString, placeName: placeName, phone: s.phone.national, role: s.role.rawValue,
                  status: s.state(now: now), expiresAt: s.expiresAt.map(ISOTime.string), createdAt: ISOTime.string(s.createdAt),
                  confirmedAt: s.confirmedAt.map(ISOTime.string))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<CreatedBody> {
        let account = try context.requireAccount()
        let placeId = try context.uuidParameter("id")
        // Authorise before reading the body, so a stranger learns nothing from validation messages.
        _ = try await PlaceService(services: services).placeWithRole(placeId, account: account, needs: { $0 >= .manager })
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        let created = try await sharing.create(placeId: placeId, phones: body.phones, role: body.role, expiresAt: body.expiresAt, by: account,
                                               audit: AuditSource(request, context))
        let now = services.time.seconds()
        return JSONResponse(CreatedBody(shares: created.map { Self.body($0, now: now) }), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<ListBody> {
        let account = try context.requireAccount()
        let (place, _) = try await PlaceService(services: services).placeWithRole(try context.uuidParameter("id"), account: account, needs: { $0 >= .manager })
        let now = services.time.seconds()
        let shares = try await services.store.sharing.shares(placeId: place.id)
        let members = try await services.store.sharing.members(placeId: place.id, now: now)
        return JSONResponse(ListBody(shares: shares.map { Self.body($0, now: now) }, members: members.map {
            MemberBody(accountId: $0.accountId.uuidString, phone: $0.phone.national, role: $0.role.rawValue, expiresAt: $0.expiresAt.map(ISOTime.string),
                       shareId: $0.shareId?.uuidString)
        }))
    }

    /// Shares waiting for the signed-in account's own code.
    @Sendable func mine(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<CreatedBody> {
        let account = try context.requireAccount()
        let now = services.time.seconds()
        var bodies: [ShareBody] = []
        for share in try await services.store.sharing.pending(phone: account.phone, now: now) {
            bodies.append(Self.body(share, now: now, placeName: try await services.store.places.place(id: share.placeId)?.name))
        }
        return JSONResponse(CreatedBody(shares: bodies))
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<ShareBody> {
        let account = try context.requireAccount()
        let shareId = try context.uuidParameter("id")
        _ = try await sharing.shareForActing(shareId, account: account)
        let body = try await request.decodeJSON(ConfirmRequest.self, context: context)
        let (share, _) = try await sharing.confirm(shareId: shareId, code: body.code, by: account, audit: AuditSource(request, context))
        return JSONResponse(Self.body(share, now: services.time.seconds()))
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await sharing.revoke(shareId: try context.uuidParameter("id"), by: try context.requireAccount(), audit: AuditSource(request, context))
        return Response(status: .noContent)
    }

    @Sendable func removeMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await sharing.removeMember(placeId: try context.uuidParameter("id"), accountId: try context.uuidParameter("accountId"),
                                       by: try context.requireAccount(), audit: AuditSource(request, context))
        return Response(status: .noContent)
    }
}
