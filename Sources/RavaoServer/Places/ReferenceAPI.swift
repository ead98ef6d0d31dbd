import Hummingbird
import RavaoCore

/// `GET /api/v1/units` and `/place-types`: public reference data for address pickers and forms.
struct ReferenceAPI {
    let services: AppServices

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("units", use: units)
        group.get("place-types", use: placeTypes)
    }

    struct UnitBody: Encodable, Sendable { let code: String; let name: String; let level: String; let divisionType: String; let parentCode: String? }
    struct TypeBody: Encodable, Sendable { let code: String; let name: String; let nameEn: String; let privileged: Bool; let defaultStayMinutes: Int }

    @Sendable func units(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[UnitBody]> {
        let parent = request.query.get("parent").nonEmpty
        let scheme = try await services.store.units.activeScheme()
        if let parent, try await services.store.units.unit(parent, scheme: scheme) == nil {
            throw AppError(.notFound, "unknown_unit", en: "No administrative unit has code '\(parent.prefix(20))'.", vi: "Không có đơn vị hành chính mã '\(parent.prefix(20))'.")
        }
        let children = try await services.store.units.children(of: parent, scheme: scheme)
        return JSONResponse(children.map { UnitBody(code: $0.code, name: $0.name, level: $0.level.rawValue, divisionType: $0.divisionType, parentCode: $0.parentCode) })
    }

    @Sendable func placeTypes(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<[TypeBody]> {
        JSONResponse(PlaceType.catalogue.map {
            TypeBody(code: $0.code, name: $0.name(in: context.language), nameEn: $0.nameEN, privileged: $0.privileged, defaultStayMinutes: $0.defaultStayMinutes)
        })
    }
}
