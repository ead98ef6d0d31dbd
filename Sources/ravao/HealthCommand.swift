import ArgumentParser
import Foundation
import RavaoCore
import RavaoStore

/// `ravao health …`: what a health office does from the server console until (and besides) the officer
/// pages: declare epidemic zones and mark cases and contacts (A6, A4). Running servers see the change
/// within seconds (their status caches expire).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Declare epidemic zones and mark people F0/F1/F2 from the server console.",
        subcommands: [Zone.self, Mark.self])

    /// Recorded as the actor of console changes (no account signs them).
    static let console = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    static func withStore<T>(_ db: DatabaseOptions, _ body: (Store) async throws -> T) async throws -> T {
        let logger = db.logger()
        let engine = try await openDatabase(try db.location(), logger: logger)
        do {
            try await Migrator.migrate(engine, logger: logger, clock: { Int64(Date().timeIntervalSince1970) })
            let result = try await body(Store(engine: engine))
            await engine.shutdown()
            return result
        } catch {
            await engine.shutdown()
            throw error
        }
    }

    /// `YYYY-MM-DD` → local midnight (UTC+7) in Unix seconds.
    static func localMidnight(_ text: String) throws -> Int64 {
        guard let days = HealthRules.days(text) else { throw ValidationError("\(text) is not a date (YYYY-MM-DD)") }
        return days * 86_400 - LocalTime.offsetSeconds
    }

    struct Zone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Declare a unit (ward, district or province code) an epidemic zone.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Unit code, e.g. 26734 (a ward) or 79 (a province)") var unit: String
        @Option(help: "Level as the health office names it, e.g. high, medium") var level: String = "high"
        @Option(help: "First day, YYYY-MM-DD (default today)") var from: String?
        @Option(help: "Last day, YYYY-MM-DD (default: until lifted)") var to: String?

        func run() async throws {
            let now = Int64(Date().timeIntervalSince1970)
            let start = try from.map(HealthCommand.localMidnight) ?? LocalTime.startOfDay(containing: now)
            let end = try to.map { try HealthCommand.localMidnight($0) + 86_400 - 1 }
            if let end, end < start { throw ValidationError("--to is before --from") }
            let name = try await HealthCommand.withStore(db) { store -> String in
                let scheme = try await store.units.activeScheme()
                guard let unit = try await store.units.unit(unit, scheme: scheme) else { throw ValidationError("no unit \(unit) in the \(scheme.rawValue) list") }
                _ = try await store.health.addZone(unitCode: unit.code, level: level, from: start, to: end, by: HealthCommand.console, now: now)
                return unit.name
            }
            print("epidemic zone declared: \(name) (\(unit)), level \(level), from \(from ?? "today")\(to.map { " to \($0)" } ?? " until lifted")")
        }
    }

    struct Mark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a person as a case (F0) or contact (F1, F2), or clear their marks.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "The person's phone number") var phone: String?
        @Option(help: "The person's CCCD number") var cccd: String?
        @Option(help: "The person's id") var person: String?
        @Option(help: "F0, F1, F2 or clear") var mark: String

        func run() async throws {
            let now = Int64(Date().timeIntervalSince1970)
            let which = mark.uppercased()
            guard which == "CLEAR" || CaseMark(rawValue: which) != nil else { throw ValidationError("--mark must be F0, F1, F2 or clear") }
            let id = try await HealthCommand.withStore(db) { store -> UUID in
                let found: UUID?
                if let person { found = UUID(uuidString: person) }
                else if let phone { guard let number = PhoneNumber(phone) else { throw ValidationError("\(phone) is not a phone number") }
                    found = try await store.people.find(kind: "phone", value: number.e164) }
                else if let cccd { found = try await store.people.find(kind: "cccd", value: cccd) }
                else { throw ValidationError("name the person with --phone, --cccd or --person") }
                guard let found, try await store.people.profile(id: found) != nil else { throw ValidationError("no such person") }
                if let mark = CaseMark(rawValue: which) {
                    try await store.health.setMark(found, mark: mark, source: "console", by: HealthCommand.console, now: now)
                } else {
                    try await store.health.clearMarks(found, by: HealthCommand.console, now: now)
                }
                return found
            }
            print(which == "CLEAR" ? "marks cleared for \(id)" : "\(id) marked \(which)")
        }
    }
}
