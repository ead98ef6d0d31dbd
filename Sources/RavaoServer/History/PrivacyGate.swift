import Foundation
import RavaoCore
import RavaoStore

/// Applies S4 for the server: asks `Disclosure.decide` (the one rule) and logs every unmasked view.
struct PrivacyGate {
    let services: AppServices

    /// Hook for the officers' feature: the reason an authorised officer may see this place's people in
    /// full (e.g. "tracing case 123"), or nil. Nobody is an officer until that feature fills it in.
    func officerReason(account: Account?, place: Place) async throws -> String? { nil }

    func disclosure(place: Place, role: PlaceRole?, account: Account?) async throws -> Disclosure {
        Disclosure.decide(placePrivileged: place.isPrivileged, viewerRole: role,
                          officerReason: try await officerReason(account: account, place: place))
    }

    /// Writes one unmasked-view row per person shown in full; nothing when the view was masked.
    func logViews(_ people: [UUID], disclosure: Disclosure, viewer: UUID?, place: UUID?) async throws {
        guard case .full(let reason) = disclosure, !people.isEmpty else { return }
        let now = services.time.seconds()
        try await services.store.history.recordUnmasked(people.map {
            .init(viewerAccountId: viewer, personId: $0, placeId: place, reason: reason, at: now)
        })
    }

    /// For the scanning path: logged off the request so a gate is never slowed by the audit write.
    func logViewInBackground(_ person: UUID, disclosure: Disclosure, viewer: UUID?, place: UUID?) {
        guard disclosure.isFull else { return }
        let gate = self
        Task {
            do { try await gate.logViews([person], disclosure: disclosure, viewer: viewer, place: place) }
            catch { gate.services.logger.error("could not log an unmasked view", metadata: ["error": "\(error)"]) }
        }
    }
}
