import Foundation
import Hummingbird
import HTTPTypes
import RavaoCore
import RavaoStore

/// Resolves who is asking (session cookie or bearer token), their language and address, and the
/// CSRF binding; enforces CSRF on cookie-authenticated API writes. A stage of `RequestMiddleware`.
struct RequestIdentity {
    typealias Context = AppRequestContext
    let services: AppServices

    static let sessionCookie = "ravao_session"
    static let anonCookie = "ravao_anon"
    static let languageCookie = "ravao_lang"

    /// What the answer needs from the resolution: the language a `?lang=` asked to keep.
    struct Resolved { var queryLanguage: String? }

    /// Fills `context` with who is asking; throws when a credential is presented and is not valid.
    func resolve(_ request: Request, into context: inout Context) async throws -> Resolved {
        let proxies = services.configuration.trustedProxies
        if !proxies.isEmpty {
            let peer = context.clientIP == "unknown" ? nil : context.clientIP
            context.clientIP = proxies.clientAddress(peer: peer, forwardedFor: request.headers[.init("X-Forwarded-For")!])
        }
        if Self.containsEncodedNUL(request.uri.string) { throw AppError.nulCharacter }
        // Prometheus's bearer token is the scrape token, not a session: OperationsAPI checks it.
        if request.uri.path == "/metrics" { return Resolved() }
        let queryLanguage = request.query.get("lang")
        context.language = Language.negotiate(query: queryLanguage, cookie: request.cookies[Self.languageCookie]?.value,
                                              acceptLanguage: request.headers[.acceptLanguage])

        let now = services.time.seconds()
        if let bearer = Self.bearerToken(request) {
            let hash = ServerKeys.tokenHash(bearer)
            if bearer.hasPrefix(DeviceKey.prefix) {
                guard let device = try await services.caches.devices.value(hash, load: { try await services.store.devices.device(keyHash: hash) }) else {
                    throw AppError(.unauthorized, "invalid_device_key", en: "This device key is not valid or was revoked; ask the place's owner for a new one.",
                                   vi: "Mã thiết bị không hợp lệ hoặc đã bị thu hồi; đề nghị chủ địa điểm cấp mã mới.")
                }
                context.device = device
            } else {
                guard let session = try await liveSession(hash, now: now) else {
                    throw AppError(.unauthorized, "invalid_token", en: "The bearer token is not valid or has expired; sign in again.",
                                   vi: "Mã truy cập không hợp lệ hoặc đã hết hạn, vui lòng đăng nhập lại.")
                }
                context.identity = Identity(account: session.account, via: .bearer, tokenHash: hash)
            }
        } else if let token = request.cookies[Self.sessionCookie]?.value, !token.isEmpty {
            let hash = ServerKeys.tokenHash(token)
            if let session = try await liveSession(hash, now: now) {
                context.identity = Identity(account: session.account, via: .cookie, tokenHash: hash)
                context.sessionBinding = token
            }
        }
        if context.sessionBinding.isEmpty && context.identity?.via != .bearer && !request.uri.path.hasPrefix("/api/") {
            let cookie = request.cookies[Self.anonCookie]?.value
            context.anonymous = AnonymousBinding(cookie: cookie.map { $0.count >= 32 ? $0 : nil } ?? nil)
        }

        // A browser's own JS may call the API with its cookie; such writes must prove they come from our pages.
        if request.uri.path.hasPrefix("/api/"), context.identity?.via == .cookie, !Self.isSafe(request.method) {
            guard let header = request.headers[.init("X-CSRF-Token")!], services.keys.isValidCSRF(header, for: context.csrfBinding) else {
                throw AppError.badCSRF
            }
        }

        // The menu and landing page follow the signed-in account's roles (web pages only).
        context.currentPath = request.uri.path
        if let identity = context.identity, identity.via == .cookie, Navigation.isPage(request.uri.path) {
            // The menu is a convenience: if it cannot be read, pages still answer with the citizen's menu.
            context.roles = try? await services.store.accounts.roleSummary(account: identity.account.id, phone: identity.account.phone,
                                                                            now: now)
        }
        return Resolved(queryLanguage: queryLanguage)
    }

    /// Sets the cookies the resolution decided on: an anonymous binding drawn while answering, the
    /// language a `?lang=` chose.
    func finish(_ response: inout Response, context: Context, resolved: Resolved) {
        let secure = services.configuration.secureCookies
        if let newAnon = context.anonymous?.drawn {
            response.setCookie(Cookie(name: Self.anonCookie, value: newAnon, maxAge: 7 * 24 * 3600, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
        if let queryLanguage = resolved.queryLanguage, let language = Language(rawValue: queryLanguage) {
            response.setCookie(Cookie(name: Self.languageCookie, value: language.rawValue, maxAge: 365 * 24 * 3600, path: "/", secure: secure, httpOnly: true, sameSite: .lax))
        }
    }

    /// A session from the cache when this instance saw it within seconds, else from the database.
    /// The expiry is checked on every request against the service clock, cached or not.
    func liveSession(_ hash: String, now: Int64) async throws -> AccountStore.LiveSession? {
        guard let session = try await services.caches.sessions.value(hash, load: { try await services.store.accounts.liveSession(tokenHash: hash, now: now) }) else {
            return nil
        }
        guard session.expiresAt > now else {
            services.caches.sessions.remove(hash)
            return nil
        }
        return session
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        // On bytes: `lowercased()` copied the header and `trimmingCharacters(in:)` is an NSString round
        // trip, on every API call (1.7 % of a scan's CPU, issue 16).
        var token = Substring(header).utf8
        guard token.count >= 7, zip(token.prefix(7), "bearer ".utf8).allSatisfy({ a, b in ((0x41...0x5A).contains(a) ? a | 0x20 : a) == b }) else {
            return nil
        }
        token = token.dropFirst(7)
        while let first = token.first, first == 0x20 || first == 0x09 { token = token.dropFirst() }
        while let last = token.last, last == 0x20 || last == 0x09 { token = token.dropLast() }
        if token.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return token.isEmpty ? nil : String(Substring(token)) }
        // Not a token's characters: trimmed as before (Unicode spaces too); it will not verify anyway.
        let trimmed = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// "%00" anywhere in the URI, on its UTF-8 bytes (`String.contains` went through NSString on every request).
    static func containsEncodedNUL(_ uri: String) -> Bool {
        var matched = 0
        for byte in uri.utf8 {
            switch (matched, byte) {
            case (_, UInt8(ascii: "%")): matched = 1
            case (1, UInt8(ascii: "0")): matched = 2
            case (2, UInt8(ascii: "0")): return true
            default: matched = 0
            }
        }
        return false
    }

    static func isSafe(_ method: HTTPRequest.Method) -> Bool { method == .get || method == .head || method == .options }
}

/// Headers that keep pages from being framed, sniffed or fed foreign scripts, on every answer.
enum SecurityHeaders {
    static func apply(to response: inout Response) {
        response.headers[.contentSecurityPolicy] = Self.policy
        response.headers[Self.contentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "same-origin"
    }

    // Made once: a header name built from a string is validated each time it is made.
    static let policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    static let contentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

extension AppRequestContext {
    /// The signed-in account, or 401.
    func requireAccount() throws -> Account {
        guard let identity else { throw AppError.notSignedIn }
        return identity.account
    }
}
