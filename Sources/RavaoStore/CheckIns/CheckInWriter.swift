import Foundation
import Logging
import PostgresNIO
import RavaoCore
import SQLKit

/// The check-in write path (C7): group commit.
///
/// Requests hand their check-in to `submit` and wait. One drain loop takes everything that arrived
/// while the previous transaction was committing and writes it as one transaction with a handful of
/// multi-row statements, then answers every waiting request. A request is therefore answered only
/// after the transaction holding its check-in has committed (with SQLite's `synchronous=FULL`, after
/// the fsync), and under load one fsync covers hundreds of check-ins instead of one.
public final class CheckInWriter: Sendable {
    public enum Outcome: Sendable, Equatable {
        case recorded(CheckInStore.Recorded)
        /// The personal token carried an older version than the person's current one (re-issued QR).
        case tokenRevoked
        /// The client id was already used by another place or submitter, or for another person:
        /// answering "duplicate" would hand over someone else's visit.
        case clientIdReused
    }

    /// What the live view is told after a batch commits.
    public struct Committed: Sendable {
        public let placeId: UUID
        public let recorded: CheckInStore.Recorded
        public let recordedAt: Int64
    }

    private struct Waiter: Sendable {
        let checkIn: CheckInStore.NewCheckIn
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private let engine: any DatabaseEngine
    /// What waits for a batch. Batches in flight at once (lanes): SQLite has one writer, so one.
    /// PostgreSQL takes `?writers=N` in the database URL (default one: on two cores, one writer's bigger
    /// batches measured faster). Batches of several writers, or of several instances, are kept from
    /// making two people of one new card (`IdentifierTaken`); their statements take row locks in one
    /// order (client ids, card numbers, day counters sorted).
    private let queue: BatchQueue<Waiter>
    private let logger: Logger
    private let onCommit: @Sendable ([Committed]) -> Void
    /// Given, each batch also reads the health facts of the people it finds (`Recorded.facts`): a scan's
    /// status then needs no statement of its own.
    private let healthRules: HealthRules?

    public init(engine: any DatabaseEngine, maximumBatch: Int = 1000, lanes: Int? = nil, healthRules: HealthRules? = nil, logger: Logger,
                onCommit: @escaping @Sendable ([Committed]) -> Void = { _ in }) {
        self.engine = engine
        self.healthRules = healthRules
        queue = BatchQueue(lanes: lanes ?? engine.writerLanes, maximumBatch: maximumBatch)
        self.logger = logger
        self.onCommit = onCommit
    }

