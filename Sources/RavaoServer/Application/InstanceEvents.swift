import Foundation
import Logging
import RavaoStore
import ServiceLifecycle
import Synchronization

/// What one instance tells the others behind the same load balancer (issue 19, trust rule 6): a cache
/// entry that must go now, or news for a live view. It carries no personal data, only which entries.
enum InstanceEvent: Equatable, Sendable {
    /// Places, roles or device keys changed: every role and place entry goes.
    case placesChanged
    /// A device key was revoked or renamed.
    case devicesChanged
    /// A session ended (sign-out, expiry): its token hash.
    case sessionEnded(String)
    /// A person's health facts changed.
    case personChanged(UUID)
    /// A zone was declared or lifted: every status may change.
    case zonesChanged
    /// Check-ins committed for these places.
    case checkedIn([UUID])
    /// Anything may have changed (a sender's backlog overflowed): every cache entry goes.
    case everythingChanged

    /// One line: a letter, then the argument. Unknown or malformed lines decode to nil and are ignored.
    var encoded: String {
        switch self {
        case .placesChanged: "P"
        case .devicesChanged: "D"
        case .sessionEnded(let hash): "S" + hash
        case .personChanged(let id): "H" + id.uuidString
        case .zonesChanged: "Z"
        case .checkedIn(let places): "L" + places.map(\.uuidString).joined(separator: ",")
        case .everythingChanged: "A"
        }
    }

    init?(encoded text: Substring) {
        guard let letter = text.first else { return nil }
        let rest = text.dropFirst()
        switch letter {
        case "P": self = .placesChanged
        case "D": self = .devicesChanged
        case "S" where !rest.isEmpty: self = .sessionEnded(String(rest))
        case "H": guard let id = UUID(uuidString: String(rest)) else { return nil }; self = .personChanged(id)
        case "Z": self = .zonesChanged
        case "A": self = .everythingChanged
        case "L":
            let places = rest.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
            guard !places.isEmpty else { return nil }
            self = .checkedIn(places)
        default: return nil
        }
    }
}

/// Carries `InstanceEvent`s between instances through PostgreSQL's LISTEN/NOTIFY.
///
/// Every change is applied on its own instance at once by the caller; `send` only queues it for the
/// others, off the request's path. A batch of queued events goes out as few NOTIFYs as fit. Whenever
/// the listening connection is lost the instance may have missed news, so it forgets every cache entry
/// and reconnects; the caches' own time-outs bound staleness even then. On SQLite (one process) there
/// is nobody to tell and `send` does nothing.
public final class InstanceEvents: Sendable {
    /// Tells apart this instance's own notifications, which PostgreSQL delivers back to it too.
    let origin = String(UUID().uuidString.prefix(8))
    /// Events waiting to go out, and a wake-up for the sender (one pending wake-up is enough).
    private let pending = Mutex<[InstanceEvent]>([])
    private let wake: AsyncStream<Void>.Continuation?
    private let wakes: AsyncStream<Void>?
    private let handler = Mutex<(@Sendable (InstanceEvent) -> Void)?>(nil)
    private let connected = Mutex(false)
    let engine: PostgresEngine?
    /// Set by the listener: 1 while this instance hears the others (`ravao_instance_channel_up`).
    private let channelGauge = Mutex<(@Sendable (Bool) -> Void)?>(nil)
    /// Events that could not be sent (`ravao_instance_events_failed_total`).
    private let failureCounter = Mutex<(@Sendable (Int) -> Void)?>(nil)

    /// The largest NOTIFY payload we build (PostgreSQL's limit is 8,000 bytes).
    static let payloadLimit = 7_000

    public init(engine: (any DatabaseEngine)?) {
        self.engine = engine as? PostgresEngine
        if self.engine != nil {
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            wakes = stream
            wake = continuation
        } else {
            wakes = nil
            wake = nil
        }
    }

    /// An instance alone (SQLite, tests of one instance).
    public static var alone: InstanceEvents { InstanceEvents(engine: nil) }

    /// What to do with another instance's event (set once, by `buildApplication`).
    func onRemote(_ apply: @escaping @Sendable (InstanceEvent) -> Void) { handler.withLock { $0 = apply } }

    /// Queues `event` for the other instances.
    func send(_ event: InstanceEvent) {
        guard let wake else { return }
        pending.withLock { queue in
            // A backlog this long means the database is unreachable: telling the others to forget
            // everything is always correct and stays small.
            if queue.count >= 20_000 { queue = [.everythingChanged] }
            queue.append(event)
        }
        wake.yield()
    }

