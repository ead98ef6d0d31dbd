import Foundation
import RavaoCore
import SQLKit

/// Merging a roster file into the stored roster (issue 18): a row that names someone already there
/// (same employee number, else phone, CCCD or BHYT) updates them, any other row is added, and nobody
/// is removed. Replacing is the other choice, and its preview names exactly who would be removed.
extension OrgStore {
    public struct RosterPlan: Sendable, Equatable {
        /// The stored entry each file row updates (absent: the row is new).
        public var matches: [Int: UUID] = [:]
        /// Rows whose numbers belong to two different people already on the roster.
        public var clashes: [Clash] = []
        /// Stored entries no row names: what `replace` would remove.
        public var unmatched: [Employee] = []
        public var added: Int { rowCount - matches.count }
        public var updated: Int { Set(matches.values).count }
        var rowCount = 0
        public init() {}
    }

    public func plan(org: UUID, rows: [RosterCSV.Row]) async throws -> RosterPlan {
        try await engine.read { db in try await Self.plan(org: org, rows: rows, db: db) }
    }

    static func plan(org: UUID, rows: [RosterCSV.Row], db: any SQLDatabase) async throws -> RosterPlan {
        let stored = try await db.raw("SELECT * FROM roster_entries WHERE org_id = \(bind: org.uuidString) ORDER BY full_name, id").all().map(Self.employee(from:))
        var index: [RosterCSV.Column: [String: Employee]] = [:]
        for e in stored {
            if !e.employeeNumber.isEmpty { index[.employeeNumber, default: [:]][e.employeeNumber.uppercased()] = e }
            if let phone = e.phone { index[.phone, default: [:]][phone.e164] = e }
            if let cccd = e.cccd { index[.cccd, default: [:]][cccd] = e }
            if let bhyt = e.bhyt { index[.bhyt, default: [:]][bhyt] = e }
        }
        var plan = RosterPlan()
        plan.rowCount = rows.count
        var claimed: [UUID: Int] = [:]
        for row in rows {
            let keys: [(RosterCSV.Column, String?)] = [(.employeeNumber, row.employeeNumber.isEmpty ? nil : row.employeeNumber.uppercased()),
                                                       (.phone, row.phone?.e164), (.cccd, row.cccd), (.bhyt, row.bhyt)]
            var found: Employee?
            for (column, key) in keys {
                guard let key, let holder = index[column]?[key] else { continue }
                if let first = found, first.id != holder.id {
                    // One row naming two stored people would merge them: refuse, naming the second.
                    plan.clashes.append(Clash(column: column, row: row.row, otherName: holder.fullName))
                } else {
                    found = holder
                }
            }
            guard let match = found else { continue }
            if let other = claimed[match.id], other != row.row {
                plan.clashes.append(Clash(column: .name, row: row.row, otherName: match.fullName))
                continue
            }
            claimed[match.id] = row.row
            plan.matches[row.row] = match.id
        }
        plan.unmatched = stored.filter { claimed[$0.id] == nil }
        return plan
    }

    /// Merges in ONE transaction: every row is stored or none (clashes refuse the whole file).
    public func mergeRoster(org: UUID, rows: [RosterCSV.Row], now: Int64) async throws -> Outcome<(added: Int, updated: Int)> {
        try await engine.write { db in
            let plan = try await Self.plan(org: org, rows: rows, db: db)
            if !plan.clashes.isEmpty { return .clashes(plan.clashes) }
            try await Self.rosterChanged(org: org.uuidString, db: db)
            var fresh: [RosterCSV.Row] = []
            for row in rows {
                guard let id = plan.matches[row.row] else { fresh.append(row); continue }
                try await db.raw("""
                    UPDATE roster_entries SET employee_number = \(bind: row.employeeNumber), full_name = \(bind: row.name),
                        phone = \(bind: row.phone?.e164), cccd = \(bind: row.cccd), bhyt = \(bind: row.bhyt),
                        department = \(bind: row.department), updated_at = \(bind: now)
                    WHERE id = \(bind: id.uuidString) AND org_id = \(bind: org.uuidString)
                    """).run()
            }
            for chunk in fresh.chunks(of: 200) {
                try await db.raw(CheckInWriter.values("""
                    INSERT INTO roster_entries (id, org_id, employee_number, full_name, phone, cccd, bhyt, department, created_at, updated_at) VALUES 
                    """, chunk) { r in
                    "(\(bind: UUID().uuidString), \(bind: org.uuidString), \(bind: r.employeeNumber), \(bind: r.name), \(bind: r.phone?.e164), \(bind: r.cccd), \(bind: r.bhyt), \(bind: r.department), \(bind: now), \(bind: now))"
                }).run()
            }
            return .saved((fresh.count, plan.updated))
        }
    }
}
