import Foundation
import RavaoCore
import SQLKit

/// Citizens' profiles, their dependents, and the linking of card-first people to the citizen they turn
/// out to be (H1, H3).
public struct PeopleStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Profile: Sendable, Equatable {
        public var id: UUID
        public var accountId: UUID?
        public var guardianId: UUID?
        public var fullName: String
        public var birthDate: String?
        public var gender: String?
        public var cccd: String?
        public var bhyt: String?
        public var wardCode: String?
        public var address: String?
        public var tokenVersion: Int
        public var tokenIssuedAt: Int64?
        public var handoverPhone: String?
        public var createdAt: Int64
        /// False when the number is only typed on the profile while a card-first record holds it: the
        /// card's scans stay with that record until the card is proven (`claimCard`).
        public var cccdProven = true
        public var bhytProven = true
    }

    /// What a citizen may change about a person (their own or a dependent's).
    public struct ProfileInput: Sendable, Equatable {
        public var fullName: String
        public var birthDate: String?
        public var gender: String?
        public var cccd: String?
        public var bhyt: String?
        public var wardCode: String?
        public var address: String?
        public init(fullName: String, birthDate: String?, gender: String?, cccd: String?, bhyt: String?, wardCode: String?, address: String?) {
            self.fullName = fullName; self.birthDate = birthDate; self.gender = gender; self.cccd = cccd; self.bhyt = bhyt
            self.wardCode = wardCode; self.address = address
        }
    }

    public enum LinkError: Error, Equatable, Sendable {
        /// The number belongs to another citizen or someone's dependent.
        case identifierTaken(kind: String)
    }

    // MARK: Reading

    public func profile(id: UUID) async throws -> Profile? {
        try await engine.read { db in try await Self.profile(id: id, db: db) }
    }

    static func profile(id: UUID, db: any SQLDatabase) async throws -> Profile? {
        guard let row = try await db.raw("SELECT * FROM people WHERE id = \(bind: id.uuidString) AND merged_into IS NULL").first() else { return nil }
        var profile = try Self.profile(from: row)
        for identifier in try await db.raw("SELECT kind, value FROM person_identifiers WHERE person_id = \(bind: id.uuidString) AND kind IN ('cccd', 'bhyt') ORDER BY created_at").all() {
            let value = try identifier.decode(column: "value", as: String.self)
            switch try identifier.decode(column: "kind", as: String.self) {
            case "cccd": profile.cccd = value
            default: profile.bhyt = value
            }
        }
        // A typed number stays "unverified" until the card's QR proves it; when a card-first record holds
        // it, the claim is all the profile has (it links nothing).
        if let claim = try row.decode(column: "cccd_claim", as: String?.self) { profile.cccd = profile.cccd ?? claim; profile.cccdProven = false }
        if let claim = try row.decode(column: "bhyt_claim", as: String?.self) { profile.bhyt = profile.bhyt ?? claim; profile.bhytProven = false }
        return profile
    }

    static func profile(from row: any SQLRow) throws -> Profile {
        func uuid(_ column: String) throws -> UUID? { try row.decode(column: column, as: String?.self).flatMap(UUID.init(uuidString:)) }
        return Profile(id: try uuid("id")!, accountId: try uuid("account_id"), guardianId: try uuid("guardian_id"),
                       fullName: try row.decode(column: "full_name", as: String.self),
                       birthDate: try row.decode(column: "birth_date", as: String?.self), gender: try row.decode(column: "gender", as: String?.self),
                       cccd: nil, bhyt: nil, wardCode: try row.decode(column: "ward_code", as: String?.self),
                       address: try row.decode(column: "address", as: String?.self),
                       tokenVersion: try row.decode(column: "token_version", as: Int.self),
                       tokenIssuedAt: try row.decode(column: "token_issued_at", as: Int64?.self),
                       handoverPhone: try row.decode(column: "handover_phone", as: String?.self),
                       createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    /// The person an identifier (kind, value) points at; merged records resolve to where they went.
    public func find(kind: String, value: String) async throws -> UUID? {
        try await engine.read { db in
            try await db.raw("SELECT person_id FROM person_identifiers WHERE kind = \(bind: kind) AND value = \(bind: value)").first()
                .flatMap { UUID(uuidString: try $0.decode(column: "person_id", as: String.self)) }
        }
    }

    /// The people a guardian declares for, oldest first.
    public func dependents(of guardian: UUID) async throws -> [Profile] {
        try await engine.read { db in
            var result: [Profile] = []
            for row in try await db.raw("SELECT id FROM people WHERE guardian_id = \(bind: guardian.uuidString) AND merged_into IS NULL ORDER BY created_at, id").all() {
                if let id = UUID(uuidString: try row.decode(column: "id", as: String.self)), let p = try await Self.profile(id: id, db: db) { result.append(p) }
            }
            return result
        }
    }

    /// Dependents that a guardian handed over to this phone number, waiting for its owner to accept.
    public func handovers(to phone: PhoneNumber) async throws -> [Profile] {
        try await engine.read { db in
            try await db.raw("SELECT * FROM people WHERE handover_phone = \(bind: phone.e164) AND merged_into IS NULL AND account_id IS NULL ORDER BY created_at")
                .all().map(Self.profile(from:))
        }
    }

    // MARK: Writing

    /// Saves a profile. A CCCD or BHYT number typed on it is only a claim: it links nothing and moves
    /// nothing, whoever holds the card's record (trust rule 5). Were a number nobody holds yet to name the
    /// person who typed it, the first to type a stranger's number would receive that stranger's card scans
    /// from then on, and the real holder could never add it. `claimCard` links the number once the card's
    /// own QR proves it.
    public func update(_ person: UUID, with input: ProfileInput, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("""
                UPDATE people SET full_name = \(bind: input.fullName), birth_date = \(bind: input.birthDate), gender = \(bind: input.gender),
                    ward_code = \(bind: input.wardCode), address = \(bind: input.address), updated_at = \(bind: now)
                WHERE id = \(bind: person.uuidString)
                """).run()
            try await Self.setIdentifier(kind: "cccd", value: input.cccd, person: person, db: db)
            try await Self.setIdentifier(kind: "bhyt", value: input.bhyt, person: person, db: db)
        }
    }

    /// A new dependent of `guardian`; returns their person id.
    public func addDependent(guardian: UUID, input: ProfileInput, now: Int64) async throws -> UUID {
        try await engine.write { db in
            let id = TimeOrderedID.make()
            try await db.raw("""
                INSERT INTO people (id, full_name, verified, token_version, created_at, guardian_id, birth_date, gender, ward_code, address, updated_at, token_issued_at)
                VALUES (\(bind: id.uuidString), \(bind: input.fullName), 0, 1, \(bind: now), \(bind: guardian.uuidString), \(bind: input.birthDate),
                        \(bind: input.gender), \(bind: input.wardCode), \(bind: input.address), \(bind: now), \(bind: now))
                """).run()
            try await Self.setIdentifier(kind: "cccd", value: input.cccd, person: id, db: db)
            try await Self.setIdentifier(kind: "bhyt", value: input.bhyt, person: id, db: db)
            return id
        }
    }

    static func setIdentifier(kind: String, value: String?, person: UUID, db: any SQLDatabase) async throws {
        let claimColumn = kind == "cccd" ? "cccd_claim" : "bhyt_claim"
        let existing = try await db.raw("SELECT value FROM person_identifiers WHERE person_id = \(bind: person.uuidString) AND kind = \(bind: kind)").all()
            .map { try $0.decode(column: "value", as: String.self) }
        // Saving the proven number again changes nothing.
        if let value, existing == [value] {
            try await db.raw("UPDATE people SET \(unsafeRaw: claimColumn) = NULL WHERE id = \(bind: person.uuidString)").run()
            return
        }
        // A changed or removed number stops pointing here; scans already recorded stay with this person.
        try await db.raw("DELETE FROM person_identifiers WHERE person_id = \(bind: person.uuidString) AND kind = \(bind: kind)").run()
        try await db.raw("UPDATE people SET \(unsafeRaw: claimColumn) = \(bind: value) WHERE id = \(bind: person.uuidString)").run()
        guard let value else { return }
        // Another citizen proved this card: saying so is no more than the card proof itself would answer,
        // and it tells the real holder at once why the number will never verify here.
        if let holder = try await Self.holder(kind: kind, value: value, db: db), holder.id != person, holder.isCitizen {
            throw LinkError.identifierTaken(kind: kind)
        }
    }

    /// Who carries an identifier, and whether that is a citizen (an account or someone's dependent) rather
    /// than a card-first record made by scans.
    static func holder(kind: String, value: String, db: any SQLDatabase) async throws -> (id: UUID, isCitizen: Bool)? {
        guard let row = try await db.raw("""
            SELECT p.id, p.account_id, p.guardian_id FROM person_identifiers i JOIN people p ON p.id = i.person_id
            WHERE i.kind = \(bind: kind) AND i.value = \(bind: value)
            """).first() else { return nil }
        let isCitizen = try row.decode(column: "account_id", as: String?.self) != nil || row.decode(column: "guardian_id", as: String?.self) != nil
        return (UUID(uuidString: try row.decode(column: "id", as: String.self))!, isCitizen)
    }

    // MARK: Proving a card (trust rule 5)

    /// What a card's earlier scans recorded: the raw payloads of the full card QRs scanned for the record
    /// that holds the number (typed numbers carry nothing to compare and are left out by the caller).
    public struct CardRecord: Sendable, Equatable {
        public let holder: UUID
        public let holderIsCitizen: Bool
        public let payloads: [String]
    }

    public func cardRecord(kind: String, value: String) async throws -> CardRecord? {
        try await engine.read { db in
            guard let holder = try await Self.holder(kind: kind, value: value, db: db) else { return nil }
            let payloads = try await db.raw("""
                SELECT payload FROM checkins WHERE person_id = \(bind: holder.id.uuidString) AND kind = \(bind: kind) ORDER BY scanned_at DESC LIMIT 200
                """).all().map { try $0.decode(column: "payload", as: String.self) }
            return CardRecord(holder: holder.id, holderIsCitizen: holder.isCitizen, payloads: payloads)
        }
    }

    public enum ClaimOutcome: Sendable, Equatable {
        /// The card's record was merged into the person: this many check-ins moved.
        case moved(Int)
        /// The person already held the number; it is verified now.
        case linked
        /// Another citizen holds the number, or the record changed hands meanwhile.
        case taken
    }

    /// The card is proven (the caller compared its QR with what the card's scans recorded): the card-first
    /// record `holder` becomes `person` — check-ins, identifiers and health rows move — and the claim is cleared.
    public func claimCard(kind: String, value: String, holder: UUID, person: UUID, now: Int64) async throws -> ClaimOutcome {
        let claimColumn = kind == "cccd" ? "cccd_claim" : "bhyt_claim"
        return try await engine.write { db in
            let current = try await Self.holder(kind: kind, value: value, db: db)
            // Checked again inside the transaction: the card's record must be the one that was compared.
            guard current?.id == holder else { return .taken }
            var outcome = ClaimOutcome.linked
            if let current, current.id != person {
                guard !current.isCitizen else { return .taken }
                // The person's own number of this kind, if any, gives way to the proven card.
                try await db.raw("DELETE FROM person_identifiers WHERE person_id = \(bind: person.uuidString) AND kind = \(bind: kind)").run()
                outcome = .moved(try await Self.merge(current.id, into: person, db: db))
            }
            try await db.raw("UPDATE people SET \(unsafeRaw: claimColumn) = NULL, updated_at = \(bind: now) WHERE id = \(bind: person.uuidString)").run()
            return outcome
        }
    }

    /// Moves everything recorded for `from` to `into`; `from` stays as a pointer so ids already handed out
    /// resolve. The check-ins go with what follows them (`CheckInStore.moveCheckIns`: stays, dashboard
    /// counts, disclosure log), or a citizen's trace would miss the visits their card made before they
    /// claimed it, and the dashboards count them twice. Returns how many check-ins moved.
    @discardableResult
    static func merge(_ from: UUID, into: UUID, db: any SQLDatabase) async throws -> Int {
        let f = from.uuidString, t = into.uuidString
        let moved = try await CheckInStore.moveCheckIns(from: f, to: t, db: db)
        for table in ["person_identifiers", "declarations", "vaccinations", "health_tests", "person_marks", "exposures"] {
            try await db.raw("UPDATE \(unsafeRaw: table) SET person_id = \(bind: t) WHERE person_id = \(bind: f)").run()
        }
        try await db.raw("UPDATE people SET guardian_id = \(bind: t) WHERE guardian_id = \(bind: f) AND id <> \(bind: t)").run()
        try await db.raw("UPDATE people SET merged_into = \(bind: t) WHERE id = \(bind: f)").run()
        return moved
    }

    /// A new personal QR: tokens of older versions are refused from now on.
    public func reissueToken(_ person: UUID, now: Int64) async throws -> Int {
        try await engine.write { db in
            try await db.raw("UPDATE people SET token_version = token_version + 1, token_issued_at = \(bind: now) WHERE id = \(bind: person.uuidString)").run()
            return try await db.raw("SELECT token_version FROM people WHERE id = \(bind: person.uuidString)").first()!.decode(column: "token_version", as: Int.self)
        }
    }

    /// Starts (or, with nil, cancels) handing a dependent over to the owner of `phone`.
    public func setHandover(_ dependent: UUID, to phone: PhoneNumber?) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE people SET handover_phone = \(bind: phone?.e164) WHERE id = \(bind: dependent.uuidString) AND account_id IS NULL").run()
        }
    }

    /// The account of `phone` accepts a handed-over dependent: the dependent becomes the account's own
    /// person. Anything already recorded for the account's earlier person record moves along. The personal
    /// QR is re-issued: the card the guardian printed (and may keep) must not check in the new owner.
    public func acceptHandover(_ dependent: UUID, account: Account, now: Int64) async throws -> Bool {
        try await engine.write { db in
            guard try await db.raw("""
                SELECT id FROM people WHERE id = \(bind: dependent.uuidString) AND handover_phone = \(bind: account.phone.e164)
                    AND account_id IS NULL AND merged_into IS NULL
                """).first() != nil else { return false }
            if let row = try await db.raw("SELECT id FROM people WHERE account_id = \(bind: account.id.uuidString)").first() {
                let earlier = UUID(uuidString: try row.decode(column: "id", as: String.self))!
                try await db.raw("UPDATE people SET account_id = NULL WHERE id = \(bind: earlier.uuidString)").run()
                try await Self.merge(earlier, into: dependent, db: db)
            }
            try await db.raw("""
                UPDATE people SET account_id = \(bind: account.id.uuidString), guardian_id = NULL, handover_phone = NULL, verified = 1, updated_at = \(bind: now),
                    token_version = token_version + 1, token_issued_at = \(bind: now)
                WHERE id = \(bind: dependent.uuidString)
                """).run()
            try await db.raw("""
                INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('phone', \(bind: account.phone.e164), \(bind: dependent.uuidString), \(bind: now))
                ON CONFLICT (kind, value) DO UPDATE SET person_id = excluded.person_id
                """).run()
            return true
        }
    }

    // MARK: Who saw this person's data

    public struct DataView: Sendable, Equatable {
        public let at: Int64
        public let viewerPhone: String?
        public let viewerName: String?
        public let placeName: String?
        public let reason: String
    }

    /// Every disclosure of a person's data (H7, trust rule 3), newest first, with who and where: each
    /// unmasked view (S4, with its reason), and each check-in, since a check-in shows the person's
    /// (masked) name and status to the place — the guard or kiosk that scanned it (reason
    /// `scan:KIND`, KIND `phone`/`cccd`/`bhyt` for typed numbers too) or, for a self check-in, the
    /// place's live view and history (`check_in`); and each time a health officer saw the person in full
    /// in a trace, a risk list or a place alert (`officer:tracing`, `officer:risk_list`, `officer:place_alert`).
    public func dataViews(of person: UUID, limit: Int = 200) async throws -> [DataView] {
        try await engine.read { db in
            try await db.raw("""
                SELECT * FROM (
                    SELECT v.at AS at, v.reason AS reason, a.phone AS phone, a.display_name AS display_name, p.name AS place_name FROM unmasked_views v
                    LEFT JOIN accounts a ON a.id = v.viewer_account_id LEFT JOIN places p ON p.id = v.place_id
                    WHERE v.person_id = \(bind: person.uuidString)
                    UNION ALL
                    SELECT c.scanned_at, CASE WHEN c.kind IN ('poster', 'guest') THEN 'check_in' ELSE 'scan:' || c.kind END,
                           a.phone, a.display_name, p.name FROM checkins c
                    LEFT JOIN accounts a ON a.id = c.scanned_by AND c.kind NOT IN ('poster', 'guest') LEFT JOIN places p ON p.id = c.place_id
                    WHERE c.person_id = \(bind: person.uuidString)
                    UNION ALL
                    SELECT o.at, 'officer:' || o.detail, a.phone, a.display_name, NULL FROM officer_audit o
                    LEFT JOIN accounts a ON a.id = o.account_id
                    WHERE o.subject = \(bind: person.uuidString) AND o.action = 'unmasked_view'
                ) disclosures ORDER BY at DESC LIMIT \(bind: limit)
                """).all().map { row in
                DataView(at: try row.decode(column: "at", as: Int64.self), viewerPhone: try row.decode(column: "phone", as: String?.self),
                         viewerName: try row.decode(column: "display_name", as: String?.self), placeName: try row.decode(column: "place_name", as: String?.self),
                         reason: try row.decode(column: "reason", as: String.self))
            }
        }
    }

    // MARK: History

    public struct HistoryItem: Sendable, Equatable {
        public let checkInId: UUID
        public let placeId: UUID
        public let placeName: String
        public let placeAddress: String
        public let direction: CheckInDirection
        public let kind: String
        public let scannedAt: Int64
        /// Whether a guard or kiosk scanned it (as opposed to the citizen's own tap).
        public let scannedByStaff: Bool
    }

    /// Every check-in of a person, newest first, keyset-paginated on (scanned_at, id).
    public func history(of person: UUID, before: (at: Int64, id: String)?, limit: Int) async throws -> [HistoryItem] {
        try await engine.read { db in
            var query = SQLQueryString("""
                SELECT c.id, c.place_id, p.name, p.address, c.direction, c.kind, c.scanned_at, c.device_id, c.scanned_by, pe.account_id
                FROM checkins c JOIN places p ON p.id = c.place_id JOIN people pe ON pe.id = c.person_id
                WHERE c.person_id = \(bind: person.uuidString)
                """)
            if let before { query.appendInterpolation(raw: " AND (c.scanned_at < "); query.appendInterpolation(bind: before.at)
                query.appendInterpolation(raw: " OR (c.scanned_at = "); query.appendInterpolation(bind: before.at)
                query.appendInterpolation(raw: " AND c.id < "); query.appendInterpolation(bind: before.id); query.appendInterpolation(raw: "))") }
            query.appendInterpolation(raw: " ORDER BY c.scanned_at DESC, c.id DESC LIMIT \(limit)")
            return try await db.raw(query).all().map { row in
                let kind = try row.decode(column: "kind", as: String.self)
                return HistoryItem(checkInId: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
                                   placeId: UUID(uuidString: try row.decode(column: "place_id", as: String.self))!,
                                   placeName: try row.decode(column: "name", as: String.self), placeAddress: try row.decode(column: "address", as: String.self),
                                   direction: CheckInDirection(rawValue: try row.decode(column: "direction", as: String.self)) ?? .in, kind: kind,
                                   scannedAt: try row.decode(column: "scanned_at", as: Int64.self),
                                   scannedByStaff: try row.decode(column: "device_id", as: String?.self) != nil || !["poster", "guest"].contains(kind))
            }
        }
    }
}
