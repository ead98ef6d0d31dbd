import Foundation
import Hummingbird
import RavaoCore
import RavaoStore
import ServiceLifecycle
import Synchronization

/// The live view of a place (C6): entries and exits as they happen, with today's counts.
///
/// `GET /api/v1/places/{id}/live` answers one snapshot; `GET /places/{id}/live/events` streams a
/// snapshot as a server-sent event whenever check-ins for the place commit (and every few seconds,
/// so scans written by other instances show up too). Owners and managers only: entry controllers see
/// only the results of their own scans.
struct LivePages {
    let services: AppServices

    static let recentLimit = 20
    /// Wake-ups closer than this are merged, so a gate at full speed costs one query a second per viewer.
    static let minimumInterval = Duration.milliseconds(700)
    static let pollInterval = Duration.seconds(5)
    /// Browsers reconnect an event stream by themselves; ending it now and then re-checks the viewer's access.
    static let streamLifetime = Duration.seconds(600)

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("api/v1/places/:id/live", use: snapshot)
        router.get("places/:id/live/events", use: events)
    }

    struct Entry: Encodable, Sendable {
        let id: String
        let name: String
        let direction: String
        let kind: String
        let scannedAt: String
        let time: String
    }

    struct Snapshot: Encodable, Sendable {
        let counts: DayCounts
        let recent: [Entry]
    }

    /// How often an open stream re-reads whether its viewer may still watch.
    static let accessRecheck = Duration.seconds(2)

    func stillAllowed(place: UUID, viewer: UUID?, tokenHash: String?) async throws -> Bool {
        guard let viewer, let tokenHash else { return false }
        let now = services.time.seconds()
        guard try await services.store.accounts.liveSession(tokenHash: tokenHash, now: now) != nil,
              let role = try await services.store.places.role(of: viewer, at: place, now: now) else { return false }
        return role >= .manager
    }

    func viewablePlace(_ context: AppRequestContext) async throws -> Place {
        let account = try context.requireAccount()
        return try await PlaceService(services: services).placeWithRole(try context.uuidParameter("id"), account: account, needs: { $0 >= .manager }).0
    }

    /// People already logged as seen unmasked by one viewer (one stream), so a live view logs each person once.
    final class SeenPeople: Sendable {
        private let seen = Mutex<Set<UUID>>([])
        func fresh(_ people: [UUID]) -> [UUID] { seen.withLock { set in people.filter { set.insert($0).inserted } } }
    }

    func makeSnapshot(_ place: Place, viewer: UUID? = nil, seen: SeenPeople? = nil) async throws -> Snapshot {
        let now = services.time.seconds()
        let dayStart = LocalTime.startOfDay(containing: now)
        let data = try await services.store.checkIns.liveSnapshot(placeId: place.id, dayStart: dayStart, recentLimit: Self.recentLimit)
        // Only owners and managers reach the live view; the one rule decides what they see.
        let disclosure = Disclosure.decide(placePrivileged: place.isPrivileged, viewerRole: .manager)
        let counts = DayCounts.compute(data.today, dayStart: dayStart, now: now, defaultStaySeconds: Int64(place.defaultStayMinutes) * 60)
        let recent = data.recent.map { c in
            // A grant never unmasks scans taken before it (trust rule 2).
            Entry(id: c.id.uuidString, name: (place.isPrivileged(at: c.scannedAt) ? disclosure : .masked).name(c.fullName), direction: c.direction.rawValue, kind: c.kind,
                  scannedAt: ISOTime.string(c.scannedAt), time: LocalTime.format(c.scannedAt, withDate: c.scannedAt < dayStart))
        }
        if disclosure.isFull, let seen {
            try await PrivacyGate(services: services).logViews(seen.fresh(data.recent.filter { place.isPrivileged(at: $0.scannedAt) }.map(\.personId)),
                                                               disclosure: disclosure, viewer: viewer, place: place.id)
        }
        return Snapshot(counts: counts, recent: recent)
    }

    @Sendable func snapshot(_ request: Request, context: AppRequestContext) async throws -> JSONResponse<Snapshot> {
        JSONResponse(try await makeSnapshot(try await viewablePlace(context), viewer: context.identity?.account.id, seen: SeenPeople()))
    }

    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        let place = try await viewablePlace(context)
        let services = self.services
        let hub = services.live
        let me = self
        let viewer = context.identity?.account.id
        let tokenHash = context.identity?.tokenHash
        let seen = SeenPeople()
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store", .init("X-Accel-Buffering")!: "no"],
                        body: .init { writer in
            let listener = hub.listen(place: place.id)
            let ticker = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.pollInterval)
                    listener.continuation.yield()
                }
            }
            defer {
                ticker.cancel()
                hub.stopListening(place: place.id, id: listener.id)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let started = ContinuousClock.now
            try await writer.write(ByteBuffer(string: "retry: 3000\n\n"))
            var wake = listener.stream.makeAsyncIterator()
            // On shutdown the stream ends at once instead of holding the server open.
            try await withGracefulShutdownHandler {
                var checkedAt = ContinuousClock.now
                while true {
                    // Trust rule 6: an open stream ends within seconds of the role's removal, expiry or
                    // sign-out, read from the database (not the per-instance caches).
                    if ContinuousClock.now - checkedAt >= Self.accessRecheck {
                        checkedAt = ContinuousClock.now
                        guard try await me.stillAllowed(place: place.id, viewer: viewer, tokenHash: tokenHash) else {
                            try await writer.write(ByteBuffer(string: "event: revoked\ndata: {}\n\n"))
                            break
                        }
                    }
                    let data = try encoder.encode(try await me.makeSnapshot(place, viewer: viewer, seen: seen))
                    try await writer.write(ByteBuffer(string: "event: snapshot\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                    if ContinuousClock.now - started > Self.streamLifetime { break }
                    try await Task.sleep(for: Self.minimumInterval)
                    guard await wake.next() != nil else { break }
                }
            } onGracefulShutdown: {
                listener.continuation.finish()
            }
            try await writer.finish(nil)
        })
    }
}
