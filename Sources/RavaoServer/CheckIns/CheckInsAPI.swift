import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// `POST /api/v1/checkins`: a signed-in citizen checks themselves in (or out) at a poster's place (C1).
struct CheckInsAPI {
    let services: AppServices

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("checkins", use: checkIn)
    }

    struct CheckInRequest: Decodable {
        let placeCode: String
        let direction: CheckInDirection?
        let clientId: UUID
    }

    struct CheckInAnswer: Encodable, Sendable {
        struct PlaceRef: Encodable, Sendable { let id: String; let name: String; let address: String }
        let checkInId: String
        let duplicate: Bool
        let direction: String
        let scannedAt: String
        /// When the stay ends if no exit is scanned (the place's default stay).
        let stayUntil: String?
        let place: PlaceRef
        /// The citizen's own health status (H6), as the guard would see it.
        let status: StatusPayload?
    }

    @Sendable func checkIn(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<CheckInAnswer> {
        let account = try context.requireAccount()
        let body = try await request.decodeJSON(CheckInRequest.self, context: context)
        let place = try await PosterCheckIn(services: services).livePlace(code: body.placeCode)
        let recorded = try await CheckInService(services: services).selfCheckIn(account: account, place: place, direction: body.direction ?? .in,
                                                                               clientId: body.clientId)
        let names = try await PlaceService(services: services).unitNames(place)
        let address = [place.address, names.ward, names.province].filter { !$0.isEmpty }.joined(separator: ", ")
        return JSONResponse(CheckInAnswer(
            checkInId: recorded.id.uuidString, duplicate: recorded.duplicate, direction: recorded.direction, scannedAt: ISOTime.string(recorded.scannedAt),
            stayUntil: recorded.direction == CheckInDirection.in.rawValue ? ISOTime.string(recorded.scannedAt + Int64(place.defaultStayMinutes) * 60) : nil,
            place: .init(id: place.id.uuidString, name: place.name, address: address),
            status: await HealthStatusService(services: services).payload(of: recorded.personId, facts: recorded.facts)),
            status: recorded.duplicate ? .ok : .created)
    }
}
