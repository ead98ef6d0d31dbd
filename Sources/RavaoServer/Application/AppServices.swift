import Logging
import RavaoCore
import RavaoStore

/// What every controller needs, built once by `buildApplication`. A class: every controller and route
/// closure holds it, and copying a struct of a dozen references retained each of them per request.
public final class AppServices: Sendable {
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

    public init(configuration: AppConfiguration, store: Store, time: any TimeSource, sms: any SMSSender, keys: ServerKeys, logger: Logger,
                recognizer: PayloadRecognizer, checkIns: CheckInWriter, live: LiveHub, caches: AccessCaches, healthCache: HealthStatusCache) {
        self.configuration = configuration
        self.store = store
        self.time = time
        self.sms = sms
        self.keys = keys
        self.logger = logger
        self.recognizer = recognizer
        self.checkIns = checkIns
        self.live = live
        self.caches = caches
        self.healthCache = healthCache
    }

    public var baseURL: String { configuration.publicBaseURL }

    /// The address printed on a poster.
    public func checkinURL(code: String) -> String { "\(baseURL)/c/\(code)" }
}