    /// Records a check-in; returns once it is durable. A client id seen before answers the earlier
    /// check-in, marked duplicate.
    public func submit(_ checkIn: CheckInStore.NewCheckIn) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            if queue.add(Waiter(checkIn: checkIn, continuation: continuation)) {
                if let executor = engine.writeExecutor {
                    Task(executorPreference: executor) { await self.drain() }
                } else {
                    Task { await self.drain() }
                }
            }
        }
    }

    private func drain() async {
        while true {
            let batch = queue.next()
            if batch.isEmpty { return }
            await write(batch)
        }
    }

    private func write(_ batch: [Waiter], attempt: Int = 1) async {
        let checkIns = batch.map(\.checkIn)
        do {
            let outcomes = try await engine.writeBatch { [healthRules] db, begin in try await Self.write(checkIns, rules: healthRules, db: db, begin: begin) }
            notify(checkIns, outcomes)
            for (waiter, outcome) in zip(batch, outcomes) { waiter.continuation.resume(returning: outcome) }
        } catch is IdentifierTaken where attempt < 3 {
            // Written again, the batch reads the link the other transaction made.
            await write(batch, attempt: attempt + 1)
        } catch where batch.count > 1 {
            // One bad check-in (or a race with another instance) must not fail its neighbours: write them one by one.
            logger.warning("check-in batch failed; retrying one by one", metadata: ["size": "\(batch.count)", "error": "\(LoggedError.describe(error))"])
            for waiter in batch { await write([waiter]) }
        } catch {
            batch[0].continuation.resume(throwing: error)
        }
    }

    private func notify(_ checkIns: [CheckInStore.NewCheckIn], _ outcomes: [Outcome]) {
        var committed: [Committed] = []
        for (checkIn, outcome) in zip(checkIns, outcomes) {
            if case .recorded(let recorded) = outcome, !recorded.duplicate {
                committed.append(Committed(placeId: checkIn.placeId, recorded: recorded, recordedAt: checkIn.recordedAt))
            }
        }
        if !committed.isEmpty { onCommit(committed) }
    }

    // MARK: The batch, in one transaction

    /// Another transaction (another instance on PostgreSQL) linked one of the batch's new card numbers
    /// or phones to a person first. The batch rolls back rather than record a check-in under a second,
    /// unlinked person for the same card.
    struct IdentifierTaken: Error {}

    /// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535 bind limits.
    static let rowsPerStatement = 400

    /// `begin`: called before the first write when the batch writes more than its one insert (names to
    /// fill, rejections; on SQLite also new people and links), which must then commit or roll back together.
    static func write(_ checkIns: [CheckInStore.NewCheckIn], rules: HealthRules? = nil, db: any SQLDatabase,
                      begin: @Sendable () async throws -> Void = {}) async throws -> [Outcome] {
        var outcomes = [Outcome?](repeating: nil, count: checkIns.count)

        // 1. What the batch may need to know, read at once: client ids already recorded, the owners of
        // its cards and phones, the people behind them and behind its tokens, and their health facts.
        let window = rules.map { HealthStore.FactsWindow(now: checkIns.map(\.recordedAt).max() ?? 0, rules: $0) }
        let known = try await Known.read(checkIns, window: window, db: db)
        // Client ids already recorded (retries, offline uploads) and repeated within this batch.
        let earlier = try await recorded(clientIds: known.recordedClientIds ?? checkIns.map(\.clientId.text), db: db)
        // Anonymous retries (a guest's double tap, a receipt's check-out) have no account or kiosk to
        // compare: they must name the same person.
        func samePerson(_ checkIn: CheckInStore.NewCheckIn, _ person: UUID) -> Bool {
            if let proven = checkIn.provenPerson { return proven == person }
            if checkIn.scannedBy != nil || checkIn.deviceId != nil { return true }  // staff at that place may see who it was
            return !checkIn.identifiers.isEmpty && checkIn.identifiers.allSatisfy { known.owners[$0] == person }
        }
        var firstInBatch: [UUID: Int] = [:]
        var fresh: [Int] = []
        for (i, checkIn) in checkIns.enumerated() {
            if let found = earlier[checkIn.clientId] {
                outcomes[i] = found.isRetry(of: checkIn) && samePerson(checkIn, found.personId) ? .recorded(found) : .clientIdReused
            } else if let first = firstInBatch[checkIn.clientId] {
                let a = checkIns[first]
                if a.placeId != checkIn.placeId || a.scannedBy != checkIn.scannedBy || a.deviceId != checkIn.deviceId
                    || a.provenPerson != checkIn.provenPerson || Set(a.identifiers) != Set(checkIn.identifiers) {
                    outcomes[i] = .clientIdReused
                }
                continue  // otherwise answered from its first occurrence below
            } else {
                firstInBatch[checkIn.clientId] = i
                fresh.append(i)
            }
        }

        // 2. Known people: those proven by a token, and those named by an identifier.
        var people = known.people
        let wanted = Set(fresh.filter { checkIns[$0].provenPerson == nil }.flatMap { checkIns[$0].identifiers })
        var owners = known.owners.filter { wanted.contains($0.key) }
        let accountPeople = known.accountPeople.filter { wanted.contains(.init(kind: "phone", value: $0.key)) && owners[.init(kind: "phone", value: $0.key)] == nil }

        // 3. Resolve each fresh check-in to a person, creating unverified people for unknown cards.
        var newPeople: [(id: UUID, name: String, at: Int64)] = []
        var newLinks: [(identifier: CheckInStore.Identifier, person: UUID, at: Int64)] = []
        var namesToFill: [UUID: String] = [:]
        var rows: [(index: Int, id: UUID, person: UUID)] = []
        var rejected: [Int] = []
        for i in fresh {
            let checkIn = checkIns[i]
            var person: UUID?
            if let token = checkIn.provenPerson {
                guard let row = people[token], checkIn.tokenVersion.map({ $0 == row.tokenVersion }) ?? true else {
                    rejected.append(i)
                    outcomes[i] = .tokenRevoked
                    continue
                }
                person = token
            } else {
                person = checkIn.identifiers.lazy.compactMap { owners[$0] }.first
                    ?? checkIn.identifiers.first(where: { $0.kind == "phone" }).flatMap { accountPeople[$0.value] }
            }
            let name = checkIn.fullName ?? ""
            if let known = person {
                // A name read from a scan or typed by a guest fills a card-first record, never a citizen's
                // own (an account or a dependent): a stranger's guess must not name someone else's profile.
                if !name.isEmpty, people[known]?.fullName.isEmpty == true, people[known]?.isCitizen == false {
                    namesToFill[known] = name
                    people[known]?.fullName = name
                }
            } else {
                let id = TimeOrderedID.make()
                newPeople.append((id, name, checkIn.recordedAt))
                people[id] = PersonRow(fullName: name, tokenVersion: 1, isCitizen: false, birthDate: nil, isNew: true)
                person = id
            }
            for identifier in checkIn.identifiers where owners[identifier] == nil {
                // An identifier already linked to someone else stays where it is: merging people is a decision, not a side effect.
                owners[identifier] = person!
                newLinks.append((identifier, person!, checkIn.recordedAt))
            }
            rows.append((i, TimeOrderedID.make(), person!))
        }

        // 4. Write people, identifiers, names, rejections and check-ins with multi-row statements.
        // Returning people's check-ins are one insert, atomic by itself; on PostgreSQL so are first
        // scans, whose new people and links go in the same statement (`Insert`).
        let postgres = db.dialect.name == "postgresql"
        newLinks.sort { ($0.identifier.kind, $0.identifier.value) < ($1.identifier.kind, $1.identifier.value) }
        if !(namesToFill.isEmpty && rejected.isEmpty && (postgres || newPeople.isEmpty && newLinks.isEmpty)) { try await begin() }
        if !postgres {
            let newPeopleRows = BatchRows([.text("id", newPeople.map(\.id.text)), .text("full_name", newPeople.map(\.name)),
                                           .bigint("verified", [Int64](repeating: 0, count: newPeople.count)), .bigint("created_at", newPeople.map(\.at))])
            for statement in newPeopleRows.statements(db, "INSERT INTO people (id, full_name, verified, created_at) ")
                + BatchRows([.text("person_id", newPeople.map(\.id.text))]).statements(db, "INSERT INTO unprojected_people (person_id) ") {
                try await db.raw(statement).run()
            }
            let created = Set(newPeople.map(\.id))
            let linkRows = BatchRows([.text("kind", newLinks.map(\.identifier.kind)), .text("value", newLinks.map(\.identifier.value)),
                                      .text("person_id", newLinks.map(\.person.text)), .bigint("created_at", newLinks.map(\.at))])
            var made = Set<CheckInStore.Identifier>()
            for statement in linkRows.statements(db, "INSERT INTO person_identifiers (kind, value, person_id, created_at) ",
                                                 suffix: " ON CONFLICT (kind, value) DO NOTHING RETURNING kind, value") {
                for row in try await db.raw(statement).all() {
                    made.insert(CheckInStore.Identifier(kind: try row.decode(column: "kind", as: String.self), value: try row.decode(column: "value", as: String.self)))
                }
            }
            // A number already linked stays with its holder (a known person's scan adds nothing), but a
            // person this batch created for the number would be left with nothing leading to them.
            if made.count < newLinks.count, newLinks.contains(where: { !made.contains($0.identifier) && created.contains($0.person) }) {
                throw IdentifierTaken()
            }
        }
        for (person, name) in namesToFill.sorted(by: { $0.key.text < $1.key.text }) {
            try await db.raw("UPDATE people SET full_name = \(bind: name) WHERE id = \(bind: person.text) AND full_name = ''").run()
        }
        for chunk in rejected.chunks(of: rowsPerStatement) {
            try await db.raw(values("INSERT INTO rejected_scans (id, place_id, client_id, payload, reason, scanned_by, device_id, at) VALUES ", chunk) { i in
                let c = checkIns[i]
                return "(\(bind: UUID().text), \(bind: c.placeId.text), \(bind: c.clientId.text), \(bind: String(c.payload.prefix(8192))), 'token_revoked', \(bind: c.scannedBy?.text), \(bind: c.deviceId?.text), \(bind: c.recordedAt))"
            }).run()
        }
        // Sorted by client id (the order instances take `checkin_keys`' locks in), each written once as text.
        let sortKeys = rows.map { checkIns[$0.index].clientId.text }
        let order = sortKeys.indices.sorted { sortKeys[$0] < sortKeys[$1] }
        rows = order.map { rows[$0] }
        let written = rows.map { checkIns[$0.index] }
        let ids = rows.map(\.id.text), clientIds = order.map { sortKeys[$0] }
        let placeIds = written.map(\.placeId.text), personIds = rows.map(\.person.text)
        let scannedAt = written.map(\.scannedAt), recordedAt = written.map(\.recordedAt)
        let directions = written.map(\.direction.rawValue), kinds = written.map(\.kind.rawValue), payloads = written.map(\.payload)
        let scannedBy = written.map { $0.scannedBy?.text }, deviceIds = written.map { $0.deviceId?.text }
        let counters = DayCounters(written)
        var totals: [PlaceDay: CheckInStore.Recorded.DayTotals] = [:]
        if db.dialect.name == "sqlite" {
            let checkInRows = BatchRows([
                .text("id", ids), .text("client_id", clientIds), .text("place_id", placeIds), .text("person_id", personIds),
                .text("direction", directions), .text("kind", kinds), .bigint("scanned_at", scannedAt), .bigint("recorded_at", recordedAt),
                .optionalText("scanned_by", scannedBy), .optionalText("device_id", deviceIds), .text("payload", payloads),
            ])
            // What the rollups and stays need, queued in this transaction for the projector (see
            // CheckInProjector): it survives a crash exactly as the check-ins do.
            let queued = BatchRows([.text("place_id", placeIds), .text("person_id", personIds), .bigint("scanned_at", scannedAt), .bigint("queued_at", recordedAt),
                                    .text("direction", directions)])
            for statement in checkInRows.statements(db, "INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload) ")
                + queued.statements(db, "INSERT INTO checkin_projection (place_id, person_id, scanned_at, queued_at, direction) ") {
                try await db.raw(statement).run()
            }
            for statement in counters.rows.statements(db, Self.countersInsert, suffix: Self.countersUpsert) {
                try Self.addTotals(try await db.raw(statement).all(), to: &totals)
            }
        } else if !(rows.isEmpty && newPeople.isEmpty && newLinks.isEmpty) {
            // PostgreSQL: the same rows, with the retry keys, new people and links, as one prepared statement (`Insert`).
            guard let connection = db as? PostgresConnectionSQL else { throw NotOnPostgresConnection() }
            let insert = Insert(ids: ids, clientIds: clientIds, placeIds: placeIds, personIds: personIds, directions: directions, kinds: kinds,
                                scannedAt: scannedAt, recordedAt: recordedAt, scannedBy: scannedBy.map { $0 ?? "" }, deviceIds: deviceIds.map { $0 ?? "" },
                                payloads: payloads, counters: counters, newPeople: newPeople, newLinks: newLinks)
            let answered: [Insert.Row]
            do {
                answered = try await connection.rows(insert)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && error.serverInfo?[.constraintName] == "person_identifiers_pkey" {
                // Another instance linked a new person's card first: nothing of the statement was written.
                throw IdentifierTaken()
            }
            for (place, day, entries, exits) in answered {
                totals[PlaceDay(place: place, day: day)] = .init(day: day, entries: Int(entries), exits: Int(exits))
            }
        }

        for row in rows {
            let c = checkIns[row.index]
            outcomes[row.index] = .recorded(.init(id: row.id, personId: row.person, fullName: people[row.person]?.fullName ?? "", kind: c.kind.rawValue,
                                                  direction: c.direction.rawValue, scannedAt: c.scannedAt, duplicate: false,
                                                  placeId: c.placeId, scannedBy: c.scannedBy, deviceId: c.deviceId,
                                                  birthDate: people[row.person]?.birthDate, newPerson: people[row.person]?.isNew ?? false,
                                                  dayTotals: totals[.init(place: c.placeId.text, day: DashboardRollups.day(c.scannedAt))],
                                                  facts: people[row.person]?.isNew == true ? nil : known.facts.map { $0[row.person.text] ?? HealthFacts() }))
        }
        // Repeats within the batch answer as duplicates of their first occurrence.
        for (i, checkIn) in checkIns.enumerated() where outcomes[i] == nil {
            let first = firstInBatch[checkIn.clientId]!
            switch outcomes[first]! {
            case .recorded(let r):
                outcomes[i] = .recorded(.init(id: r.id, personId: r.personId, fullName: r.fullName, kind: r.kind, direction: r.direction, scannedAt: r.scannedAt,
                                              duplicate: true, placeId: r.placeId, scannedBy: r.scannedBy, deviceId: r.deviceId,
                                              birthDate: r.birthDate, newPerson: r.newPerson))
            case .tokenRevoked:
                outcomes[i] = .tokenRevoked
            case .clientIdReused:
                outcomes[i] = .clientIdReused
            }
        }
        return outcomes.map { $0! }
    }

    struct PlaceDay: Hashable { let place: String; let day: Int64 }

    /// The batch's entries and exits per place and day, to add to each place's day counters, sorted so
    /// that two PostgreSQL instances writing the same place take the row locks in turn. The upsert
    /// returns the totals after the batch, which the scans' answers show without a read of their own.
    struct DayCounters {
        var places: [String] = [], days: [Int64] = [], entries: [Int64] = [], exits: [Int64] = []

        init(_ written: [CheckInStore.NewCheckIn]) {
            var counts: [PlaceDay: (entries: Int64, exits: Int64)] = [:]
            for c in written {
                let key = PlaceDay(place: c.placeId.text, day: DashboardRollups.day(c.scannedAt))
                let out: Int64 = c.direction == .out ? 1 : 0
                counts[key, default: (0, 0)].entries += 1 - out
                counts[key, default: (0, 0)].exits += out
            }
            for (key, n) in counts.sorted(by: { ($0.key.place, $0.key.day) < ($1.key.place, $1.key.day) }) {
                places.append(key.place); days.append(key.day); entries.append(n.entries); exits.append(n.exits)
            }
        }

        var rows: BatchRows {
            BatchRows([.text("place_id", places), .bigint("day", days), .bigint("entries", entries), .bigint("exits", exits)])
        }
    }

    static let countersInsert = "INSERT INTO place_day_counts (place_id, day, entries, exits) "
    static let countersUpsert = """
         ON CONFLICT (place_id, day) DO UPDATE SET entries = place_day_counts.entries + excluded.entries, exits = place_day_counts.exits + excluded.exits
         RETURNING place_id, day, entries, exits
        """

    static func addTotals(_ rows: [any SQLRow], to totals: inout [PlaceDay: CheckInStore.Recorded.DayTotals]) throws {
        for row in rows {
            let day = try row.decode(column: "day", as: Int64.self)
            totals[PlaceDay(place: try row.decode(column: "place_id", as: String.self), day: day)] =
                .init(day: day, entries: try row.decode(column: "entries", as: Int.self), exits: try row.decode(column: "exits", as: Int.self))
        }
    }

    struct PersonRow: Sendable {
        var fullName: String
        var tokenVersion: Int
        var isCitizen: Bool
        var birthDate: String?
        /// Created in this batch.
        var isNew = false
    }

    /// The check-ins recorded under `clientIds`, by client id.
    static func recorded(clientIds ids: [String], db: any SQLDatabase) async throws -> [UUID: CheckInStore.Recorded] {
        var found: [UUID: CheckInStore.Recorded] = [:]
        for statement in BatchRows.matching(db, """
                SELECT c.id, c.client_id, c.person_id, c.kind, c.direction, c.scanned_at, c.place_id, c.scanned_by, c.device_id, p.full_name, p.birth_date
                FROM \(CheckInStore.byClientId(db)) JOIN people p ON p.id = c.person_id
                WHERE \(CheckInStore.clientIdColumn(db))
                """, ids) {
            let rows = try await db.raw(statement).all()
            for row in rows {
                let recorded = try CheckInStore.recorded(from: row)
                found[UUID(text: try row.decode(column: "client_id", as: String.self))!] = recorded
            }
        }
        return found
    }

    static func peopleRows(ids: [UUID], db: any SQLDatabase) async throws -> [UUID: PersonRow] {
        var found: [UUID: PersonRow] = [:]
        for statement in BatchRows.matching(db, "SELECT id, full_name, token_version, account_id, guardian_id, birth_date FROM people WHERE id", ids.map(\.text)) {
            for row in try await db.raw(statement).all() {
                let isCitizen = try row.decode(column: "account_id", as: String?.self) != nil || row.decode(column: "guardian_id", as: String?.self) != nil
                found[UUID(text: try row.decode(column: "id", as: String.self))!] =
                    PersonRow(fullName: try row.decode(column: "full_name", as: String.self), tokenVersion: try row.decode(column: "token_version", as: Int.self),
                              isCitizen: isCitizen, birthDate: try row.decode(column: "birth_date", as: String?.self))
            }
        }
        return found
    }

    static func identifierOwners(_ identifiers: [CheckInStore.Identifier], db: any SQLDatabase) async throws -> [CheckInStore.Identifier: UUID] {
        var found: [CheckInStore.Identifier: UUID] = [:]
        // One query per kind, so each is a primary-key lookup (kind, value) rather than a table scan.
        for (kind, group) in Dictionary(grouping: Set(identifiers), by: \.kind) {
            var prefix = SQLQueryString("SELECT value, person_id FROM person_identifiers WHERE kind = ")
            prefix.appendInterpolation(bind: kind)
            prefix.appendLiteral(" AND value")
            for statement in BatchRows.matching(db, prefix, group.map(\.value)) {
                for row in try await db.raw(statement).all() {
                    let identifier = CheckInStore.Identifier(kind: kind, value: try row.decode(column: "value", as: String.self))
                    found[identifier] = UUID(text: try row.decode(column: "person_id", as: String.self))!
                }
            }
        }
        return found
    }

    /// Citizens with an account are the people behind their own phone numbers.
    static func accountPeople(phones: [String], db: any SQLDatabase) async throws -> [String: UUID] {
        var found: [String: UUID] = [:]
        for statement in BatchRows.matching(db, "SELECT p.id, a.phone FROM people p JOIN accounts a ON a.id = p.account_id WHERE a.phone", phones) {
            for row in try await db.raw(statement).all() {
                found[try row.decode(column: "phone", as: String.self)] = UUID(text: try row.decode(column: "id", as: String.self))!
            }
        }
        return found
    }

    /// `prefix`, each row's SQL joined by `separator`, then `suffix`: multi-row VALUES, IN lists, OR-ed conditions.
    package static func values<T>(_ prefix: String, _ rows: ArraySlice<T>, separator: String = ", ", suffix: String = "", _ row: (T) -> SQLQueryString) -> SQLQueryString {
        var query = SQLQueryString(prefix)
        for (i, element) in rows.enumerated() {
            if i > 0 { query.appendLiteral(separator) }
            query.appendInterpolation(row(element))
        }
        query.appendLiteral(suffix)
        return query
    }
}

extension Array {
    package func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
