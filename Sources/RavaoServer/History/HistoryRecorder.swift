import Foundation
import Hummingbird
import RavaoCore
import RavaoStore

/// Who did something and from where, for the place history.
struct AuditSource: Sendable {
    let accountId: UUID?
    let ip: String
    /// `web` for pages, `api` for the JSON API (the history shows API calls as such, as seed 003 does).
    let via: String
    let language: Language

    init(accountId: UUID?, ip: String, via: String, language: Language) {
        self.accountId = accountId; self.ip = ip; self.via = via; self.language = language
    }

    init(_ request: Request, _ context: AppRequestContext) {
        self.init(accountId: context.identity?.account.id, ip: context.clientIP,
                  via: request.uri.path.hasPrefix("/api/") ? "api" : "web", language: context.language)
    }
}

/// The actions a place's history records (S2).
enum PlaceAction: String, CaseIterable, Sendable {
    case shared, shareConfirmed = "share_confirmed", unshared, roleChanged = "role_changed"
    case qrDownloaded = "qr_downloaded", posterPrinted = "poster_printed", codeRotated = "code_rotated"
    case edited, deleted, exported, deviceCreated = "device_created", deviceRevoked = "device_revoked"
    case accessRequestDecided = "access_request_decided"
    /// A health officer granted or revoked full personal data at the place (trust rule 2).
    case privilegeGranted = "privilege_granted", privilegeRevoked = "privilege_revoked"
}

/// Appends to a place's history. A failure to write the history is logged, never shown to the user
/// whose action already happened.
struct HistoryRecorder {
    let services: AppServices

    func record(_ placeId: UUID, _ action: PlaceAction, audit: AuditSource, details: [String: String] = [:]) async {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? encoder.encode(details.filter { !$0.value.isEmpty })).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        do {
            try await services.store.history.append(placeId: placeId, at: services.time.seconds(), accountId: audit.accountId, ip: audit.ip,
                                                    action: action.rawValue, via: audit.via, details: text)
        } catch {
            services.logger.error("could not write place history", metadata: ["place": "\(placeId)", "action": "\(action.rawValue)", "error": "\(error)"])
        }
    }
}

/// Records place-changing and downloading requests in the place's history after they succeed, from one
/// table of routes, so the existing handlers need no audit code of their own. A stage of
/// `RequestMiddleware`, which calls it with every successful answer.
struct PlaceHistoryAudit {
    typealias Context = AppRequestContext
    let services: AppServices

    /// Method and route pattern (as Hummingbird names it) → action and fixed details.
    static let audited: [String: (PlaceAction, [String: String])] = [
        "PATCH /api/v1/places/{id}": (.edited, [:]),
        "DELETE /api/v1/places/{id}": (.deleted, [:]),
        "POST /api/v1/places/{id}/code": (.codeRotated, [:]),
        "GET /api/v1/places/{id}/qr.svg": (.qrDownloaded, ["format": "svg"]),
        "GET /api/v1/places/{id}/qr.png": (.qrDownloaded, ["format": "png"]),
        "POST /api/v1/places/{id}/devices": (.deviceCreated, [:]),
        "DELETE /api/v1/places/{id}/devices/{deviceId}": (.deviceRevoked, [:]),
        "POST /api/v1/place-requests/{id}/accept": (.accessRequestDecided, ["decision": "accept"]),
        "POST /api/v1/place-requests/{id}/decline": (.accessRequestDecided, ["decision": "decline"]),
        "POST /places/{id}": (.edited, [:]),
        "POST /places/{id}/delete": (.deleted, [:]),
        "POST /places/{id}/code": (.codeRotated, [:]),
        "GET /places/{id}/poster": (.posterPrinted, ["format": "a4"]),
        "GET /places/{id}/sheet": (.posterPrinted, ["format": "sheet"]),
        "POST /places/{id}/devices": (.deviceCreated, [:]),
        "POST /places/{id}/devices/{deviceId}/revoke": (.deviceRevoked, [:]),
        "POST /place-requests/{id}": (.accessRequestDecided, [:]),
    ]

    func record(after response: Response, request: Request, context: Context) async {
        // Every audited route has a parameter (`{id}`): the rest (scans, pages) skip the lookup. A byte
        // test, not `contains("{id}")`, which is Foundation's NSString search on every request.
        guard response.status.code < 400, let path = context.endpointPath, path.utf8.contains(UInt8(ascii: "{")),
              let audited = Self.audited["\(request.method.rawValue) \(Self.normalise(path))"],
              let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else { return }
        let action = audited.0
        var details = audited.1
        var placeId = id
        if action == .accessRequestDecided {
            // The path names the request; the history belongs to its place.
            guard let pending = try? await services.store.places.accessRequest(id: id) else { return }
            placeId = pending.placeId
            details["phone"] = PhoneNumber(pending.phone)?.national ?? pending.phone
            details["status"] = pending.status
        }
        if let device = context.parameters.get("deviceId") { details["deviceId"] = device }
        if request.uri.path.hasPrefix("/api/") { details["call"] = "\(request.method.rawValue) \(request.uri.path)" }
        await HistoryRecorder(services: services).record(placeId, action, audit: AuditSource(request, context), details: details)
    }

    /// `/api/v1/places/{id}` whatever leading slash the router reports.
    static func normalise(_ path: String) -> String { path.hasPrefix("/") ? path : "/" + path }
}
