import Foundation
import RavaoCore
import RavaoStore
import Synchronization

/// Who may scan where, remembered for a few seconds so a busy gate does not read sessions, device
/// keys and roles from the database on every scan.
///
/// Sign-out, device revocation and place changes clear the entries at once on this instance and, through
/// `InstanceEvents` (PostgreSQL LISTEN/NOTIFY), within milliseconds on the others behind the same load
/// balancer; `ttlSeconds` bounds staleness should that channel be down.
public final class AccessCaches: Sendable {
    static let ttlSeconds = 10.0

    let sessions = TTLCache<String, AccountStore.LiveSession>(ttlSeconds: ttlSeconds)
    let devices = TTLCache<String, DeviceStore.Device>(ttlSeconds: ttlSeconds)
    let roles = TTLCache<RoleKey, PlaceAccess>(ttlSeconds: ttlSeconds)
    let places = TTLCache<UUID, Place>(ttlSeconds: ttlSeconds)

    struct RoleKey: Hashable, Sendable {
        let place: UUID
        let account: UUID
    }

    struct PlaceAccess: Sendable {
        let place: Place
        let role: PlaceRole
    }

    private let lastTouched = Mutex<[UUID: Int64]>([:])
    let events: InstanceEvents

    public init(events: InstanceEvents = .alone) { self.events = events }

    /// True at most once a minute per device.
    func shouldTouch(_ device: UUID, now: Int64) -> Bool {
        lastTouched.withLock { seen in
            if let last = seen[device], now - last < 60 { return false }
            seen[device] = now
            return true
        }
    }

    /// Forgets everything about places and roles, after any change to them, here and on other instances.
    func placesChanged() {
        forgetPlaces()
        events.send(.placesChanged)
    }

    /// After a device key is revoked or renamed.
    func devicesChanged() {
        devices.removeAll()
        events.send(.devicesChanged)
    }

    /// After a session ends (sign-out, found expired).
    func sessionEnded(_ tokenHash: String) {
        sessions.remove(tokenHash)
        events.send(.sessionEnded(tokenHash))
    }

    func forgetPlaces() {
        roles.removeAll()
        places.removeAll()
        devices.removeAll()
    }

    func forgetEverything() {
        forgetPlaces()
        sessions.removeAll()
    }
}
