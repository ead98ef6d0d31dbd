import Foundation
import RavaoCore
import SQLKit

/// People seen at the door and their check-ins (C3, C7).
public struct CheckInStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    /// An identifier a scan carried, strongest first when matching: `ravao` (a person id), `qid`, `cccd`, `bhyt`, `phone`.
    public struct Identifier: Sendable, Hashable {
        public let kind: String
        public let value: String
        public init(kind: String, value: String) { self.kind = kind; self.value = value }
    }

    public struct NewCheckIn: Sendable {
        public var clientId: UUID
        public var placeId: UUID
        public var direction: CheckInDirection
        public var kind: PayloadKind
        public var scannedAt: Int64
        public var recordedAt: Int64
        public var scannedBy: UUID?
        public var payload: String
        /// Identifiers in matching order; the first one already known names the person.
        public var identifiers: [Identifier]
        /// A person the scan proved directly (a verified personal token), and the token's version,
        /// which must still be the person's current one.
        public var provenPerson: UUID?
        public var tokenVersion: Int?
        public var fullName: String?
        /// The kiosk that scanned, when it was a device rather than a signed-in person.
        public var deviceId: UUID?
        public init(clientId: UUID, placeId: UUID, direction: CheckInDirection, kind: PayloadKind, scannedAt: Int64, recordedAt: Int64,
                    scannedBy: UUID?, deviceId: UUID? = nil, payload: String, identifiers: [Identifier], provenPerson: UUID? = nil,
                    tokenVersion: Int? = nil, fullName: String?) {
            self.clientId = clientId; self.placeId = placeId; self.direction = direction; self.kind = kind
            self.scannedAt = scannedAt; self.recordedAt = recordedAt; self.scannedBy = scannedBy; self.deviceId = deviceId
            self.payload = payload; self.identifiers = identifiers; self.provenPerson = provenPerson
            self.tokenVersion = tokenVersion; self.fullName = fullName
        }
    }

    public struct Recorded: Sendable, Equatable {
        public let id: UUID
        public let personId: UUID
        public let fullName: String
        public let kind: String
        public let direction: String
        public let scannedAt: Int64
        public let duplicate: Bool
        /// Where and by whom it was recorded: a retry must come from the same place and submitter.
        public let placeId: UUID?
        public let scannedBy: UUID?
        public let deviceId: UUID?
        /// The person's date of birth as their record holds it (the station shows the year), read in
        /// the same transaction as the check-in so the answer needs no read of its own.
        public let birthDate: String?
        /// The person was created by this check-in (a card seen for the first time): nothing else
        /// (declaration, test, mark) can refer to them yet.
        public let newPerson: Bool
        /// The place's entries and exits on the check-in's local day, as the writer's counters held them
        /// when its batch committed (this check-in included); nil for a duplicate.
        public var dayTotals: DayTotals?
        public struct DayTotals: Sendable, Equatable {
            public let day: Int64
            public let entries: Int
            public let exits: Int
        }
        /// What the health rules need about the person, read with the batch that recorded the check-in
        /// when the writer was given the rules; nil otherwise (a duplicate, a person the batch created).
        public var facts: HealthFacts?
        public init(id: UUID, personId: UUID, fullName: String, kind: String, direction: String, scannedAt: Int64, duplicate: Bool,
                    placeId: UUID? = nil, scannedBy: UUID? = nil, deviceId: UUID? = nil, birthDate: String? = nil, newPerson: Bool = false,
                    dayTotals: DayTotals? = nil, facts: HealthFacts? = nil) {
            self.id = id; self.personId = personId; self.fullName = fullName; self.kind = kind
            self.direction = direction; self.scannedAt = scannedAt; self.duplicate = duplicate
            self.placeId = placeId; self.scannedBy = scannedBy; self.deviceId = deviceId
            self.birthDate = birthDate; self.newPerson = newPerson; self.dayTotals = dayTotals; self.facts = facts
        }

        /// True when a new scan with this record's client id is a retry of it: same place, same
        /// account or kiosk. A client id is no key to someone else's visit.
        public func isRetry(of checkIn: NewCheckIn) -> Bool {
            placeId == checkIn.placeId && scannedBy == checkIn.scannedBy && deviceId == checkIn.deviceId
        }
    }

    /// The check-in already recorded under a client id, if any: retries and offline uploads reuse ids.
    public func existing(clientId: UUID) async throws -> Recorded? {
        try await engine.read { db in
            try await Self.existing(clientId: clientId, db: db)
        }
    }

    static func existing(clientId: UUID, db: any SQLDatabase) async throws -> Recorded? {
        guard let row = try await db.raw("""
            SELECT c.id, c.person_id, c.kind, c.direction, c.scanned_at, c.place_id, c.scanned_by, c.device_id, p.full_name, p.birth_date
            FROM \(unsafeRaw: byClientId(db)) JOIN people p ON p.id = c.person_id
            WHERE \(unsafeRaw: clientIdColumn(db)) = \(bind: clientId.uuidString)
            """).first() else { return nil }
        return try recorded(from: row)
    }

    /// `checkins c` for a lookup by `c.client_id`. On PostgreSQL the check-ins are partitioned by day
    /// and client ids are unique in `checkin_keys` only (DayPartitions): the key gives the row's time,
    /// so the lookup reads one day's index instead of every day's.
    static func byClientId(_ db: any SQLDatabase) -> String {
        db.dialect.name == "sqlite" ? "checkins c"
            : "checkin_keys k JOIN checkins c ON c.id = k.checkin_id AND c.scanned_at = k.scanned_at AND c.client_id = k.client_id"
    }

    /// The client id column to filter on with `byClientId`: the key table's, whose primary key it is.
    static func clientIdColumn(_ db: any SQLDatabase) -> String {
        db.dialect.name == "sqlite" ? "c.client_id" : "k.client_id"
    }

    static func recorded(from row: any SQLRow) throws -> Recorded {
        Recorded(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
                        personId: UUID(uuidString: try row.decode(column: "person_id", as: String.self))!,
                        fullName: try row.decode(column: "full_name", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                        direction: try row.decode(column: "direction", as: String.self),
                        scannedAt: try row.decode(column: "scanned_at", as: Int64.self), duplicate: true,
                        placeId: UUID(uuidString: try row.decode(column: "place_id", as: String.self)),
                        scannedBy: try row.decode(column: "scanned_by", as: String?.self).flatMap(UUID.init(uuidString:)),
                        deviceId: try row.decode(column: "device_id", as: String?.self).flatMap(UUID.init(uuidString:)),
                        birthDate: try row.decode(column: "birth_date", as: String?.self))
    }

    /// A recorded check-in as pages show it.
    public struct Stored: Sendable, Equatable {
        public let id: UUID
        public let placeId: UUID
        public let personId: UUID
        public let fullName: String
        public let kind: String
        public let direction: CheckInDirection
        public let scannedAt: Int64
        public let recordedAt: Int64
        /// What was scanned (for a guest, the name they typed); only read where a query selects it.
        public var payload: String? = nil
    }

    static func stored(from row: any SQLRow) throws -> Stored {
        func uuid(_ column: String) throws -> UUID {
            let text = try row.decode(column: column, as: String.self)
            guard let id = UUID(uuidString: text) else { throw DatabaseError.corruptRow("\(column) \(text)") }
            return id
        }
        return Stored(id: try uuid("id"), placeId: try uuid("place_id"), personId: try uuid("person_id"),
                      fullName: try row.decode(column: "full_name", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                      direction: CheckInDirection(rawValue: try row.decode(column: "direction", as: String.self)) ?? .in,
                      scannedAt: try row.decode(column: "scanned_at", as: Int64.self), recordedAt: try row.decode(column: "recorded_at", as: Int64.self),
                      payload: (try? row.decode(column: "payload", as: String?.self)) ?? nil)
    }

    public func checkIn(id: UUID) async throws -> Stored? {
        try await engine.read { db in
            try await db.raw("""
                SELECT c.id, c.place_id, c.person_id, c.kind, c.direction, c.scanned_at, c.recorded_at, c.payload, p.full_name
                FROM checkins c JOIN people p ON p.id = c.person_id WHERE c.id = \(bind: id.uuidString)
                """).first().map(Self.stored(from:))
        }
    }

    /// What a live view shows: the latest arrivals, and every scan of the day for the counts.
    public struct LiveSnapshot: Sendable {
        public let recent: [Stored]
        public let today: [(person: UUID, direction: CheckInDirection, at: Int64)]
    }

    public func liveSnapshot(placeId: UUID, dayStart: Int64, recentLimit: Int) async throws -> LiveSnapshot {
        try await engine.read { db in
            let recent = try await db.raw("""
                SELECT c.id, c.place_id, c.person_id, c.kind, c.direction, c.scanned_at, c.recorded_at, p.full_name
                FROM checkins c JOIN people p ON p.id = c.person_id
                WHERE c.place_id = \(bind: placeId.uuidString) ORDER BY c.recorded_at DESC, c.scanned_at DESC LIMIT \(bind: recentLimit)
                """).all().map(Self.stored(from:))
            // A stay that began yesterday evening may still be open: read a day before midnight too.
            let today = try await db.raw("""
                SELECT person_id, direction, scanned_at FROM checkins
                WHERE place_id = \(bind: placeId.uuidString) AND scanned_at >= \(bind: dayStart - 86_400)
                """).all().map { row in
                    (person: UUID(uuidString: try row.decode(column: "person_id", as: String.self))!,
                     direction: CheckInDirection(rawValue: try row.decode(column: "direction", as: String.self)) ?? .in,
                     at: try row.decode(column: "scanned_at", as: Int64.self))
                }
            return LiveSnapshot(recent: recent, today: today)
        }
    }

    /// The place's entries and exits on the local day containing `time` (the station shows them when
    /// it opens, and each scan's answer), from the counters the check-in writer keeps.
    public func dayCounts(placeId: UUID, on time: Int64) async throws -> (entries: Int, exits: Int) {
        try await engine.read { db in
            guard let row = try await db.raw("""
                SELECT entries, exits FROM place_day_counts WHERE place_id = \(bind: placeId.uuidString) AND day = \(bind: DashboardRollups.day(time))
                """).first() else { return (0, 0) }
            return (try row.decode(column: "entries", as: Int.self), try row.decode(column: "exits", as: Int.self))
        }
    }

    /// Keeps a scan that could not be read, so nothing a guard scanned disappears.
    public func reject(placeId: UUID, clientId: UUID?, payload: String, reason: String, scannedBy: UUID?, deviceId: UUID? = nil, at: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO rejected_scans (id, place_id, client_id, payload, reason, scanned_by, device_id, at)
                VALUES (\(bind: UUID().uuidString), \(bind: placeId.uuidString), \(bind: clientId?.uuidString), \(bind: String(payload.prefix(8192))),
                        \(bind: reason), \(bind: scannedBy?.uuidString), \(bind: deviceId?.uuidString), \(bind: at))
                """).run()
        }
    }

    public func rejectedCount(placeId: UUID) async throws -> Int {
        try await engine.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM rejected_scans WHERE place_id = \(bind: placeId.uuidString)").first()!.decode(column: "n", as: Int.self)
        }
    }

    /// The version a personal token must carry; nil when no such person exists.
    public func tokenVersion(person: UUID) async throws -> Int? {
        try await engine.read { db in
            try await db.raw("SELECT token_version FROM people WHERE id = \(bind: person.uuidString)").first()?.decode(column: "token_version", as: Int.self)
        }
    }

    /// Creates the person behind an account if missing (citizen pages and personal tokens need one).
    /// Every account was made by an SMS code to its phone, so creating its person also claims that phone
    /// (`claimPhone`).
    public func person(forAccount account: Account, now: Int64) async throws -> UUID {
        try await engine.write { db in
            if let row = try await db.raw("SELECT id FROM people WHERE account_id = \(bind: account.id.uuidString)").first() {
                return UUID(uuidString: try row.decode(column: "id", as: String.self))!
            }
            let id = UUID()
            // Two first requests of one account may race on PostgreSQL: the loser reads the winner's row.
            guard try await db.raw("""
                INSERT INTO people (id, account_id, full_name, verified, created_at)
                VALUES (\(bind: id.uuidString), \(bind: account.id.uuidString), \(bind: account.displayName), 1, \(bind: now))
                ON CONFLICT (account_id) DO NOTHING RETURNING id
                """).first() != nil else {
                let row = try await db.raw("SELECT id FROM people WHERE account_id = \(bind: account.id.uuidString)").first()
                guard let row, let existing = UUID(uuidString: try row.decode(column: "id", as: String.self)) else { throw DatabaseError.corruptRow("people.account_id") }
                return existing
            }
            _ = try await Self.claimPhone(account.phone.e164, person: id, now: now, db: db)
            return id
        }
    }

    /// The phone was just proven by an SMS code (a sign-in): the account's person takes over the phone
    /// identifier from a record that a guest check-in or a typed phone scan made, so later guest and typed
    /// scans of that phone are the owner's and no stranger's record shadows them (trust rule 5). Only the
    /// check-ins made *under that phone* (kinds `guest` and `phone`) join the account: the SMS code proves
    /// the phone, not the record — the name a guest typed, any card the record also carries and its health
    /// rows stay behind. Returns how many check-ins moved.
    /// An account without a person yet claims its phone when the person is created (`person(forAccount:)`).
    @discardableResult
    public func claimPhone(account: Account, now: Int64) async throws -> Int {
        try await engine.write { db in
            guard let row = try await db.raw("SELECT id FROM people WHERE account_id = \(bind: account.id.uuidString)").first() else { return 0 }
            let person = UUID(uuidString: try row.decode(column: "id", as: String.self))!
            return try await Self.claimPhone(account.phone.e164, person: person, now: now, db: db)
        }
    }

    static func claimPhone(_ phone: String, person: UUID, now: Int64, db: any SQLDatabase) async throws -> Int {
        guard let row = try await db.raw("""
            SELECT p.id, p.account_id, p.guardian_id FROM person_identifiers i JOIN people p ON p.id = i.person_id
            WHERE i.kind = 'phone' AND i.value = \(bind: phone)
            """).first() else {
            try await db.raw("""
                INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('phone', \(bind: phone), \(bind: person.uuidString), \(bind: now))
                ON CONFLICT (kind, value) DO NOTHING
                """).run()
            return 0
        }
        let holder = try row.decode(column: "id", as: String.self)
        guard holder != person.uuidString else { return 0 }
        // Another citizen's own record (an account, a dependent) is never taken over by a phone.
        guard try row.decode(column: "account_id", as: String?.self) == nil, try row.decode(column: "guardian_id", as: String?.self) == nil else { return 0 }
        let moved = try await moveCheckIns(from: holder, to: person.uuidString, kinds: ["guest", "phone"], db: db)
        try await db.raw("UPDATE person_identifiers SET person_id = \(bind: person.uuidString) WHERE kind = 'phone' AND value = \(bind: phone)").run()
        return moved
    }

    /// Moves `from`'s check-ins (of `kinds`, or all of them) to `to`, with what follows a check-in: its
    /// stays (tracing reads stays, not check-ins), the dashboards' visits and distinct people, and who
    /// saw the person's data unmasked (a privileged place, an officer's trace), since the one who now
    /// holds those check-ins sees every disclosure of them. A phone changing owner moves its check-ins;
    /// a merge (a proven card, a handover) moves all. Returns how many check-ins moved.
    static func moveCheckIns(from: String, to: String, kinds: [String]? = nil, db: any SQLDatabase) async throws -> Int {
        if db.dialect.name == "postgresql" {
            // The row locks a projector pass takes first (DashboardRollups.add): a pass over either person
            // runs wholly before the move or wholly after it.
            try await db.raw("SELECT id FROM people WHERE id IN (\(bind: from), \(bind: to)) ORDER BY id FOR NO KEY UPDATE").run()
        }
        // `from`'s queued check-ins first, under the person they were written for: a pass after the move
        // would count them as `to`'s and judge `from`'s stays by them.
        try await CheckInProjector.apply(person: UUID(uuidString: from)!, db: db)
        var update = SQLQueryString("UPDATE checkins SET person_id = \(bind: to) WHERE person_id = \(bind: from)")
        if let kinds {
            update.appendInterpolation(CheckInWriter.values(" AND kind IN (", kinds[...], suffix: ")") { "\(bind: $0)" })
        }
        update.appendLiteral(" RETURNING place_id, scanned_at")
        let moved = try await db.raw(update).all()
            .map { (place: try $0.decode(column: "place_id", as: String.self), at: try $0.decode(column: "scanned_at", as: Int64.self)) }
        try await StayRollups.moved(moved, from: from, to: to, db: db)
        try await DashboardRollups.moved(moved, from: from, to: to, db: db)
        try await db.raw("UPDATE unmasked_views SET person_id = \(bind: to) WHERE person_id = \(bind: from)").run()
        try await db.raw("UPDATE officer_audit SET subject = \(bind: to) WHERE subject = \(bind: from) AND action = 'unmasked_view'").run()
        return moved.count
    }
}
