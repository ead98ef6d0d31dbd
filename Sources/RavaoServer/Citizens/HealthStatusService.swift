import Foundation
import RavaoCore
import RavaoStore
import Synchronization

/// The health status a guard sees with every scan (H6): facts from the store, judged by the pure rules.
///
/// A gate scanning hundreds of people a minute must not read six tables per scan for someone scanned
/// a second ago, so statuses are remembered for a few seconds per person, zones (shared by everyone)
/// for a few seconds, and the ancestry of a ward for as long as the server runs. Changes (a declaration,
/// a mark, a new zone) clear the entries at once here and, through `InstanceEvents`, on the other
/// instances; `ttlSeconds` bounds staleness should that channel be down.
public final class HealthStatusCache: Sendable {
    static let ttlSeconds = 5.0
    // A factory gate at shift change sees thousands of people within seconds; a status is a few hundred bytes.
    let statuses = TTLCache<UUID, HealthStatus>(ttlSeconds: ttlSeconds, capacity: 50_000)
    let zones = TTLCache<Int, [HealthFacts.Zone]>(ttlSeconds: ttlSeconds)
    private let ancestry = Mutex<[String: [String]]>([:])

    let events: InstanceEvents

    public init(events: InstanceEvents = .alone) { self.events = events }

    func ancestors(of ward: String) -> [String]? { ancestry.withLock { $0[ward] } }
    func remember(_ ward: String, ancestors: [String]) { ancestry.withLock { $0[ward] = ancestors } }

    /// After anything that changes someone's status.
    func personChanged(_ person: UUID) {
        statuses.remove(person)
        events.send(.personChanged(person))
    }
    /// After a zone is declared or lifted: everyone's status may change.
    func zonesChanged() {
        forgetAll()
        events.send(.zonesChanged)
    }

    func forgetAll() { zones.removeAll(); statuses.removeAll() }
}

struct HealthStatusService {
    let services: AppServices
    var rules: HealthRules { services.configuration.healthRules }

    /// The status of `person` now; nil only if the status could not be read (the scan still stands).
    /// `newPerson`: the person was created by the check-in just committed, so no declaration, test,
    /// mark or exposure can name them yet and their facts need no read (most first scans of a card).
    /// `facts`: read a moment ago with the check-in (`Recorded.facts`), fresher than a remembered status.
    func status(of person: UUID, newPerson: Bool = false, facts: HealthFacts? = nil) async -> HealthStatus? {
        do {
            if let facts {
                let status = try await compute(person, facts: facts)
                services.healthCache.statuses.put(person, status)
                return status
            }
            return try await services.healthCache.statuses.value(person) { try await compute(person, newPerson: newPerson) }
        } catch {
            services.logger.warning("could not read health status", metadata: ["person": "\(person)", "error": "\(error)"])
            return nil
        }
    }

    /// The status as API answers carry it.
    func payload(of person: UUID, newPerson: Bool = false, facts: HealthFacts? = nil) async -> StatusPayload? {
        await status(of: person, newPerson: newPerson, facts: facts).map(StatusPayload.init)
    }

    func compute(_ person: UUID, newPerson: Bool = false) async throws -> HealthStatus {
        let facts = newPerson ? HealthFacts() : try await services.store.health.facts(of: person, now: services.time.seconds(), rules: rules)
        return try await compute(person, facts: facts)
    }

    /// The status `facts` give now, with the zones in force and the units above the wards they name.
    func compute(_ person: UUID, facts: HealthFacts) async throws -> HealthStatus {
        var facts = facts
        let now = services.time.seconds()
        let since = now - Int64(rules.zoneLookbackDays) * 86_400
        facts.zones = try await services.healthCache.zones.value(0) { try await services.store.health.zones(since: since) } ?? []
        if !facts.zones.isEmpty {
            var wards = Set(facts.declarations.flatMap(\.visitedWards))
            if let home = facts.homeWard { wards.insert(home) }
            for ward in wards { facts.unitAncestors[ward] = try await ancestors(of: ward) }
        }
        return rules.evaluate(facts, now: now)
    }

    /// The exposures (H8) still in force for `person`: recorded within the marks' validity, not cleared by an officer.
    func exposures(of person: UUID) async throws -> [HealthStore.Exposure] {
        try await services.store.health.exposures(of: person, since: services.time.seconds() - Int64(rules.markDays) * 86_400)
    }

    /// The units above a ward (district, province), in the list the server runs on.
    func ancestors(of ward: String) async throws -> [String] {
        if let known = services.healthCache.ancestors(of: ward) { return known }
        let scheme = try await services.store.units.activeScheme()
        let path = try await services.store.units.path(ward, scheme: scheme).map(\.code)
        let above = Array(path.dropFirst())
        services.healthCache.remember(ward, ancestors: above)
        return above
    }
}

/// The `status` object of a scan answer and of the citizen's own pages.
struct StatusPayload: Encodable, Sendable {
    let level: String
    let reasons: [String]
    let vaccination: Vaccination?
    let test: Test?
    let alerts: [String]
    /// Where each reason and alert came from: "officer" (a health officer's record) or "self" (the citizen's word).
    let origins: [String: String]
    /// One line for a screen, in English and in Vietnamese.
    let summary: String
    let summaryVi: String

    struct Vaccination: Encodable, Sendable { let doses: Int; let lastDate: String; let full: Bool; let verified: Bool }
    struct Test: Encodable, Sendable { let kind: String; let result: String; let date: String; let verified: Bool }
}

extension StatusPayload {
    // In an extension, so the memberwise initialiser stays (the JSON tests build random payloads).
    init(_ status: HealthStatus) {
        level = status.level.rawValue
        reasons = status.reasons
        vaccination = status.vaccination.map { .init(doses: $0.doses, lastDate: $0.lastDate, full: $0.full, verified: $0.verified) }
        test = status.test.map { .init(kind: $0.kind, result: $0.result, date: $0.date, verified: $0.verified) }
        alerts = status.alerts
        origins = status.origins.mapValues(\.rawValue)
        summary = status.summary(vietnamese: false)
        summaryVi = status.summary(vietnamese: true)
    }
}
