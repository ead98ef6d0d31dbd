import Foundation
import RavaoCore
import SQLKit

/// Places, who holds which role at them, and requests to be added to someone else's place.
public struct PlaceStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public enum PlaceStoreError: Error, Equatable {
        case plateTaken
        case codeCollision
    }

    // MARK: Writing

    /// Inserts the place and makes `owner` its owner, in one transaction.
    public func create(_ place: Place, searchText: String, owner: UUID) async throws {
        try await engine.write { db in
            if let plate = place.plate,
               try await db.raw("SELECT id FROM places WHERE plate = \(bind: plate) AND deleted_at IS NULL").first() != nil {
                throw PlaceStoreError.plateTaken
            }
            try await db.raw("""
                INSERT INTO places (id, code, name, type, units_scheme, ward_code, district_code, province_code, address,
                    parent_id, plate, default_stay_minutes, registrant_name, registrant_phone, created_by, created_at,
                    updated_at, deleted_at, search_text)
                VALUES (\(bind: place.id.uuidString), \(bind: place.code), \(bind: place.name), \(bind: place.type),
                    \(bind: place.unitsScheme.rawValue), \(bind: place.wardCode), \(bind: place.districtCode),
                    \(bind: place.provinceCode), \(bind: place.address), \(bind: place.parentId?.uuidString),
                    \(bind: place.plate), \(bind: place.defaultStayMinutes), \(bind: place.registrantName),
                    \(bind: place.registrantPhone.e164), \(bind: place.createdBy.uuidString), \(bind: place.createdAt),
                    \(bind: place.updatedAt), NULL, \(bind: searchText))
                """).run()
            try await db.raw("""
                INSERT INTO place_roles (place_id, account_id, role, created_at)
                VALUES (\(bind: place.id.uuidString), \(bind: owner.uuidString), 'owner', \(bind: place.createdAt))
                """).run()
        }
    }

    /// Saves edited details; the code, creator and creation time never change here.
    public func update(_ place: Place, searchText: String) async throws {
        try await engine.write { db in
            if let plate = place.plate,
               try await db.raw("SELECT id FROM places WHERE plate = \(bind: plate) AND deleted_at IS NULL AND id <> \(bind: place.id.uuidString)").first() != nil {
                throw PlaceStoreError.plateTaken
            }
            let before = try await db.raw("SELECT default_stay_minutes FROM places WHERE id = \(bind: place.id.uuidString) AND deleted_at IS NULL").first()?
                .decode(column: "default_stay_minutes", as: Int.self)
            if let before, before != place.defaultStayMinutes {
                try await StayRollups.defaultStayChanged(place: place.id, seconds: Int64(place.defaultStayMinutes) * 60, db: db)
            }
            try await db.raw("""
                UPDATE places SET name = \(bind: place.name), type = \(bind: place.type), units_scheme = \(bind: place.unitsScheme.rawValue),
                    ward_code = \(bind: place.wardCode), district_code = \(bind: place.districtCode),
                    province_code = \(bind: place.provinceCode), address = \(bind: place.address),
                    parent_id = \(bind: place.parentId?.uuidString), plate = \(bind: place.plate),
                    default_stay_minutes = \(bind: place.defaultStayMinutes), registrant_name = \(bind: place.registrantName),
                    registrant_phone = \(bind: place.registrantPhone.e164), updated_at = \(bind: place.updatedAt),
                    search_text = \(bind: searchText)
                WHERE id = \(bind: place.id.uuidString) AND deleted_at IS NULL
                """).run()
        }
    }

    /// Soft delete: the place disappears from lists and its poster stops working, but its scans stay for tracing.
    public func softDelete(id: UUID, now: Int64) async throws {
        try await engine.write { db in
            try await db.raw("UPDATE places SET deleted_at = \(bind: now), updated_at = \(bind: now) WHERE id = \(bind: id.uuidString) AND deleted_at IS NULL").run()
        }
    }

    /// Gives the place a new code and remembers the old one, so an old poster says it was replaced.
    public func rotateCode(id: UUID, newCode: String, now: Int64) async throws {
        try await engine.write { db in
            guard let old = try await db.raw("SELECT code FROM places WHERE id = \(bind: id.uuidString)").first()?.decode(column: "code", as: String.self) else { return }
            try await db.raw("INSERT INTO retired_place_codes (code, place_id, retired_at) VALUES (\(bind: old), \(bind: id.uuidString), \(bind: now))").run()
            try await db.raw("UPDATE places SET code = \(bind: newCode), updated_at = \(bind: now) WHERE id = \(bind: id.uuidString)").run()
        }
    }

    // MARK: Reading

    public func place(id: UUID) async throws -> Place? {
        try await engine.read { db in
            try await db.raw("SELECT * FROM places WHERE id = \(bind: id.uuidString)").first().map(Self.place(from:))
        }
    }

    public enum CodeLookup: Sendable {
        case live(Place)
        case retired(Place)
        case deleted(Place)
        case unknown
    }

    /// What a scanned poster code points at.
    public func lookup(code: String) async throws -> CodeLookup {
        try await engine.read { db in
            if let row = try await db.raw("SELECT * FROM places WHERE code = \(bind: code)").first() {
                let place = try Self.place(from: row)
                return place.deletedAt == nil ? .live(place) : .deleted(place)
            }
            if let row = try await db.raw("SELECT p.* FROM retired_place_codes r JOIN places p ON p.id = r.place_id WHERE r.code = \(bind: code)").first() {
                return .retired(try Self.place(from: row))
            }
            return .unknown
        }
    }

    /// The account's role at the place as of `now`; a shared role ends at its expiry.
    public func role(of account: UUID, at place: UUID, now: Int64) async throws -> PlaceRole? {
        try await engine.read { db in
            try await db.raw("""
                SELECT role FROM place_roles WHERE place_id = \(bind: place.uuidString) AND account_id = \(bind: account.uuidString)
                    AND (expires_at IS NULL OR expires_at > \(bind: now))
                """).first().flatMap { PlaceRole(rawValue: try $0.decode(column: "role", as: String.self)) }
        }
    }

    /// When the account's role at the place ends (nil: it does not, or there is none).
    public func roleExpiry(of account: UUID, at place: UUID) async throws -> Int64? {
        try await engine.read { db in
            try await db.raw("""
                SELECT expires_at FROM place_roles WHERE place_id = \(bind: place.uuidString) AND account_id = \(bind: account.uuidString)
                """).first()?.decode(column: "expires_at", as: Int64?.self) ?? nil
        }
    }

    public struct Filter: Sendable {
        public var query: String?
        public var type: String?
        public var provinceCode: String?
        public var districtCode: String?
        public var wardCode: String?
        public var limit: Int
        public var offset: Int
        /// Roles that expired before this time are left out.
        public var now: Int64
        public init(query: String? = nil, type: String? = nil, provinceCode: String? = nil, districtCode: String? = nil,
                    wardCode: String? = nil, limit: Int = 50, offset: Int = 0, now: Int64) {
            self.query = query; self.type = type; self.provinceCode = provinceCode; self.districtCode = districtCode
            self.wardCode = wardCode; self.limit = limit; self.offset = offset; self.now = now
        }
    }

    public struct Listed: Sendable {
        public let place: Place
        public let role: PlaceRole
    }

    /// "My places": every live place where the account holds a role, filtered and searched.
    ///
    /// Each word of the query must match the place's folded text (name, address, units, type,
    /// registrant, plate) or the phone of one of its owners.
    public func places(of account: UUID, filter: Filter) async throws -> (items: [Listed], total: Int) {
        try await engine.read { db in
            var conditions = SQLQueryString("r.account_id = \(bind: account.uuidString) AND p.deleted_at IS NULL AND (r.expires_at IS NULL OR r.expires_at > \(bind: filter.now))")
            if let type = filter.type { conditions += " AND p.type = \(bind: type)" as SQLQueryString }
            if let code = filter.provinceCode { conditions += " AND p.province_code = \(bind: code)" as SQLQueryString }
            if let code = filter.districtCode { conditions += " AND p.district_code = \(bind: code)" as SQLQueryString }
            if let code = filter.wardCode { conditions += " AND p.ward_code = \(bind: code)" as SQLQueryString }
            for term in TextFolding.terms(filter.query ?? "").prefix(8) {
                let pattern = "%" + Self.escapeLike(term) + "%"
                let phonePattern = "%" + Self.escapeLike(Self.phoneFragment(term)) + "%"
                conditions += """
                     AND (p.search_text LIKE \(bind: pattern) ESCAPE '\\' OR EXISTS (
                        SELECT 1 FROM place_roles o JOIN accounts a ON a.id = o.account_id
                        WHERE o.place_id = p.id AND o.role = 'owner' AND a.phone LIKE \(bind: phonePattern) ESCAPE '\\'))
                    """ as SQLQueryString
            }
            let from = SQLQueryString("FROM places p JOIN place_roles r ON r.place_id = p.id WHERE ") + conditions
            let total = try await db.raw(SQLQueryString("SELECT COUNT(*) AS n ") + from).first()!.decode(column: "n", as: Int.self)
            let rows = try await db.raw(SQLQueryString("SELECT p.*, r.role AS my_role ") + from
                + SQLQueryString(" ORDER BY p.created_at DESC, p.id LIMIT \(bind: filter.limit) OFFSET \(bind: filter.offset)")).all()
            let items = try rows.map { row in
                Listed(place: try Self.place(from: row), role: PlaceRole(rawValue: try row.decode(column: "my_role", as: String.self)) ?? .controller)
            }
            return (items, total)
        }
    }

    /// Places directly inside a place (workshops of a company, gates of a park).
    public func children(of parent: UUID) async throws -> [Place] {
        try await engine.read { db in
            try await db.raw("SELECT * FROM places WHERE parent_id = \(bind: parent.uuidString) AND deleted_at IS NULL ORDER BY name").all().map(Self.place(from:))
        }
    }

    /// Whether `target` is `start` or one of its ancestors; a place may not get a parent whose
    /// ancestry contains the place itself.
    public func ancestry(of start: UUID, contains target: UUID) async throws -> Bool {
        var current: UUID? = start
        var steps = 0
        while let id = current, steps < 64 {
            if id == target { return true }
            current = try await place(id: id)?.parentId
            steps += 1
        }
        return false
    }

    // MARK: Access requests

    public struct AccessRequest: Sendable, Codable {
        public let id: UUID
        public let placeId: UUID
        public let accountId: UUID
        public let phone: String
        public let status: String
        public let createdAt: Int64
    }

    /// Records a pending request; asking twice keeps one request.
    public func requestAccess(placeId: UUID, accountId: UUID, now: Int64) async throws -> AccessRequest {
        try await engine.write { db in
            if let row = try await db.raw("""
                SELECT r.*, a.phone FROM place_access_requests r JOIN accounts a ON a.id = r.account_id
                WHERE r.place_id = \(bind: placeId.uuidString) AND r.account_id = \(bind: accountId.uuidString) AND r.status = 'pending'
                """).first() {
                return try Self.request(from: row)
            }
            let id = UUID()
            try await db.raw("""
                INSERT INTO place_access_requests (id, place_id, account_id, status, created_at)
                VALUES (\(bind: id.uuidString), \(bind: placeId.uuidString), \(bind: accountId.uuidString), 'pending', \(bind: now))
                """).run()
            let row = try await db.raw("SELECT r.*, a.phone FROM place_access_requests r JOIN accounts a ON a.id = r.account_id WHERE r.id = \(bind: id.uuidString)").first()!
            return try Self.request(from: row)
        }
    }

    public func pendingRequests(placeId: UUID) async throws -> [AccessRequest] {
        try await engine.read { db in
            try await db.raw("""
                SELECT r.*, a.phone FROM place_access_requests r JOIN accounts a ON a.id = r.account_id
                WHERE r.place_id = \(bind: placeId.uuidString) AND r.status = 'pending' ORDER BY r.created_at
                """).all().map(Self.request(from:))
        }
    }

    public func accessRequest(id: UUID) async throws -> AccessRequest? {
        try await engine.read { db in
            try await db.raw("SELECT r.*, a.phone FROM place_access_requests r JOIN accounts a ON a.id = r.account_id WHERE r.id = \(bind: id.uuidString)").first().map(Self.request(from:))
        }
    }

    /// Accepts (granting `role`) or declines a pending request; false if it was no longer pending.
    public func decide(requestId: UUID, accept: Bool, role: PlaceRole, by decider: UUID, now: Int64) async throws -> Bool {
        try await engine.write { db in
            guard let row = try await db.raw("""
                UPDATE place_access_requests SET status = \(bind: accept ? "accepted" : "declined"), decided_at = \(bind: now), decided_by = \(bind: decider.uuidString)
                WHERE id = \(bind: requestId.uuidString) AND status = 'pending' RETURNING place_id, account_id
                """).first() else { return false }
            if accept {
                let placeId = try row.decode(column: "place_id", as: String.self)
                let accountId = try row.decode(column: "account_id", as: String.self)
                try await db.raw("""
                    INSERT INTO place_roles (place_id, account_id, role, created_at) VALUES (\(bind: placeId), \(bind: accountId), \(bind: role.rawValue), \(bind: now))
                    ON CONFLICT (place_id, account_id) DO UPDATE SET role = excluded.role
                    """).run()
            }
            return true
        }
    }

    // MARK: Rows

    static func place(from row: any SQLRow) throws -> Place {
        guard let id = UUID(uuidString: try row.decode(column: "id", as: String.self)),
              let createdBy = UUID(uuidString: try row.decode(column: "created_by", as: String.self)),
              let phone = PhoneNumber(try row.decode(column: "registrant_phone", as: String.self)) else {
            throw DatabaseError.corruptRow("place")
        }
        return Place(
            id: id, code: try row.decode(column: "code", as: String.self),
            name: try row.decode(column: "name", as: String.self), type: try row.decode(column: "type", as: String.self),
            unitsScheme: UnitScheme(rawValue: try row.decode(column: "units_scheme", as: String.self)) ?? .y2025,
            wardCode: try row.decode(column: "ward_code", as: String.self),
            districtCode: try row.decode(column: "district_code", as: String?.self),
            provinceCode: try row.decode(column: "province_code", as: String.self),
            address: try row.decode(column: "address", as: String.self),
            parentId: try row.decode(column: "parent_id", as: String?.self).flatMap(UUID.init(uuidString:)),
            plate: try row.decode(column: "plate", as: String?.self),
            defaultStayMinutes: try row.decode(column: "default_stay_minutes", as: Int.self),
            registrantName: try row.decode(column: "registrant_name", as: String.self),
            registrantPhone: phone, createdBy: createdBy,
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            updatedAt: try row.decode(column: "updated_at", as: Int64.self),
            deletedAt: try row.decode(column: "deleted_at", as: Int64?.self),
            // A query that does not read the grant fails closed: masked.
            privilegedSince: (try? row.decode(column: "privileged_since", as: Int64?.self)) ?? nil)
    }

    // MARK: Privilege grants (trust rule 2)

    public struct Grant: Sendable, Equatable {
        public let id: UUID
        public let placeId: UUID
        public let grantedBy: UUID
        public let grantedAt: Int64
        public let note: String
        public let revokedAt: Int64?
        public let revokedBy: UUID?
    }

    /// A health officer lets the place's staff see full personal data from `now` on. Granting again
    /// while a grant is in force changes nothing (its start stays).
    public func grantPrivilege(_ placeId: UUID, by officer: UUID, note: String, now: Int64) async throws -> Bool {
        try await engine.write { db in
            guard try await db.raw("""
                UPDATE places SET privileged_since = \(bind: now) WHERE id = \(bind: placeId.uuidString) AND privileged_since IS NULL RETURNING id
                """).first() != nil else { return false }
            try await db.raw("""
                INSERT INTO privilege_grants (id, place_id, granted_by, granted_at, note)
                VALUES (\(bind: TimeOrderedID.make().uuidString), \(bind: placeId.uuidString), \(bind: officer.uuidString), \(bind: now), \(bind: note))
                """).run()
            return true
        }
    }

    /// Ends the grant in force; false when there was none.
    public func revokePrivilege(_ placeId: UUID, by officer: UUID, now: Int64) async throws -> Bool {
        try await engine.write { db in
            guard try await db.raw("""
                UPDATE places SET privileged_since = NULL WHERE id = \(bind: placeId.uuidString) AND privileged_since IS NOT NULL RETURNING id
                """).first() != nil else { return false }
            try await db.raw("""
                UPDATE privilege_grants SET revoked_at = \(bind: now), revoked_by = \(bind: officer.uuidString)
                WHERE place_id = \(bind: placeId.uuidString) AND revoked_at IS NULL
                """).run()
            return true
        }
    }

    /// Every grant of a place, newest first: who granted, when, and who ended it.
    public func grants(of placeId: UUID) async throws -> [Grant] {
        try await engine.read { db in
            try await db.raw("SELECT * FROM privilege_grants WHERE place_id = \(bind: placeId.uuidString) ORDER BY granted_at DESC").all().map { row in
                Grant(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!, placeId: placeId,
                      grantedBy: UUID(uuidString: try row.decode(column: "granted_by", as: String.self))!,
                      grantedAt: try row.decode(column: "granted_at", as: Int64.self), note: try row.decode(column: "note", as: String.self),
                      revokedAt: try row.decode(column: "revoked_at", as: Int64?.self),
                      revokedBy: try row.decode(column: "revoked_by", as: String?.self).flatMap(UUID.init(uuidString:)))
            }
        }
    }

    static func request(from row: any SQLRow) throws -> AccessRequest {
        AccessRequest(
            id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
            placeId: UUID(uuidString: try row.decode(column: "place_id", as: String.self))!,
            accountId: UUID(uuidString: try row.decode(column: "account_id", as: String.self))!,
            phone: try row.decode(column: "phone", as: String.self),
            status: try row.decode(column: "status", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// A typed phone fragment in stored form: "0912" is searched as "+84912".
    static func phoneFragment(_ term: String) -> String {
        term.hasPrefix("0") && term.allSatisfy(\.isNumber) ? "+84" + term.dropFirst() : term
    }
}

/// Bundles the stores over one engine.
public struct Store: Sendable {
    public let engine: any DatabaseEngine
    /// Where dashboards, risk lists, tracing and scan history read: a `ReplicaEngine` when the operator
    /// gave `--read-database`, else `engine`. Their answers may then be up to `--read-max-lag` old.
    public let heavyReads: any DatabaseEngine
    public let settings: SettingsStore
    public let units: UnitStore
    public let accounts: AccountStore
    public let places: PlaceStore
    public let checkIns: CheckInStore
    public let devices: DeviceStore
    public let rateLimits: RateLimitStore
    public let people: PeopleStore
    public let health: HealthStore
    public let retention: RetentionStore
    public let cases: CaseStore
    /// The process's memory of coverage answers, shared by every `orgs` store of this engine.
    public let coverageMemo = CoverageMemo()
    /// Applies queued check-ins to the rollups and stays (see `CheckInProjector`).
    public let projector: CheckInProjector
    /// `heavyReads`, caught up with the projector before each read: for the stores that read the rollups and stays.
    var projectedReads: ProjectedReads { ProjectedReads(heavyReads, projector: projector) }

    public init(engine: any DatabaseEngine, heavyReads: (any DatabaseEngine)? = nil) {
        self.engine = engine
        self.heavyReads = heavyReads ?? engine
        settings = SettingsStore(engine: engine)
        units = UnitStore(engine: engine)
        accounts = AccountStore(engine: engine)
        places = PlaceStore(engine: engine)
        checkIns = CheckInStore(engine: engine)
        devices = DeviceStore(engine: engine)
        rateLimits = RateLimitStore(engine: engine)
        people = PeopleStore(engine: engine)
        health = HealthStore(engine: engine)
        retention = RetentionStore(engine: engine)
        cases = CaseStore(engine: engine)
        projector = CheckInProjector(engine: engine)
    }
}
