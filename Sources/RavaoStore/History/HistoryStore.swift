import Foundation
import RavaoCore
import SQLKit

/// The append-only history of each place (S2) and the log of unmasked views of people (S4).
/// Nothing here updates or deletes a row.
public struct HistoryStore: Sendable {
    let engine: any DatabaseEngine
    public init(engine: any DatabaseEngine) { self.engine = engine }

    public struct Entry: Sendable, Equatable {
        public let id: UUID
        public let placeId: UUID
        public let at: Int64
        public let accountId: UUID?
        /// The account's phone, for display; nil for a kiosk or a deleted account.
        public let accountPhone: PhoneNumber?
        public let ip: String
        public let action: String
        /// `web` or `api`.
        public let via: String
        public let details: String
        public let placeName: String?
    }

    public func append(placeId: UUID, at: Int64, accountId: UUID?, ip: String, action: String, via: String, details: String) async throws {
        try await engine.write { db in
            try await db.raw("""
                INSERT INTO place_history (id, place_id, at, account_id, ip, action, via, details)
                VALUES (\(bind: TimeOrderedID.make().uuidString), \(bind: placeId.uuidString), \(bind: at), \(bind: accountId?.uuidString),
                    \(bind: String(ip.prefix(64))), \(bind: action), \(bind: via), \(bind: String(details.prefix(2000))))
                """).run()
        }
    }

    /// A key for "the entries after this one" in newest-first order.
    public struct Cursor: Sendable, Equatable {
        public let at: Int64
        public let id: String
        public init(at: Int64, id: String) { self.at = at; self.id = id }
    }

    static let select = """
        SELECT h.*, a.phone AS account_phone, p.name AS place_name FROM place_history h
        LEFT JOIN accounts a ON a.id = h.account_id LEFT JOIN places p ON p.id = h.place_id
        """

    /// A page of a place's history, newest first; `action` narrows it to one kind of entry.
    public func entries(placeId: UUID, action: String?, after cursor: Cursor?, limit: Int) async throws -> [Entry] {
        try await engine.read { db in
            var sql = SQLQueryString(Self.select) + " WHERE h.place_id = \(bind: placeId.uuidString)" as SQLQueryString
            if let action { sql += " AND h.action = \(bind: action)" as SQLQueryString }
            if let cursor { sql += " AND h.at <= \(bind: cursor.at) AND (h.at < \(bind: cursor.at) OR h.id < \(bind: cursor.id))" as SQLQueryString }
            sql += " ORDER BY h.at DESC, h.id DESC LIMIT \(bind: limit)" as SQLQueryString
            return try await db.raw(sql).all().map(Self.entry(from:))
        }
    }

    /// What one account did, at every place (S5 work history), newest first.
    public func entries(accountId: UUID, actions: [String]?, limit: Int) async throws -> [Entry] {
        try await engine.read { db in
            var sql = SQLQueryString(Self.select) + " WHERE h.account_id = \(bind: accountId.uuidString)" as SQLQueryString
            if let actions, !actions.isEmpty {
                sql += " AND h.action IN (" as SQLQueryString
                for (i, action) in actions.enumerated() { sql += (i == 0 ? "\(bind: action)" : ", \(bind: action)") as SQLQueryString }
                sql += ")"
            }
            sql += " ORDER BY h.at DESC, h.id DESC LIMIT \(bind: limit)" as SQLQueryString
            return try await db.raw(sql).all().map(Self.entry(from:))
        }
    }

    static func entry(from row: any SQLRow) throws -> Entry {
        Entry(id: UUID(uuidString: try row.decode(column: "id", as: String.self))!,
              placeId: UUID(uuidString: try row.decode(column: "place_id", as: String.self))!,
              at: try row.decode(column: "at", as: Int64.self),
              accountId: try row.decode(column: "account_id", as: String?.self).flatMap(UUID.init(uuidString:)),
              accountPhone: try row.decode(column: "account_phone", as: String?.self).flatMap(PhoneNumber.init),
              ip: try row.decode(column: "ip", as: String.self), action: try row.decode(column: "action", as: String.self),
              via: try row.decode(column: "via", as: String.self), details: try row.decode(column: "details", as: String.self),
              placeName: try row.decode(column: "place_name", as: String?.self))
    }

    // MARK: Unmasked views

    public struct UnmaskedView: Sendable, Equatable {
        public let viewerAccountId: UUID?
        public let personId: UUID
        public let placeId: UUID?
        public let reason: String
        public let at: Int64
        public init(viewerAccountId: UUID?, personId: UUID, placeId: UUID?, reason: String, at: Int64) {
            self.viewerAccountId = viewerAccountId; self.personId = personId; self.placeId = placeId; self.reason = reason; self.at = at
        }
    }

    /// Records views in one transaction, one row per person (a page showing a person twice is one view).
    public func recordUnmasked(_ views: [UnmaskedView]) async throws {
        guard !views.isEmpty else { return }
        try await engine.write { db in
            var seen = Set<UUID>()
            for chunk in views.filter({ seen.insert($0.personId).inserted }).chunked(200) {
                var sql = SQLQueryString("INSERT INTO unmasked_views (id, viewer_account_id, person_id, place_id, reason, at) VALUES ")
                for (i, v) in chunk.enumerated() {
                    if i > 0 { sql += ", " }
                    sql += "(\(bind: TimeOrderedID.make().uuidString), \(bind: v.viewerAccountId?.uuidString), \(bind: v.personId.uuidString), \(bind: v.placeId?.uuidString), \(bind: v.reason), \(bind: v.at))" as SQLQueryString
                }
                try await db.raw(sql).run()
            }
        }
    }

    /// Who saw a person's data unmasked, newest first: what the citizen's "who has seen my data" shows.
    public func unmaskedViews(personId: UUID, limit: Int = 200) async throws -> [UnmaskedView] {
        try await engine.read { db in
            try await db.raw("""
                SELECT * FROM unmasked_views WHERE person_id = \(bind: personId.uuidString) ORDER BY at DESC, id DESC LIMIT \(bind: limit)
                """).all().map { row in
                UnmaskedView(viewerAccountId: try row.decode(column: "viewer_account_id", as: String?.self).flatMap(UUID.init(uuidString:)),
                             personId: personId, placeId: try row.decode(column: "place_id", as: String?.self).flatMap(UUID.init(uuidString:)),
                             reason: try row.decode(column: "reason", as: String.self), at: try row.decode(column: "at", as: Int64.self))
            }
        }
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
