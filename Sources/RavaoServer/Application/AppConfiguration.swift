import Foundation
import RavaoCore
import RavaoStore

/// Everything `ravao serve` can be told, from flags, `RAVAO_…` variables, or defaults.
public struct AppConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var database: DatabaseLocation = .sqlite(path: "ravao.sqlite")
    /// A PostgreSQL streaming replica for dashboards, risk lists, tracing and scan history, used while it
    /// is at most `readMaxLagSeconds` behind (else those reads go to `database`).
    public var readDatabase: DatabaseLocation?
    public var readMaxLagSeconds: Double = 5
    /// What QR codes and links point to; defaults to the listen address.
    public var baseURL: String?
    public var sms: SMSConfiguration = .outbox(path: "ravao-sms.jsonl")
    /// The reverse proxies whose `X-Forwarded-For` is believed, for per-IP limits and logs; none by default.
    public var trustedProxies: TrustedProxies = .none
    /// The secret that keys CSRF tokens, code hashes, receipts and personal QR signatures. `ravao serve`
    /// reads it from a file or the environment, never from the database it protects; nil (in-process
    /// tests only) makes a random one for the life of the process.
    public var secret: [UInt8]?
    /// The file the secret is read from (and created in on first start) when `secret` is not given.
    public var secretFile: String?
    /// A bearer token Prometheus sends to read `/metrics`; without one, `/metrics` answers only a peer on
    /// loopback that no proxy forwarded.
    public var metricsToken: String?
    /// Distinct phone or ID numbers one account (or kiosk) may type at the door per hour, and one place
    /// (trust rule 3): a guard helps people without a QR; nobody gets a lookup service.
    public var typedIdentifiersPerAccountPerHour = 60
    public var typedIdentifiersPerPlacePerHour = 300
    /// Days personal rows are kept (P4); older ones are purged nightly unless an open case holds them.
    /// nil turns the nightly purge off (in-process tests whose worlds are dated in the past).
    public var retentionDays: Int? = 28
    /// How often the check-in projector looks for queued check-ins when the last pass did not fill a
    /// batch (see `ProjectorService`). Tests that drive the projector themselves set it long.
    public var projectorInterval: Duration = .milliseconds(250)
    public var otp: OTPPolicy = .init()
    /// Thresholds and windows of the health-status rules (H6); `--health-rules FILE` replaces any of them.
    public var healthRules: HealthRules = .standard
    /// The most contacts a trace answers with (about 35 MB of JSON); a larger one is refused with a
    /// message asking for a narrower trace.
    public var maximumTraceContacts = 100_000

    public init() {}

    /// The base URL with no trailing slash.
    public var publicBaseURL: String {
        let base = baseURL ?? "http://\(host == "0.0.0.0" || host == "::" ? "localhost" : host):\(port)"
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// Cookies get `Secure` when the site is served over https.
    public var secureCookies: Bool { publicBaseURL.hasPrefix("https://") }
}

/// Where SMS go: a development outbox file, or a real gateway over HTTP.
public enum SMSConfiguration: Sendable, Equatable, CustomStringConvertible {
    case outbox(path: String)
    case http(url: String)

    public init(parsing text: String) throws {
        if text.hasPrefix("outbox:"), text.count > 7 {
            self = .outbox(path: String(text.dropFirst(7)))
        } else if text.hasPrefix("http:"), let url = URL(string: String(text.dropFirst(5))), url.scheme?.hasPrefix("http") == true {
            self = .http(url: url.absoluteString)
        } else {
            throw ConfigurationError("unknown SMS sender '\(text)'; use outbox:PATH or http:URL (e.g. http:https://sms.example.vn/send)")
        }
    }

    public var description: String {
        switch self {
        case .outbox(let path): return "outbox:\(path)"
        case .http(let url): return "http:\(url)"
        }
    }
}

/// Limits on sign-in codes (P1; NIST 800-63B, OWASP ASVS V6).
public struct OTPPolicy: Sendable {
    public var codeLifetimeSeconds: Int64 = 300
    public var resendWaitSeconds: Int64 = 60
    public var maxAttemptsPerCode = 5
    public var maxCodesPerPhonePerHour = 5
    public var maxCodesPerIPPerHour = 30
    public var maxFailuresPerIPPerHour = 50
    public var webSessionSeconds: Int64 = 30 * 24 * 3600
    public var apiTokenSeconds: Int64 = 90 * 24 * 3600
    public init() {}
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
