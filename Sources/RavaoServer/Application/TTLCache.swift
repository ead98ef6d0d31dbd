import Dispatch
import Synchronization

/// A small in-memory cache whose entries expire after a fixed time.
///
/// It keeps database reads off the scan path (sessions, device keys, place roles). Changes made on this
/// instance clear the affected entries at once; changes made on another instance are seen within `ttl`.
final class TTLCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        let value: Value
        let expiresAt: UInt64
    }

    private let entries = Mutex<[Key: Entry]>([:])
    private let ttlNanoseconds: UInt64
    private let capacity: Int

    init(ttlSeconds: Double, capacity: Int = 10_000) {
        ttlNanoseconds = UInt64(ttlSeconds * 1e9)
        self.capacity = capacity
    }

    /// The cached value, or `load()`'s answer, which is remembered unless it is nil (misses are not
    /// cached, so a key created a moment ago works at once).
    func value(_ key: Key, load: () async throws -> Value?) async throws -> Value? {
        let now = DispatchTime.now().uptimeNanoseconds
        if let hit = entries.withLock({ $0[key] }), hit.expiresAt > now { return hit.value }
        guard let loaded = try await load() else { return nil }
        put(key, loaded, at: now)
        return loaded
    }

    /// Remembers `value` for `key`, in place of what was remembered.
    func put(_ key: Key, _ value: Value, at now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        entries.withLock { entries in
            // Beyond capacity start afresh: simpler than LRU and bounded; the next requests reload.
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, expiresAt: now + ttlNanoseconds)
        }
    }

    func remove(_ key: Key) { _ = entries.withLock { $0.removeValue(forKey: key) } }
    func removeAll() { entries.withLock { $0.removeAll() } }
}
