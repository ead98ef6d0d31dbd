import Hummingbird
import NIOCore
import RavaoCore
import RavaoStore
import Synchronization

/// Per-request state: who is asking, in which language, from where.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The signed-in account, from a session cookie or a bearer token.
    public var identity: Identity?
    /// A kiosk that authenticated with its device key instead of a person's session.
    public var device: DeviceStore.Device?
    public var language: Language = .vi
    /// The client's address, for rate limits and the audit trail.
    public var clientIP: String
    /// The value CSRF tokens are bound to: the session token, or an anonymous cookie before sign-in.
    public var csrfBinding: String {
        if !sessionBinding.isEmpty { return sessionBinding }
        if let anonymous { return "anon:" + anonymous.value }
        return ""
    }
    /// The session token, when a session cookie signed the request in.
    var sessionBinding = ""
    /// The anonymous cookie's value, drawn only when a page asks for a CSRF token: most answers (a
    /// 404, a poster, a JSON call) have no form and need neither the random draw nor the cookie.
    var anonymous: AnonymousBinding?
    /// The signed-in account's roles, read for web pages only (the menu and the landing page follow them).
    public var roles: RoleSummary?
    /// The page's path, for marking the current menu entry.
    public var currentPath: String = ""

    /// The TCP peer (a proxy, when there is one); nil in in-process tests.
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
        clientIP = peerAddress ?? "unknown"
    }

    public var maxUploadSize: Int { 1024 * 1024 }
}

/// An anonymous visitor's CSRF binding: the cookie they sent, or one drawn on first use.
final class AnonymousBinding: Sendable {
    private let state: Mutex<(value: String?, drawn: Bool)>

    init(cookie: String?) { state = Mutex((cookie, false)) }

    var value: String {
        state.withLock { state in
            if let value = state.value { return value }
            let value = ServerKeys.randomToken()
            state = (value, true)
            return value
        }
    }

    /// The value drawn during this request, which the answer must set as a cookie.
    var drawn: String? { state.withLock { $0.drawn ? $0.value : nil } }
}

public struct Identity: Sendable {
    public enum Via: Sendable { case cookie, bearer }
    public let account: Account
    public let via: Via
    /// SHA-256 of the session token, the key to revoke it.
    public let tokenHash: String
}
