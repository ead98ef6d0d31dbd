import Hummingbird
import RavaoCore

/// `GET /c/{code}`: where a phone camera lands after scanning a poster. It names the place, or
/// says plainly that the poster was replaced or the place closed. The check-in itself (C1)
/// belongs to the check-in feature.
struct CheckInLanding {
    let services: AppServices

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("c/:code", use: landing)
    }

    @Sendable func landing(_ request: Request, context: AppRequestContext) async throws -> Response {
        let s = Strings(context.language)
        let code = context.parameters.get("code") ?? ""
        let layout = Layout(title: s.checkinTitle, context: context, keys: services.keys)
        guard PlaceCode.isWellFormed(code) else {
            return layout.render("<section class=\"card narrow\"><h1>\(s.checkinTitle)</h1><p class=\"error\">\(s.unknownCode)</p></section>").response(status: .notFound)
        }
        switch try await services.store.places.lookup(code: code) {
        case .live(let place):
            let names = try await PlaceService(services: services).unitNames(place)
            let action: HTML = context.identity == nil
                ? "<p>\(s.checkinSignIn)</p><p><a class=\"button\" href=\"/signin?next=/c/\(code)\">\(s.signIn)</a></p>"
                : "<p>\(s.checkinSignedIn)</p>"
            return layout.render("""
            <section class="card narrow checkin">
              <p class="muted">\(s.checkinTitle)</p>
              <h1 id="checkin-place">\(place.name)</h1>
              <p>\(place.address)\(place.address.isEmpty ? "" : ", ")\(names.ward), \(names.province)</p>
              \(action)
            </section>
            """).response()
        case .retired:
            return layout.render("<section class=\"card narrow\"><h1>\(s.checkinTitle)</h1><p class=\"error\" id=\"retired\">\(s.retiredCode)</p></section>").response(status: .gone)
        case .deleted:
            return layout.render("<section class=\"card narrow\"><h1>\(s.checkinTitle)</h1><p class=\"error\">\(s.deletedPlace)</p></section>").response(status: .gone)
        case .unknown:
            return layout.render("<section class=\"card narrow\"><h1>\(s.checkinTitle)</h1><p class=\"error\">\(s.unknownCode)</p></section>").response(status: .notFound)
        }
    }
}
