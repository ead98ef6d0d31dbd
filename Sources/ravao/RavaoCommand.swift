import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import RavaoCore
import RavaoServer
import RavaoStore

@main
struct RavaoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ravao",
        abstract: "QR entry/exit control and contact tracing.",
        subcommands: [Serve.self, Migrate.self, ImportUnits.self, HealthCommand.self, OfficerCommand.self, RebuildRollups.self, Purge.self, Backup.self, Restore.self],
        defaultSubcommand: Serve.self)
}

/// Options every command that touches the database shares. Each flag falls back to a `RAVAO_…`
/// environment variable, then to a default that works on a fresh machine.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "sqlite:PATH or postgres://user:pass@host:port/db (env RAVAO_DATABASE; default sqlite:ravao.sqlite)")
    var database: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error (env RAVAO_LOG_LEVEL; default info)")
    var logLevel: String?

    @Option(help: "Log format: text or json, one object per line (env RAVAO_LOG_FORMAT; default text)")
    var logFormat: String?

    func location() throws -> DatabaseLocation {
        let text = database ?? env("RAVAO_DATABASE") ?? "sqlite:ravao.sqlite"
        do { return try DatabaseLocation(parsing: text) } catch { throw ValidationError("\(error)") }
    }

    func logger() -> Logger {
        if (logFormat ?? env("RAVAO_LOG_FORMAT")) == "json" {
            LoggingSystem.bootstrap(JSONLogHandler.init)
        }
        var logger = Logger(label: "ravao")
        logger.logLevel = Logger.Level(rawValue: logLevel ?? env("RAVAO_LOG_LEVEL") ?? "info") ?? .info
        return logger
    }
}

