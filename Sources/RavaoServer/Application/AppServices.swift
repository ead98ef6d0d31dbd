import Logging
import RavaoCore
import RavaoStore

/// What every controller needs, built once by `buildApplication`.
public struct AppServices: Sendable {
    public let configuration: AppConfiguration
    public let store: Store
    public let time: any TimeSource
    public let sms: any SMSSender
    public let keys: ServerKeys
    public let logger: Logger
    /// Reads what stations scan; knows our own hosts so a place poster scanned at a station is named as such.
    public let recognizer: PayloadRecognizer
    /// The group-commit writer every check-in goes through.
    public let checkIns: CheckInWriter
    /// Tells live views what was just recorded.
    public let live: LiveHub
    public let caches: AccessCaches
    /// Health statuses, zones and unit ancestry, remembered for the scan path.
    public let healthCache: HealthStatusCache

    public var baseURL: String { configuration.publicBaseURL }

    /// The address printed on a poster.
    public func checkinURL(code: String) -> String { "\(baseURL)/c/\(code)" }
}