    /// Where the channel's state and failures are reported (Prometheus, from `buildApplication`).
    func report(channelUp: @escaping @Sendable (Bool) -> Void, failed: @escaping @Sendable (Int) -> Void) {
        channelGauge.withLock { $0 = channelUp }
        failureCounter.withLock { $0 = failed }
    }

    private func setConnected(_ up: Bool) -> Bool {
        let was = connected.withLock { let was = $0; $0 = up; return was }
        channelGauge.withLock { $0 }?(up)
        return was
    }

    /// Groups events into NOTIFY payloads: "origin|line\nline…", each under the payload limit.
    static func payloads(_ events: [InstanceEvent], origin: String) -> [String] {
        var lines: [String] = []
        var seen = Set<String>()
        // The commits of a burst name the same few places over and over: one list, each place once,
        // split so every line fits a payload by itself.
        var woken: [UUID] = []
        var wokenSet = Set<UUID>()
        for event in events {
            if case .checkedIn(let places) = event {
                for place in places where wokenSet.insert(place).inserted { woken.append(place) }
            } else {
                let line = event.encoded
                if seen.insert(line).inserted { lines.append(line) }
            }
        }
        for start in stride(from: 0, to: woken.count, by: 150) {
            lines.append(InstanceEvent.checkedIn(Array(woken[start..<min(start + 150, woken.count)])).encoded)
        }
        var payloads: [String] = []
        var current = origin + "|"
        for line in lines {
            if current.utf8.count + line.utf8.count + 1 > payloadLimit, current != origin + "|" {
                payloads.append(current)
                current = origin + "|"
            }
            current += (current == origin + "|" ? "" : "\n") + line
        }
        if current != origin + "|" { payloads.append(current) }
        return payloads
    }

    /// The events of a payload that another instance sent; nil for our own.
    static func decode(_ payload: String, ownOrigin: String) -> [InstanceEvent]? {
        guard let bar = payload.firstIndex(of: "|") else { return [] }
        if payload[..<bar] == ownOrigin { return nil }
        return payload[payload.index(after: bar)...].split(separator: "\n").compactMap(InstanceEvent.init(encoded:))
    }

    func deliver(_ payload: String) {
        guard let events = Self.decode(payload, ownOrigin: origin) else { return }
        guard let apply = handler.withLock({ $0 }) else { return }
        for event in events { apply(event) }
    }

    /// Sends queued events until cancelled; a burst (a busy gate's commits) goes out as one payload.
    func runSender(logger: Logger) async {
        guard let engine, let wakes else { return }
        for await _ in wakes {
            // Let the burst gather: live views wake within a second anyway, and one NOTIFY per 20 ms
            // keeps a scan rush from costing a round trip per commit.
            try? await Task.sleep(for: .milliseconds(20))
            let batch = pending.withLock { queue in defer { queue.removeAll(keepingCapacity: true) }; return queue }
            guard !batch.isEmpty else { continue }
            do {
                try await engine.notify(Self.payloads(batch, origin: origin))
            } catch {
                failureCounter.withLock { $0 }?(batch.count)
                logger.warning("could not tell other instances about changes", metadata: ["error": "\(error)", "events": "\(batch.count)"])
            }
        }
    }

    /// Listens until cancelled, reconnecting after failures; `lost` runs whenever news may have been missed.
    func runListener(logger: Logger, lost: @escaping @Sendable () -> Void) async {
        guard let engine else { return }
        var delay = 0.5
        while !Task.isCancelled {
            do {
                try await engine.listen(ready: { [weak self] in
                    _ = self?.setConnected(true)
                    logger.debug("listening for other instances", metadata: ["channel": "\(engine.eventChannel)"])
                }, onMessage: { [weak self] payload in self?.deliver(payload) })
            } catch {
                if Task.isCancelled { break }
                logger.warning("lost the channel to other instances; reconnecting", metadata: ["error": "\(error)"])
            }
            if setConnected(false) {
                lost()
                delay = 0.5
            }
            try? await Task.sleep(for: .seconds(delay))
            delay = min(delay * 2, 10)
        }
        _ = setConnected(false)
    }
}

/// Runs the sender and the listener for the server's lifetime.
struct InstanceEventsService: Service {
    let events: InstanceEvents
    let logger: Logger
    let lost: @Sendable () -> Void

    func run() async throws {
        // A service that returns shuts the whole group down (the server with it): on SQLite, with no
        // other instances to hear, just wait for the end.
        guard events.engine != nil else { try? await gracefulShutdown(); return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await events.runSender(logger: logger) }
            group.addTask { await events.runListener(logger: logger, lost: lost) }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