func env(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the server (migrations run first).")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on (env RAVAO_HOST; default 127.0.0.1)") var host: String?
    @Option(help: "Port (env RAVAO_PORT; default 8080)") var port: Int?
    @Option(help: "Public base URL that QR codes point to (env RAVAO_BASE_URL; default the listen address)") var baseURL: String?
    @Option(help: "SMS sender: outbox:PATH or http:URL (env RAVAO_SMS; default outbox:ravao-sms.jsonl)") var sms: String?
    @Option(help: "Reverse proxies whose X-Forwarded-For is believed: addresses and CIDR ranges, comma-separated, e.g. 127.0.0.1,::1 (env RAVAO_TRUSTED_PROXIES; default none)") var trustedProxies: String?
    @Flag(help: "Shorthand for --trusted-proxies 127.0.0.1,::1: a proxy on this machine (env RAVAO_TRUST_PROXY=1)") var trustProxy = false
    @Option(help: "File holding the server secret, created (mode 0600) on first start; every instance needs the same one (env RAVAO_SECRET_FILE; default ravao-secret). RAVAO_SECRET (64 hex digits) takes its place.") var secretFile: String?
    @Option(help: "Days check-ins and other personal rows are kept; older ones are purged nightly unless an open tracing case holds them (env RAVAO_RETENTION_DAYS; default 28)") var retentionDays: Int?
    @Option(help: "Distinct phone or ID numbers one account or kiosk may type at the door per hour (env RAVAO_TYPED_PER_HOUR; default 60)") var typedPerHour: Int?
    @Option(help: "Distinct phone or ID numbers typed at one place per hour (env RAVAO_TYPED_PER_PLACE_PER_HOUR; default 300)") var typedPerPlacePerHour: Int?
    @Option(help: "Bearer token Prometheus must send to read /metrics (env RAVAO_METRICS_TOKEN; default: /metrics only for a loopback peer without proxy headers)") var metricsToken: String?
    @Option(help: "JSON file with health-status rules, e.g. {\"declarationHours\": 24, \"zoneLookbackDays\": 14} (env RAVAO_HEALTH_RULES)") var healthRules: String?
    @Option(help: "Most contact records a trace answers with; larger traces are refused (env RAVAO_MAX_TRACE_CONTACTS; default 100000)") var maxTraceContacts: Int?
    @Option(help: "postgres://… of a streaming replica for dashboards, risk lists, tracing and scan history (env RAVAO_READ_DATABASE; default: all reads on --database)") var readDatabase: String?
    @Option(help: "Seconds the replica may be behind before those reads go to the primary (env RAVAO_READ_MAX_LAG; default 5)") var readMaxLag: Double?

    func run() async throws {
        // Tasks then run on the same event-loop threads that do the I/O: a scan no longer hops between
        // Swift's cooperative pool and NIO's threads at every await on the network or the database.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var configuration = AppConfiguration()
        configuration.host = host ?? env("RAVAO_HOST") ?? "127.0.0.1"
        if let text = env("RAVAO_PORT"), port == nil {
            guard let value = Int(text) else { throw ValidationError("RAVAO_PORT must be a number") }
            configuration.port = value
        } else {
            configuration.port = port ?? 8080
        }
        configuration.baseURL = baseURL ?? env("RAVAO_BASE_URL")
        configuration.database = try db.location()
        do {
            configuration.sms = try SMSConfiguration(parsing: sms ?? env("RAVAO_SMS") ?? "outbox:ravao-sms.jsonl")
        } catch { throw ValidationError("\(error)") }
        do {
            if let list = trustedProxies ?? env("RAVAO_TRUSTED_PROXIES") {
                configuration.trustedProxies = try TrustedProxies(parsing: list)
            } else if trustProxy || env("RAVAO_TRUST_PROXY") == "1" {
                configuration.trustedProxies = try TrustedProxies(parsing: "127.0.0.1, ::1")
            }
        } catch { throw ValidationError("--trusted-proxies: \(error)") }
        if let hex = env("RAVAO_SECRET") {
            guard let secret = ServerSecret.parse(hex) else { throw ValidationError("RAVAO_SECRET must be 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`") }
            configuration.secret = secret
        } else {
            configuration.secretFile = secretFile ?? env("RAVAO_SECRET_FILE") ?? "ravao-secret"
        }
        configuration.metricsToken = metricsToken ?? env("RAVAO_METRICS_TOKEN")
        if let text = readDatabase ?? env("RAVAO_READ_DATABASE") {
            do { configuration.readDatabase = try DatabaseLocation(parsing: text) } catch { throw ValidationError("--read-database: \(error)") }
            guard case .postgres = configuration.readDatabase!, case .postgres = configuration.database else {
                throw ValidationError("--read-database must be a PostgreSQL replica of a PostgreSQL --database")
            }
        }
        if let lag = readMaxLag ?? env("RAVAO_READ_MAX_LAG").flatMap(Double.init) {
            guard lag >= 0, lag.isFinite else { throw ValidationError("--read-max-lag must be a number of seconds, 0 or more") }
            configuration.readMaxLagSeconds = lag
        } else if env("RAVAO_READ_MAX_LAG") != nil {
            throw ValidationError("RAVAO_READ_MAX_LAG must be a number of seconds")
        }
        configuration.retentionDays = try Purge.days(retentionDays)
        for (flag, value, variable, target) in [("--typed-per-hour", typedPerHour, "RAVAO_TYPED_PER_HOUR", \AppConfiguration.typedIdentifiersPerAccountPerHour),
                                                ("--typed-per-place-per-hour", typedPerPlacePerHour, "RAVAO_TYPED_PER_PLACE_PER_HOUR", \AppConfiguration.typedIdentifiersPerPlacePerHour)] {
            guard let number = value ?? env(variable).flatMap(Int.init) else {
                if env(variable) != nil { throw ValidationError("\(variable) must be a number") }
                continue
            }
            guard number > 0 else { throw ValidationError("\(flag) must be a positive number") }
            configuration[keyPath: target] = number
        }
        if let path = healthRules ?? env("RAVAO_HEALTH_RULES") {
            do {
                configuration.healthRules = try JSONDecoder().decode(HealthRules.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch { throw ValidationError("health rules in \(path): \(error)") }
        }

        if let text = env("RAVAO_MAX_TRACE_CONTACTS"), maxTraceContacts == nil {
            guard let value = Int(text), value > 0 else { throw ValidationError("RAVAO_MAX_TRACE_CONTACTS must be a positive number") }
            configuration.maximumTraceContacts = value
        } else if let value = maxTraceContacts {
            guard value > 0 else { throw ValidationError("--max-trace-contacts must be a positive number") }
            configuration.maximumTraceContacts = value
        }

        let logger = db.logger()
        let registry = Metrics.bootstrap()
        let sms = configuration.sms
        let base = configuration.publicBaseURL
        let database = configuration.database
        let replica = configuration.readDatabase.map { "\n  heavy reads: \($0) (while at most \(configuration.readMaxLagSeconds) s behind)" } ?? ""
        let app = try await buildApplication(configuration, logger: logger, metrics: registry) { url in
            print("""
            Ravao is running at \(url)
              database: \(database)\(replica)
              QR codes point to: \(base)
              SMS: \(sms)
            """)
            // Scripts wait for this line on a pipe, where stdout is block-buffered.
            fflush(nil)
        }
        try await app.application.runService()
    }
}

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete personal rows older than the retention period now (the server also does it nightly).",
        discussion: "Check-ins, rejected scans, unmasked-view logs, declarations, exposures and the per-person rollups older than --retention-days are deleted, except those in the window of an open tracing case. What was deleted is counted in the log.")
    @OptionGroup var db: DatabaseOptions
    @Option(help: "Days to keep (env RAVAO_RETENTION_DAYS; default 28)") var retentionDays: Int?

    static func days(_ flag: Int?) throws -> Int {
        if let flag {
            guard flag > 0 else { throw ValidationError("--retention-days must be at least 1") }
            return flag
        }
        guard let text = env("RAVAO_RETENTION_DAYS") else { return 28 }
        guard let value = Int(text), value > 0 else { throw ValidationError("RAVAO_RETENTION_DAYS must be a positive number") }
        return value
    }

    func run() async throws {
        let logger = db.logger()
        let days = try Self.days(retentionDays)
        let engine = try await openDatabase(try db.location(), logger: logger)
        do {
            try await Migrator.migrate(engine, logger: logger, clock: { Int64(Date().timeIntervalSince1970) })
            let counts = try await Retention(store: Store(engine: engine), days: days, logger: logger).purge(now: Int64(Date().timeIntervalSince1970))
            print(counts.map { "\($0.table): \($0.rows)" }.joined(separator: ", "))
        } catch {
            await engine.shutdown()
            throw ValidationError(String(reflecting: error))
        }
        await engine.shutdown()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations and exit.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let logger = db.logger()
        let engine = try await openDatabase(try db.location(), logger: logger)
        do {
            try await Migrator.migrate(engine, logger: logger, clock: { Int64(Date().timeIntervalSince1970) })
            let units = UnitStore(engine: engine)
            try await units.ensureLoaded(try await units.activeScheme())
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
        print("database is up to date")
    }
}

