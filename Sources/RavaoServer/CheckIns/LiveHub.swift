import Foundation
import RavaoStore
import Synchronization

/// Wakes the live views of a place when check-ins for it commit, on this instance or (through
/// `InstanceEvents`) on another one.
///
/// It carries no data: a woken view reads the database, which is the same on every instance. Views
/// also re-read every few seconds, in case the channel between instances is down.
public final class LiveHub: Sendable {
    private let listeners = Mutex<[UUID: [UUID: AsyncStream<Void>.Continuation]]>([:])
    let events: InstanceEvents

    public init(events: InstanceEvents = .alone) { self.events = events }

    /// A stream that yields when the place has news; coalesces bursts into one wake-up.
    func listen(place: UUID) -> (id: UUID, stream: AsyncStream<Void>, continuation: AsyncStream<Void>.Continuation) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        listeners.withLock { $0[place, default: [:]][id] = continuation }
        return (id, stream, continuation)
    }

    func stopListening(place: UUID, id: UUID) {
        listeners.withLock { all in
            all[place]?.removeValue(forKey: id)
            if all[place]?.isEmpty == true { all.removeValue(forKey: place) }
        }
    }

    func publish(_ committed: [CheckInWriter.Committed]) {
        let places = Set(committed.map(\.placeId))
        wake(places)
        events.send(.checkedIn(Array(places)))
    }

    func wake<Places: Sequence<UUID>>(_ places: Places) {
        let woken = listeners.withLock { all in places.flatMap { all[$0].map { Array($0.values) } ?? [] } }
        for continuation in woken { continuation.yield() }
    }
}
