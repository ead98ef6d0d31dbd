import Foundation
import Hummingbird
import QRCode
import RavaoCore
import RavaoStore

/// `/api/v1/places…`: register, list and search, read, edit, delete, QR codes, access requests.
struct PlacesAPI {
    let services: AppServices
    var placeService: PlaceService { PlaceService(services: services) }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("places", use: create)
        group.get("places", use: list)
        group.get("places/:id", use: show)
        group.patch("places/:id", use: update)
        group.delete("places/:id", use: delete)
        group.get("places/:id/qr.svg", use: qrSVG)
        group.get("places/:id/qr.png", use: qrPNG)
        group.post("places/:id/code", use: rotate)
        group.get("places/:id/requests", use: requests)
        group.post("place-requests", use: requestAccess)
        group.post("place-requests/:id/accept", use: accept)
        group.post("place-requests/:id/decline", use: decline)
    }

    // MARK: Wire types

    struct PlaceBody: Encodable, Sendable {
        let id: String
        let code: String
        let checkinUrl: String
        let name: String
        let type: String
        let typeName: String
        let privileged: Bool
        let wardCode: String
        let wardName: String
        let districtCode: String?
        let districtName: String?
        let provinceCode: String
        let provinceName: String
        let address: String
        let parentId: String?
        let plate: String?
        let defaultStayMinutes: Int
        let registrantName: String
        let registrantPhone: String
        let role: String
        let createdAt: String
        let updatedAt: String
    }

    struct CreateRequest: Decodable {
        let name: String?
        let type: String?
        let wardCode: String?
        let address: String?
        let parentId: UUID?
        let plate: String?
        let defaultStayMinutes: Int?
        let registrantName: String?
    }

    /// PATCH body: an absent key leaves a field alone; `"parentId": null` or `"plate": null` clears it.
    struct PatchRequest: Decodable {
        var draft = PlaceService.Draft()
        enum Keys: String, CodingKey { case name, type, wardCode, address, parentId, plate, defaultStayMinutes, registrantName }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            draft.name = try c.decodeIfPresent(String.self, forKey: .name)
            draft.type = try c.decodeIfPresent(String.self, forKey: .type)
            draft.wardCode = try c.decodeIfPresent(String.self, forKey: .wardCode)
            draft.address = try c.decodeIfPresent(String.self, forKey: .address)
            if c.contains(.parentId) { draft.parentId = .some(try c.decodeIfPresent(UUID.self, forKey: .parentId)) }
            if c.contains(.plate) { draft.plate = .some(try c.decodeIfPresent(String.self, forKey: .plate)) }
            draft.defaultStayMinutes = try c.decodeIfPresent(Int.self, forKey: .defaultStayMinutes)
            draft.registrantName = try c.decodeIfPresent(String.self, forKey: .registrantName)
        }
    }

    struct ListBody: Encodable, Sendable { let items: [PlaceBody]; let total: Int; let limit: Int; let offset: Int }
    struct RequestBody: Encodable, Sendable { let id: String; let placeId: String; let placeName: String?; let phone: String; let status: String; let createdAt: String }
    struct CodeBody: Decodable { let code: String }
    struct AcceptBody: Decodable { let role: String? }

    // MARK: Handlers

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PlaceBody> {
        let account = try context.requireAccount()
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        var draft = PlaceService.Draft()
        draft.name = body.name; draft.type = body.type; draft.wardCode = body.wardCode; draft.address = body.address
        draft.parentId = .some(body.parentId); draft.plate = .some(body.plate)
        draft.defaultStayMinutes = body.defaultStayMinutes; draft.registrantName = body.registrantName
        let place = try await placeService.register(draft, by: account)
        return JSONResponse(try await describe(place, role: .owner), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<ListBody> {
        let account = try context.requireAccount()
        let q = request.query
        let limit = min(max(Int(q.get("limit") ?? "") ?? 50, 1), 200)
        let offset = max(Int(q.get("offset") ?? "") ?? 0, 0)
        let filter = PlaceStore.Filter(query: q.get("q"), type: q.get("type").nonEmpty, provinceCode: q.get("province").nonEmpty,
                                       districtCode: q.get("district").nonEmpty, wardCode: q.get("ward").nonEmpty, limit: limit, offset: offset, now: services.time.seconds())
        let (items, total) = try await services.store.places.places(of: account.id, filter: filter)
        var bodies: [PlaceBody] = []
        for item in items { bodies.append(try await describe(item.place, role: item.role)) }
        return JSONResponse(ListBody(items: bodies, total: total, limit: limit, offset: offset))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PlaceBody> {
        let (place, role) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: try context.requireAccount())
        return JSONResponse(try await describe(place, role: role))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PlaceBody> {
        let account = try context.requireAccount()
        let id = try context.uuidParameter("id")
        _ = try await placeService.placeWithRole(id, account: account)
        let patch = try await request.decodeJSON(PatchRequest.self, context: context)
        let place = try await placeService.update(id, with: patch.draft, by: account)
        let role = try await services.store.places.role(of: account.id, at: id, now: services.time.seconds()) ?? .controller
        return JSONResponse(try await describe(place, role: role))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await placeService.delete(try context.uuidParameter("id"), by: try context.requireAccount())
        return Response(status: .noContent)
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<PlaceBody> {
        let place = try await placeService.rotateCode(try context.uuidParameter("id"), by: try context.requireAccount())
        return JSONResponse(try await describe(place, role: .owner))
    }

    @Sendable func qrSVG(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (place, _) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: try context.requireAccount(), needs: { $0 >= .manager })
        let qr = try PosterQR.code(for: services.checkinURL(code: place.code))
        return Response(status: .ok, headers: [.contentType: "image/svg+xml", .contentDisposition: "inline; filename=\"ravao-\(place.code).svg\""],
                        body: .init(byteBuffer: ByteBuffer(string: qr.svg())))
    }

    @Sendable func qrPNG(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (place, _) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: try context.requireAccount(), needs: { $0 >= .manager })
        let scale = min(max(Int(request.query.get("scale") ?? "") ?? 12, 2), 40)
        let qr = try PosterQR.code(for: services.checkinURL(code: place.code))
        return Response(status: .ok, headers: [.contentType: "image/png", .contentDisposition: "inline; filename=\"ravao-\(place.code).png\""],
                        body: .init(byteBuffer: ByteBuffer(bytes: qr.png(scale: scale))))
    }

    @Sendable func requests(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[RequestBody]> {
        let (place, _) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: try context.requireAccount(), needs: { $0.canManageAccess })
        let pending = try await services.store.places.pendingRequests(placeId: place.id)
        return JSONResponse(pending.map { Self.requestBody($0, placeName: place.name) })
    }

    @Sendable func requestAccess(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<RequestBody> {
        let account = try context.requireAccount()
        let body = try await request.decodeJSON(CodeBody.self, context: context)
        let (pending, place) = try await placeService.requestAccess(code: body.code, by: account)
        return JSONResponse(Self.requestBody(pending, placeName: place.name), status: .created)
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        // The body is optional (the role defaults to manager), but a body that is there must be valid.
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let body = buffer.readableBytes == 0 ? nil : try JSONDecoder().decode(AcceptBody.self, from: Data(buffer.readableBytesView))
        let role = try Self.role(body?.role ?? "manager")
        try await placeService.decide(requestId: try context.uuidParameter("id"), accept: true, role: role, by: try context.requireAccount())
        return Response(status: .noContent)
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await placeService.decide(requestId: try context.uuidParameter("id"), accept: false, role: .controller, by: try context.requireAccount())
        return Response(status: .noContent)
    }

    // MARK: Helpers

    static func role(_ text: String) throws -> PlaceRole {
        guard let role = PlaceRole(rawValue: text) else {
            throw AppError(.unprocessableContent, "invalid_role", en: "role must be owner, manager or controller", vi: "vai trò phải là owner, manager hoặc controller")
        }
        return role
    }

    static func requestBody(_ r: PlaceStore.AccessRequest, placeName: String?) -> RequestBody {
        RequestBody(id: r.id.uuidString, placeId: r.placeId.uuidString, placeName: placeName,
                    phone: PhoneNumber(r.phone)?.national ?? r.phone, status: r.status, createdAt: ISOTime.string(r.createdAt))
    }

    func describe(_ place: Place, role: PlaceRole) async throws -> PlaceBody {
        let names = try await placeService.unitNames(place)
        return PlaceBody(
            id: place.id.uuidString, code: place.code, checkinUrl: services.checkinURL(code: place.code), name: place.name,
            type: place.type, typeName: place.placeType.nameVI, privileged: place.isPrivileged, wardCode: place.wardCode,
            wardName: names.ward, districtCode: place.districtCode, districtName: names.district, provinceCode: place.provinceCode,
            provinceName: names.province, address: place.address, parentId: place.parentId?.uuidString, plate: place.plate,
            defaultStayMinutes: place.defaultStayMinutes, registrantName: place.registrantName,
            registrantPhone: place.registrantPhone.national, role: role.rawValue,
            createdAt: ISOTime.string(place.createdAt), updatedAt: ISOTime.string(place.updatedAt))
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return self
    }
}

/// The QR printed for a place: quartile error correction, because posters get scuffed and folded.
enum PosterQR {
    static func code(for url: String) throws -> QRCode {
        try QRCode(text: url, level: .quartile)
    }
}
