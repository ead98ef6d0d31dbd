import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// Kiosks (C5): an owner or manager creates a device for a place and gets its key once; the key
/// authorises scans at that place only, until revoked.
struct DevicesAPI {
    let services: AppServices

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("places/:id/devices", use: create)
        group.get("places/:id/devices", use: list)
        group.delete("places/:id/devices/:deviceId", use: revoke)
        group.get("device", use: whoAmI)
    }

    struct CreateRequest: Decodable { let name: String? }

    struct DeviceBody: Encodable, Sendable {
        let id: String
        let name: String
        let placeId: String
        let createdAt: String
        let lastSeenAt: String?
        let revokedAt: String?
        /// Present only in the answer that created the device.
        let key: String?
        let kioskUrl: String?
    }

    struct DeviceList: Encodable, Sendable { let devices: [DeviceBody] }

    struct WhoAmI: Encodable, Sendable {
        struct PlaceRef: Encodable, Sendable { let id: String; let name: String; let privileged: Bool }
        let deviceId: String
        let name: String
        let place: PlaceRef
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<DeviceBody> {
        let placeId = try context.uuidParameter("id")
        let body = try await request.decodeJSON(CreateRequest.self, context: context)
        let (device, key) = try await DeviceService(services: services).create(placeId: placeId, name: body.name, by: try context.requireAccount())
        return JSONResponse(Self.body(device, key: key, baseURL: services.baseURL), status: .created)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<DeviceList> {
        let placeId = try context.uuidParameter("id")
        let devices = try await DeviceService(services: services).devices(placeId: placeId, account: try context.requireAccount())
        return JSONResponse(DeviceList(devices: devices.map { Self.body($0, key: nil, baseURL: services.baseURL) }))
    }

    @Sendable func revoke(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await DeviceService(services: services).revoke(placeId: try context.uuidParameter("id"), deviceId: try context.uuidParameter("deviceId"),
                                                           by: try context.requireAccount())
        return Response(status: .noContent)
    }

    /// A kiosk asks which place it serves (to show its name) and whether its key still works.
    @Sendable func whoAmI(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<WhoAmI> {
        guard let device = context.device else {
            throw AppError(.unauthorized, "device_key_required", en: "Send the device key as a bearer token.", vi: "Cần gửi mã thiết bị.")
        }
        guard let place = try await services.store.places.place(id: device.placeId), place.deletedAt == nil else { throw AppError.notFound }
        return JSONResponse(WhoAmI(deviceId: device.id.uuidString, name: device.name,
                                   place: .init(id: place.id.uuidString, name: place.name, privileged: place.isPrivileged)))
    }

    static func body(_ device: DeviceStore.Device, key: String?, baseURL: String) -> DeviceBody {
        DeviceBody(id: device.id.uuidString, name: device.name, placeId: device.placeId.uuidString, createdAt: ISOTime.string(device.createdAt),
                   lastSeenAt: device.lastSeenAt.map(ISOTime.string), revokedAt: device.revokedAt.map(ISOTime.string), key: key,
                   kioskUrl: key.map { "\(baseURL)/kiosk#key=\($0)" })
    }
}
