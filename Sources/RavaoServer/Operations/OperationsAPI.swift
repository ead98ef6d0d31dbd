import Foundation
import Hummingbird
import Prometheus

/// Health, metrics, the OpenAPI document and static assets (P2, P6).
struct OperationsAPI {
    let services: AppServices
    let metrics: PrometheusCollectorRegistry
    let assets: StaticAssets

    /// The scrape token when one is set (compared in constant time); otherwise a loopback peer that
    /// no proxy forwarded (a proxy on the same machine would otherwise make every caller "local").
    static func mayReadMetrics(_ request: Request, context: AppRequestContext, token: String?) -> Bool {
        if let token {
            guard let bearer = RequestIdentity.bearerToken(request) else { return false }
            return SignInService.constantTimeEquals(bearer, token)
        }
        let forwarded = request.headers[.init("X-Forwarded-For")!] != nil || request.headers[.init("Forwarded")!] != nil
        let peer = context.peerAddress
        return !forwarded && (peer == "127.0.0.1" || peer == "::1" || peer?.hasPrefix("127.") == true)
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz", use: health)
        router.get("metrics") { request, context in
            // What the server is doing is no one's business but the operator's (trust rule 8).
            guard Self.mayReadMetrics(request, context: context, token: services.configuration.metricsToken) else { throw AppError.notFound }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
        router.get("api/openapi.yaml") { _, _ in
            assets.response(for: "openapi.yaml") ?? Response(status: .notFound)
        }
        // Served from the root so that they may control /kiosk and /me (a worker's scope cannot be above its path).
        router.get("kiosk-sw.js") { _, _ in
            assets.response(for: "kiosk-sw.js") ?? Response(status: .notFound)
        }
        router.get("me-sw.js") { _, _ in
            assets.response(for: "me-sw.js") ?? Response(status: .notFound)
        }
        router.get("static/:file") { _, context in
            guard let name = context.parameters.get("file"), let response = assets.response(for: name) else { throw AppError.notFound }
            return response
        }
    }

    struct Health: Encodable, Sendable { let status: String; let database: String }

    /// 200 when the database answers; a load balancer takes the instance out otherwise.
    @Sendable func health(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<Health> {
        do {
            try await services.store.engine.read { db in try await db.raw("SELECT 1").run() }
        } catch {
            throw AppError(.serviceUnavailable, "database_unavailable", en: "The database does not answer.", vi: "Cơ sở dữ liệu không phản hồi.")
        }
        return JSONResponse(Health(status: "ok", database: services.store.engine.kind.rawValue))
    }
}

/// The CSS, JS and OpenAPI document shipped in the binary, read once at start-up.
struct StaticAssets: Sendable {
    private let files: [String: (type: String, data: [UInt8])]

    init() throws {
        var files: [String: (String, [UInt8])] = [:]
        let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "yaml": "application/yaml; charset=utf-8",
                     "svg": "image/svg+xml", "png": "image/png", "json": "application/manifest+json"]
        func add(_ url: URL) throws {
            files[url.lastPathComponent] = (types[url.pathExtension] ?? "application/octet-stream", Array(try Data(contentsOf: url)))
        }
        guard let staticDir = Bundle.module.url(forResource: "static", withExtension: nil),
              let openapi = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw ConfigurationError("static assets are missing from the build")
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: staticDir.path) {
            try add(staticDir.appendingPathComponent(name))
        }
        try add(openapi)
        self.files = files
    }

    func response(for name: String) -> Response? {
        guard let file = files[name] else { return nil }
        return Response(status: .ok, headers: [.contentType: file.type, .cacheControl: "public, max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(bytes: file.data)))
    }
}
