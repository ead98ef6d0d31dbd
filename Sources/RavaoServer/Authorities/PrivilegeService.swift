import Foundation
import RavaoCore
import RavaoStore

/// Grants and revocations of full personal data (trust rule 2), for the API and the officers' page
/// alike: the store change, the officers' audit, the place's history and the access caches together.
struct PrivilegeService {
    let services: AppServices

    static let notEligible = AppError(.unprocessableContent, "not_eligible", en: "Only hospitals, clinics and quarantine checkpoints may see full personal data.",
                                      vi: "Chỉ bệnh viện, cơ sở y tế và chốt kiểm dịch mới được xem đầy đủ thông tin cá nhân.")

    /// Grants from now on; nothing changes while a grant is already in force.
    func grant(_ place: Place, note: String, by officer: OfficerAccess.Officer, audit: AuditSource) async throws {
        guard place.placeType.privileged else { throw Self.notEligible }
        let now = services.time.seconds()
        guard try await services.store.places.grantPrivilege(place.id, by: officer.account.id, note: note, now: now) else { return }
        try await services.store.officers.audit(account: officer.account.id, action: "privilege_grant", subjects: [place.id.uuidString], detail: note, now: now)
        await HistoryRecorder(services: services).record(place.id, .privilegeGranted, audit: audit, details: ["note": note])
        services.caches.placesChanged()
    }

    /// Ends the grant in force; false when there was none.
    func revoke(_ place: Place, by officer: OfficerAccess.Officer, audit: AuditSource) async throws -> Bool {
        let now = services.time.seconds()
        guard try await services.store.places.revokePrivilege(place.id, by: officer.account.id, now: now) else { return false }
        try await services.store.officers.audit(account: officer.account.id, action: "privilege_revoke", subjects: [place.id.uuidString], detail: "", now: now)
        await HistoryRecorder(services: services).record(place.id, .privilegeRevoked, audit: audit)
        services.caches.placesChanged()
        return true
    }
}
