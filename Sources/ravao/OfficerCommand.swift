import ArgumentParser
import Foundation
import RavaoCore
import RavaoStore

/// `ravao officer add`: the first officers of a deployment are made on the server itself (A1); they
/// then create the officers of the units below them in the web interface.
struct OfficerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "officer", abstract: "Manage officer accounts.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a phone number's account an officer of a unit (creating the account if missing).")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "The officer's mobile number, e.g. 0912345678") var phone: String
        @Option(help: "Unit code of the jurisdiction (ward, district, province) or VN for the whole country") var unit: String
        @Option(help: "Comma-separated: statistics,health,zones") var functions: String = "statistics"

        func run() async throws {
            guard let number = PhoneNumber(phone) else { throw ValidationError("'\(phone)' is not a Vietnamese mobile number") }
            guard let parsed = OfficerFunction.parseList(functions) else { throw ValidationError("functions must be among statistics, health, zones") }
            let logger = db.logger()
            let engine = try await openDatabase(try db.location(), logger: logger)
            do {
                try await Migrator.migrate(engine, logger: logger, clock: { Int64(Date().timeIntervalSince1970) })
                let store = Store(engine: engine)
                let scheme = try await store.units.activeScheme()
                try await store.units.ensureLoaded(scheme)
                let code = unit.uppercased() == Jurisdiction.countryCode ? Jurisdiction.countryCode : unit
                var name = "Việt Nam"
                if code != Jurisdiction.countryCode {
                    guard let found = try await store.units.unit(code, scheme: scheme) else {
                        throw ValidationError("no unit \(code) in the \(scheme.rawValue) list (use VN for the whole country)")
                    }
                    name = found.name
                }
                let now = Int64(Date().timeIntervalSince1970)
                let account = try await store.accounts.findOrCreate(phone: number, language: .vi, now: now)
                try await store.officers.upsert(account: account.id, unitCode: code, functions: parsed, by: nil, now: now)
                try await store.officers.audit(account: account.id, action: "officer_created", subjects: [account.id.uuidString],
                                               detail: "cli \(code) \(OfficerFunction.list(parsed))", now: now)
                print("\(number.national) is now an officer of \(name) (\(code)) with: \(OfficerFunction.list(parsed))")
            } catch {
                await engine.shutdown()
                throw error
            }
            await engine.shutdown()
        }
    }
}
