import Hummingbird
import QRCode
import RavaoCore

/// Printable posters (L3): one A4 page with a QR of at least 15 × 15 cm, and a sheet of small codes
/// for tables and counters (seed 003 §2b).
struct PosterPages {
    let services: AppServices
    var placeService: PlaceService { PlaceService(services: services) }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("places/:id/poster", use: poster)
        router.get("places/:id/sheet", use: sheet)
    }

    func load(_ request: Request, context: AppRequestContext) async throws -> (Place, QRCode, String, String) {
        guard let identity = context.identity else { throw RedirectToSignIn(next: request.uri.path) }
        // Printing posters is the place's administration; entry controllers only scan (S1).
        let (place, _) = try await placeService.placeWithRole(try context.uuidParameter("id"), account: identity.account, needs: { $0 >= .manager })
        let url = services.checkinURL(code: place.code)
        let names = try await placeService.unitNames(place)
        let address = [place.address, names.ward, names.district ?? "", names.province].filter { !$0.isEmpty }.joined(separator: ", ")
        return (place, try PosterQR.code(for: url), url, address)
    }

    @Sendable func poster(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (place, qr, url, address) = try await load(request, context: context)
        let s = Strings(context.language)
        let steps: [HTML] = s.posterSteps.map { "<li>\($0)</li>" }
        return Layout(title: place.name, context: context, keys: services.keys, bodyClass: "print-page").render("""
        <p class="no-print actions"><button type="button" data-print>\(s.print)</button> <a href="/places/\(place.id.uuidString)">\(s.back)</a></p>
        <article class="poster a4" id="poster">
          <header><p class="poster-brand">Ravao</p><h1>\(s.posterTitle)</h1></header>
          <div class="poster-qr" id="poster-qr">\(HTML(unsafeRaw: qr.svg(quietZone: 0, standalone: false)))</div>
          <h2 class="poster-name">\(place.name)</h2>
          <p class="poster-address">\(address)</p>
          <ol class="poster-steps">\(steps)</ol>
          <p class="poster-url">\(url)</p>
          <footer>\(s.posterFooter)</footer>
        </article>
        """).response()
    }

    @Sendable func sheet(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (place, qr, url, _) = try await load(request, context: context)
        let s = Strings(context.language)
        let svg = HTML(unsafeRaw: qr.svg(standalone: false))
        let cards: [HTML] = (0..<6).map { _ in
            "<div class=\"table-card\"><div class=\"table-qr\">\(svg)</div><p class=\"table-name\">\(place.name)</p><p class=\"table-hint\">\(s.posterTitle)</p></div>"
        }
        return Layout(title: place.name, context: context, keys: services.keys, bodyClass: "print-page").render("""
        <p class="no-print actions"><button type="button" data-print>\(s.print)</button> <a href="/places/\(place.id.uuidString)">\(s.back)</a></p>
        <article class="sheet a4" id="sheet" data-url="\(url)">\(cards)</article>
        """).response()
    }
}