struct RebuildRollups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild-rollups",
        abstract: "Recount the dashboard's per-unit rollups from the per-place ones, and the stays from the check-ins.",
        discussion: """
            The dashboard counts a scan in the unit its place was in when it was scanned. After places were \
            moved to other units (a corrected ward), or after check-ins were loaded straight into the \
            database, this recounts every unit from today's places and computes the stays tracing reads \
            again. Each runs in one transaction, which holds up check-in writes while it runs (minutes for \
            tens of millions of check-ins).
            """)
    @Flag(help: "Only the stays, not the dashboard rollups") var staysOnly = false
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let logger = db.logger()
        let engine = try await openDatabase(try db.location(), logger: logger)
        let started = Date()
        do {
            // Queued check-ins first: the unit rollups are rebuilt from the per-place ones they feed.
            try await CheckInProjector(engine: engine).catchUp()
            if !staysOnly { try await DashboardStore(engine: engine).rebuildUnitRollups() }
            try await StayRollups.rebuild(engine)
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
        print("\(staysOnly ? "stays" : "unit rollups and stays") rebuilt in \(Int(Date().timeIntervalSince(started))) s")
    }
}

struct ImportUnits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-units",
        abstract: "Switch the deployment to an official list of administrative units (2025 two-level, 2021 three-level).")
    @OptionGroup var db: DatabaseOptions
    @Argument(help: "2025 or 2021") var year: String

    func run() async throws {
        guard let scheme = UnitScheme(rawValue: year) else { throw ValidationError("the list must be 2025 or 2021") }
        let logger = db.logger()
        let engine = try await openDatabase(try db.location(), logger: logger)
        do {
            try await Migrator.migrate(engine, logger: logger, clock: { Int64(Date().timeIntervalSince1970) })
            let units = UnitStore(engine: engine)
            try await units.activate(scheme)
            let provinces = try await units.children(of: nil, scheme: scheme).count
            print("administrative units: now using the \(scheme.rawValue) list (\(provinces) provinces); places registered before keep their own list")
            // Officers keep the list their unit was given under: one-to-one units carry over, the rest
            // have no access until `ravao officer add --unit NEW` maps them (trust rule 7).
            var unmapped: [String] = []
            var carried = 0
            for officer in try await OfficerStore(engine: engine).all() where officer.unitScheme != scheme.rawValue && officer.unitCode.uppercased() != "VN" {
                let old = try await units.unit(officer.unitCode, scheme: UnitScheme(rawValue: officer.unitScheme) ?? .y2021)
                let new = try await units.unit(officer.unitCode, scheme: scheme)
                if let old, let new, old.level == new.level, TextFolding.fold(old.name) == TextFolding.fold(new.name) {
                    carried += 1
                } else {
                    unmapped.append("  \(officer.phone)  \(officer.unitCode) \(old?.name ?? "")")
                }
            }
            if carried > 0 { print("officers whose unit is unchanged in the \(scheme.rawValue) list: \(carried)") }
            if !unmapped.isEmpty {
                print("officers with no access until mapped (ravao officer add --phone P --unit CODE):\n" + unmapped.joined(separator: "\n"))
            }
        } catch {
            await engine.shutdown()
            throw error
        }
        await engine.shutdown()
    }
}
