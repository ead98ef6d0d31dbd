import Foundation
import RavaoCore
import SQLKit

/// What an account may do, in one read: the menu and the page after sign-in follow it.
public struct RoleSummary: Sendable, Equatable {
    /// An active officer record (the unit may still need mapping; the officer pages say so).
    public var officer: Bool = false
    /// The officer's functions, comma-separated as stored (empty when not an officer).
    public var officerFunctions: Set<String> = []
    /// Live places where the account is owner or manager.
    public var managedPlaces: Int = 0
    /// Live places where the account holds any role (every role may scan at the door).
    public var scanPlaces: Int = 0
    /// The only place the account may scan at, when there is exactly one.
    public var onlyScanPlace: UUID?
    /// Companies the phone is a member of (owner, manager or board), and the first of them.
    public var orgs: Int = 0
    public var firstOrg: UUID?
    /// Invitations to a place waiting for this phone's code.
    public var pendingShares: Int = 0

    public init() {}

    public var isCitizenOnly: Bool { !officer && scanPlaces == 0 && orgs == 0 }
}

extension AccountStore {
    /// Roles of an account as of `now`: officer, place roles (expired shares left out), company
    /// memberships by phone, and pending invitations by phone.
    public func roleSummary(account: UUID, phone: PhoneNumber, now: Int64) async throws -> RoleSummary {
        try await engine.read { db in
            var summary = RoleSummary()
            let id = account.uuidString
            if let row = try await db.raw("SELECT functions FROM officers WHERE account_id = \(bind: id) AND revoked_at IS NULL").first() {
                summary.officer = true
                let text = (try? row.decode(column: "functions", as: String.self)) ?? ""
                summary.officerFunctions = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
            let places = try await db.raw("""
                SELECT r.place_id, r.role FROM place_roles r JOIN places p ON p.id = r.place_id
                WHERE r.account_id = \(bind: id) AND p.deleted_at IS NULL AND (r.expires_at IS NULL OR r.expires_at > \(bind: now))
                LIMIT 2000
                """).all()
            for row in places {
                summary.scanPlaces += 1
                let role = PlaceRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .controller
                if role.canEdit { summary.managedPlaces += 1 }
                summary.onlyScanPlace = UUID(uuidString: try row.decode(column: "place_id", as: String.self))
            }
            if summary.scanPlaces != 1 { summary.onlyScanPlace = nil }
            let orgs = try await db.raw("SELECT org_id FROM org_members WHERE phone = \(bind: phone.e164) ORDER BY created_at, org_id").all()
            summary.orgs = orgs.count
            summary.firstOrg = try orgs.first.flatMap { UUID(uuidString: try $0.decode(column: "org_id", as: String.self)) }
            summary.pendingShares = try await db.raw("""
                SELECT COUNT(*) AS n FROM place_shares WHERE phone = \(bind: phone.e164) AND status = 'pending' AND code_expires_at > \(bind: now)
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            return summary
        }
    }
}
