import Hummingbird
import Logging
import Prometheus
import RavaoCore
import RavaoStore
import ServiceLifecycle

/// The assembled server: the Hummingbird application and the services its handlers share.
public struct RavaoApp: Sendable {
    public let application: Application<RouterResponder<AppRequestContext>>
    public let services: AppServices
    /// Every route as "METHOD /path/{param}", for the authorisation matrix test.
    public var routes: [String] = []
}

/// Builds the whole server; `ravao serve` and the tests call this same function.
///
/// Opens the database, applies migrations, loads the administrative units on first start, and wires
/// every route. `time` and `sms` are replaceable so tests can move the clock and read the codes.
public func buildApplication(
    _ configuration: AppConfiguration,
    logger: Logger,
    time: any TimeSource = SystemTimeSource(),
    sms: (any SMSSender)? = nil,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    onServerRunning: @escaping @Sendable (String) async -> Void = { _ in }
) async throws -> RavaoApp {
    let engine = try await openDatabase(configuration.database, logger: logger)
    var replica: PostgresEngine?
    var heavyReads: ReplicaEngine?
    if let readDatabase = configuration.readDatabase {
        guard case .postgres(let location) = readDatabase, engine.kind == .postgres else {
            await engine.shutdown()
            throw ConfigurationError("--read-database must be a PostgreSQL replica of a PostgreSQL --database")
        }
        do {
            replica = try await PostgresEngine.open(location, readOnly: true, logger: logger)
        } catch {
            await engine.shutdown()
            throw error
        }
        let lag = metrics.makeGauge(name: "ravao_replica_lag_seconds", help: "How far the read replica is behind (-1: unreachable)")
        let toReplica = metrics.makeCounter(name: "ravao_replica_reads_total", labels: [("target", "replica")])
        let toPrimary = metrics.makeCounter(name: "ravao_replica_reads_total", labels: [("target", "primary")])
        heavyReads = ReplicaEngine(primary: engine, replica: replica!, maxLagSeconds: configuration.readMaxLagSeconds, logger: logger,
                                   onLag: { lag.set($0 ?? -1) }, onRead: { ($0 ? toReplica : toPrimary).increment() })
    }
    let store = Store(engine: engine, heavyReads: heavyReads)
    let secret: [UInt8]
    do {
        try await Migrator.migrate(engine, logger: logger, clock: { time.seconds() })
        if let given = configuration.secret {
            secret = given
        } else if let path = configuration.secretFile {
            secret = try await ServerSecret.load(path: path, settings: store.settings)
        } else {
            secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        }
        let scheme = try await store.units.activeScheme()
        let loaded = try await store.units.ensureLoaded(scheme)
        if loaded > 0 { logger.info("loaded administrative units", metadata: ["scheme": "\(scheme.rawValue)", "count": "\(loaded)"]) }
    } catch {
        await engine.shutdown()
        await replica?.shutdown()
        throw error
    }
    let smsSender: any SMSSender = MeteredSMSSender(sms ?? {
        switch configuration.sms {
        case .outbox(let path): return OutboxSMSSender(path: path, logger: logger)
        case .http(let url): return HTTPSMSSender(url: URL(string: url)!, logger: logger)
        }
    }(), metrics: metrics)
    let keys = ServerKeys(secret: secret)
    let ownHost = URL(string: configuration.publicBaseURL)?.host.map { [$0] } ?? []
    let events = InstanceEvents(engine: engine)
    let live = LiveHub(events: events)
    let caches = AccessCaches(events: events)
    let healthCache = HealthStatusCache(events: events)
    events.onRemote { event in
        switch event {
        case .placesChanged: caches.forgetPlaces()
        case .devicesChanged: caches.devices.removeAll()
        case .sessionEnded(let hash): caches.sessions.remove(hash)
        case .personChanged(let person): healthCache.statuses.remove(person)
        case .zonesChanged: healthCache.forgetAll()
        case .checkedIn(let places): live.wake(places)
        case .everythingChanged: caches.forgetEverything(); healthCache.forgetAll()
        }
    }
    if events.engine != nil {
        let up = metrics.makeGauge(name: "ravao_instance_channel_up", help: "1 while this instance hears the other instances (PostgreSQL LISTEN)")
        let failed = metrics.makeCounter(name: "ravao_instance_events_failed_total", help: "Cache and live-view events that could not be sent to the other instances")
        events.report(channelUp: { up.set(Double($0 ? 1 : 0)) }, failed: { failed.increment(by: Int64($0)) })
    }
    let writer = CheckInWriter(engine: engine, healthRules: configuration.healthRules, logger: logger, onCommit: { live.publish($0) })
    let services = AppServices(configuration: configuration, store: store, time: time, sms: smsSender, keys: keys, logger: logger,
                               recognizer: PayloadRecognizer(tokenKey: keys.personalTokenKey, ownHosts: ownHost),
                               checkIns: writer, live: live, caches: caches, healthCache: healthCache)

    let router = Router(context: AppRequestContext.self)
    // The request log is at debug level: when the server logs less than that, the middleware is not
    // in the chain at all rather than asked on every request whether to log.
    if logger.logLevel <= .debug { router.add(middleware: LogRequestsMiddleware(.debug)) }
    router.add(middleware: RequestMiddleware(services: services))

    OperationsAPI(services: services, metrics: metrics, assets: try StaticAssets()).addRoutes(to: router)
    let api = router.group("api/v1")
    AuthAPI(services: services).addRoutes(to: api.group("auth"))
    ReferenceAPI(services: services).addRoutes(to: api)
    PlacesAPI(services: services).addRoutes(to: api)
    ScansAPI(services: services).addRoutes(to: api)
    DevicesAPI(services: services).addRoutes(to: api)
    CheckInsAPI(services: services).addRoutes(to: api)
    MeAPI(services: services).addRoutes(to: api)
    OrgsAPI(services: services).addRoutes(to: api)
    AuthoritiesAPI(services: services).addRoutes(to: api)
    CasesAPI(services: services).addRoutes(to: api)
    PrivilegeAPI(services: services).addRoutes(to: api)
    SignInPages(services: services).addRoutes(to: router)
    PlacePages(services: services).addRoutes(to: router)
    PosterPages(services: services).addRoutes(to: router)
    PosterCheckIn(services: services).addRoutes(to: router)
    StationPages(services: services).addRoutes(to: router)
    LivePages(services: services).addRoutes(to: router)
    CitizenPages(services: services).addRoutes(to: router)
    SharingAPI(services: services).addRoutes(to: api)
    HistoryAPI(services: services).addRoutes(to: api)
    SharingPages(services: services).addRoutes(to: router)
    HistoryPages(services: services).addRoutes(to: router)
    OrgPages(services: services).addRoutes(to: router)
    AuthorityPages(services: services).addRoutes(to: router)
    PrivilegePages(services: services).addRoutes(to: router)

    let application = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ravao"),
        // Services stop in the reverse of this order, after the HTTP server: the projector drains the
        // queue once the last scan is answered, and the database closes after it.
        services: [DatabaseCloser(engine: engine, replica: replica),
                   ProjectorService(projector: store.projector, interval: configuration.projectorInterval, time: time, logger: logger, metrics: metrics),
                   Housekeeping(services: services), RetentionService(services: services), PartitionService(services: services),
                   // Missed news (the channel was down) means any cache entry may be stale.
                   InstanceEventsService(events: events, logger: logger, lost: { caches.forgetEverything(); healthCache.forgetAll() })],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            await onServerRunning("http://\(configuration.host == "0.0.0.0" ? "localhost" : configuration.host):\(port)")
        },
        logger: logger)
    return RavaoApp(application: application, services: services, routes: router.routes.map { "\($0.method.rawValue) \($0.path)" })
}

/// Hourly clean-up of expired sign-in codes and sessions.
struct Housekeeping: Service {
    let services: AppServices
    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let now = services.time.seconds()
                let removed = try await services.store.accounts.purgeExpired(now: now) + services.store.rateLimits.purge(now: now)
                if removed > 0 { services.logger.info("purged expired sign-in records", metadata: ["rows": "\(removed)"]) }
            } catch {
                services.logger.error("housekeeping failed", metadata: ["error": "\(error)"])
            }
            // A plain sleep would hold up shutdown for up to an hour; this one ends with it.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}

/// Closes the database after the server has stopped taking requests.
struct DatabaseCloser: Service {
    let engine: any DatabaseEngine
    var replica: (any DatabaseEngine)?
    func run() async throws {
        try? await gracefulShutdown()
        await engine.shutdown()
        await replica?.shutdown()
    }
}

import Foundation
