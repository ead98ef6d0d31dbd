import Foundation
import RavaoCore
import RavaoStore

/// The rules for kiosk devices, shared by the API and the place page.
struct DeviceService {
    let services: AppServices
    var store: DeviceStore { services.store.devices }

    static let maximumNameLength = 80

    /// Owners and managers run the place's equipment; entry controllers only scan.
    func requireManager(_ placeId: UUID, _ account: Account) async throws -> Place {
        try await PlaceService(services: services).placeWithRole(placeId, account: account, needs: { $0 >= .manager }).0
    }

    func create(placeId: UUID, name: String?, by account: Account) async throws -> (DeviceStore.Device, String) {
        let place = try await requireManager(placeId, account)
        let trimmed = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= Self.maximumNameLength else {
            throw AppError(.unprocessableContent, "invalid_name", en: "Give the device a name of 1 to 80 characters, e.g. \"Canteen kiosk\".",
                           vi: "Đặt tên thiết bị từ 1 đến 80 ký tự, ví dụ \"Kiosk nhà ăn\".", fields: [FieldError("name", en: "required", vi: "bắt buộc")])
        }
        let key = DeviceKey.generate()
        let device = try await store.create(placeId: place.id, name: trimmed, keyHash: ServerKeys.tokenHash(key), by: account.id, now: services.time.seconds())
        services.logger.info("device created", metadata: ["place": "\(place.id)", "device": "\(device.id)", "account": "\(account.id)"])
        return (device, key)
    }

    func devices(placeId: UUID, account: Account) async throws -> [DeviceStore.Device] {
        _ = try await requireManager(placeId, account)
        return try await store.devices(placeId: placeId)
    }

    func revoke(placeId: UUID, deviceId: UUID, by account: Account) async throws {
        _ = try await requireManager(placeId, account)
        guard try await store.revoke(id: deviceId, placeId: placeId, by: account.id, now: services.time.seconds()) else { throw AppError.notFound }
        services.caches.devicesChanged()
        services.logger.info("device revoked", metadata: ["place": "\(placeId)", "device": "\(deviceId)", "account": "\(account.id)"])
    }
}
