import Foundation

/// Contact tracing (A4), as a pure computation over stays.
///
/// Intervals are closed: a zero-length stay (an `out` without an `in`) at 10:00 overlaps a stay that
/// ends at 10:00. The rules, word for word from the issue:
/// - C's stays are those overlapping the window [from, to].
/// - Level 1: every other person with a stay at the same place overlapping one of C's stays widened
///   by the buffer on both sides.
/// - Level 2: every person, not C and not level 1, with a stay at the same place overlapping (widened
///   by the buffer) a stay of a level-1 person that itself overlaps the window.
/// "Same place" is the same place id: a canteen inside a factory is its own place with its own scans.
public enum Tracing {
    /// A stay of someone at a place.
    public struct PlaceStay: Sendable, Hashable {
        public let placeId: UUID
        public let stay: Stay
        public init(placeId: UUID, stay: Stay) { self.placeId = placeId; self.stay = stay }
    }

    /// One overlap: `personId` was at `placeId` during [from, to] (their stay clipped to the widened
    /// source stay), which came from `sourcePerson`'s `source` stay there.
    public struct Contact: Sendable, Hashable {
        public let personId: UUID
        public let level: Int
        public let placeId: UUID
        public let from: Int64
        public let to: Int64
        public let sourcePerson: UUID
        public let source: Stay
        public init(personId: UUID, level: Int, placeId: UUID, from: Int64, to: Int64, sourcePerson: UUID, source: Stay) {
            self.personId = personId; self.level = level; self.placeId = placeId; self.from = from; self.to = to
            self.sourcePerson = sourcePerson; self.source = source
        }
    }

    /// A trace that would list more contacts than the caller can take (a depth-2 trace from a busy
    /// market can reach a good part of a city); thrown as soon as that is certain, before the rest is computed.
    public struct TooManyContacts: Error, Equatable {
        public let limit: Int
        public let level: Int
        public init(limit: Int, level: Int) { self.limit = limit; self.level = level }
    }

    public struct Result: Sendable, Equatable {
        public let stays: [PlaceStay]
        public let contacts: [Contact]
    }

    /// A place and a closed interval there.
    public struct PlaceWindow: Sendable, Hashable {
        public let placeId: UUID
        public let from: Int64
        public let to: Int64
        public init(placeId: UUID, from: Int64, to: Int64) { self.placeId = placeId; self.from = from; self.to = to }
    }

    /// Where stays come from. Each call answers the exact stays overlapping [from, to] (closed).
    public protocol Source: Sendable {
        /// A person's stays at any place that overlap [from, to].
        func stays(of person: UUID, from: Int64, to: Int64) async throws -> [PlaceStay]
        /// Everyone's stays at `place` that overlap [from, to], by person.
        func stays(at place: UUID, from: Int64, to: Int64) async throws -> [UUID: [Stay]]
        /// Several people's stays at once (a trace's level-1 people): a store answers in a few queries.
        func stays(of people: [UUID], from: Int64, to: Int64) async throws -> [UUID: [PlaceStay]]
        /// Several places' windows at once, answered in the same order.
        func stays(at windows: [PlaceWindow]) async throws -> [[UUID: [Stay]]]
    }

    /// How far outside an interval check-ins can still shape the stays that overlap it: an exit closes
    /// an entry up to 24 h before it, and default stays are at most 24 h (1440 minutes).
    public static let scanMargin: Int64 = Stays.exitWindow

    public static func overlaps(_ a: Stay, from: Int64, to: Int64) -> Bool { a.from <= to && from <= a.to }

    /// Runs a trace for `person` over [from, to]. `allowedPlace` limits it to an officer's jurisdiction:
    /// stays elsewhere are neither shown nor followed.
    /// `maximumContacts` bounds the contacts (levels 1 and 2 together) and so the memory a trace takes.
    public static func trace(person: UUID, from: Int64, to: Int64, bufferSeconds: Int64, depth: Int, source: some Source,
                             allowedPlace: @Sendable (UUID) -> Bool = { _ in true }, maximumContacts: Int = .max) async throws -> Result {
        let caseStays = try await source.stays(of: person, from: from, to: to)
            .filter { allowedPlace($0.placeId) && overlaps($0.stay, from: from, to: to) }
            .sorted { ($0.stay.from, $0.stay.to, $0.placeId.uuidString) < ($1.stay.from, $1.stay.to, $1.placeId.uuidString) }
        let level1 = try await contacts(of: caseStays.map { (person, $0) }, level: 1, excluding: [person], bufferSeconds: bufferSeconds, source: source,
                                        budget: maximumContacts, limit: maximumContacts)
        guard depth >= 2 else { return Result(stays: caseStays, contacts: level1) }

        let level1People = Set(level1.map(\.personId))
        // A trace whose request has gone (the officer closed the page) stops here and below.
        try Task.checkCancellation()
        var sources: [(UUID, PlaceStay)] = []
        for (contact, stays) in try await source.stays(of: Array(level1People), from: from, to: to) where level1People.contains(contact) {
            for stay in stays where allowedPlace(stay.placeId) && overlaps(stay.stay, from: from, to: to) {
                sources.append((contact, stay))
            }
        }
        let level2 = try await contacts(of: sources, level: 2, excluding: level1People.union([person]), bufferSeconds: bufferSeconds, source: source,
                                        budget: maximumContacts - level1.count, limit: maximumContacts)
        return Result(stays: caseStays, contacts: level1 + level2)
    }

    /// Everyone (not in `excluding`) whose stay at a source's place overlaps the source stay widened by the buffer.
    static func contacts(of sources: [(UUID, PlaceStay)], level: Int, excluding: Set<UUID>, bufferSeconds: Int64,
                         source: some Source, budget: Int = .max, limit: Int = .max) async throws -> [Contact] {
        // Repeats are dropped only at the end, so the list may grow past the budget first; by twice
        // as much at most before it is checked.
        let slack = budget > Int.max / 4 ? Int.max : 2 * budget + 1024
        var byPlace: [UUID: [(UUID, Stay)]] = [:]
        for (person, stay) in sources { byPlace[stay.placeId, default: []].append((person, stay.stay)) }
        // Per place, one window per run of overlapping widened stays rather than one per stay; every
        // window is then read at once.
        var runs: [(window: PlaceWindow, sources: [(UUID, Stay)])] = []
        for (place, stays) in byPlace {
            var run: [(UUID, Stay)] = [], start: Int64 = 0, end: Int64 = 0
            for (person, stay) in stays.sorted(by: { $0.1.from < $1.1.from }) {
                if !run.isEmpty, stay.from - bufferSeconds > end {
                    runs.append((PlaceWindow(placeId: place, from: start, to: end), run))
                    run = []
                }
                if run.isEmpty { start = stay.from - bufferSeconds; end = stay.to + bufferSeconds }
                run.append((person, stay))
                end = max(end, stay.to + bufferSeconds)
            }
            if !run.isEmpty { runs.append((PlaceWindow(placeId: place, from: start, to: end), run)) }
        }
        let read = try await source.stays(at: runs.map(\.window))
        var found: [Contact] = []
        for ((window, widened), stays) in zip(runs, read) {
            try Task.checkCancellation()
            // The window's stays by start: those overlapping [lo, hi] start in [lo - longest, hi], a
            // slice found by binary search. At a busy place whose merged window spans days, each source
            // stay then looks at its own hours only.
            let present = stays
                .flatMap { other, stays in excluding.contains(other) ? [] : stays.map { (other, $0) } }
                .sorted { $0.1.from < $1.1.from }
            let longest = present.map { $0.1.to - $0.1.from }.max() ?? 0
            for (sourcePerson, sourceStay) in widened {
                let lo = sourceStay.from - bufferSeconds, hi = sourceStay.to + bufferSeconds
                var i = firstIndex(in: present, startingAtOrAfter: lo - longest)
                while i < present.count, present[i].1.from <= hi {
                    let (other, stay) = present[i]
                    if stay.to >= lo {
                        found.append(Contact(personId: other, level: level, placeId: window.placeId, from: max(stay.from, lo), to: min(stay.to, hi),
                                             sourcePerson: sourcePerson, source: sourceStay))
                    }
                    i += 1
                }
            }
            if found.count > slack {
                found = canonical(found)
                if found.count > budget { throw TooManyContacts(limit: limit, level: level) }
            }
        }
        let all = canonical(found)
        if all.count > budget { throw TooManyContacts(limit: limit, level: level) }
        return all
    }

    static func firstIndex(in stays: [(UUID, Stay)], startingAtOrAfter t: Int64) -> Int {
        var lo = 0, hi = stays.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if stays[mid].1.from < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// A contact with its ids as pairs of integers: comparing two integers orders UUIDs as their text
    /// does (hexadecimal digits sort as their values, and the dashes sit at the same places), without
    /// making text at all.
    private struct Keyed {
        let contact: Contact
        let person: (UInt64, UInt64), place: (UInt64, UInt64), sourcePerson: (UInt64, UInt64)
        init(_ c: Contact) { contact = c; person = Self.key(c.personId); place = Self.key(c.placeId); sourcePerson = Self.key(c.sourcePerson) }

        static func key(_ id: UUID) -> (UInt64, UInt64) {
            withUnsafeBytes(of: id.uuid) { bytes in
                (bytes.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }, bytes.suffix(8).reduce(0) { $0 << 8 | UInt64($1) })
            }
        }

        static func < (a: Keyed, b: Keyed) -> Bool {
            // Tuples compare up to six elements: the first six keys, then the rest.
            let x = (a.contact.level, a.person.0, a.person.1, a.place.0, a.place.1, a.contact.from)
            let y = (b.contact.level, b.person.0, b.person.1, b.place.0, b.place.1, b.contact.from)
            if x != y { return x < y }
            return (a.contact.to, a.contact.source.from, a.contact.source.to, a.sourcePerson.0, a.sourcePerson.1)
                < (b.contact.to, b.contact.source.from, b.contact.source.to, b.sourcePerson.0, b.sourcePerson.1)
        }
    }

    /// One order for every engine and every reference: by level, person, place, time, source; each
    /// contact once. A busy market's depth-2 trace sorts hundreds of thousands of them.
    public static func canonical(_ contacts: some Sequence<Contact>) -> [Contact] {
        // Sorted by position: moving a 4-byte index is cheaper than moving a 150-byte contact.
        let keyed = contacts.map(Keyed.init)
        let order = keyed.indices.map { Int32($0) }.sorted { keyed[Int($0)] < keyed[Int($1)] }
        var out: [Contact] = []
        out.reserveCapacity(keyed.count)
        for i in order where out.last != keyed[Int(i)].contact { out.append(keyed[Int(i)].contact) }
        return out
    }
}

extension Tracing.Source {
    public func stays(of people: [UUID], from: Int64, to: Int64) async throws -> [UUID: [Tracing.PlaceStay]] {
        var out: [UUID: [Tracing.PlaceStay]] = [:]
        for person in people { out[person] = try await stays(of: person, from: from, to: to) }
        return out
    }

    public func stays(at windows: [Tracing.PlaceWindow]) async throws -> [[UUID: [Stay]]] {
        var out: [[UUID: [Stay]]] = []
        for window in windows { out.append(try await stays(at: window.placeId, from: window.from, to: window.to)) }
        return out
    }
}

/// An in-memory source: all check-ins given up front, read through the same windows a store uses, so
/// the margin argument is exercised too. Used by tests and small tools.
public struct InMemoryTracingSource: Tracing.Source {
    public struct Scan: Sendable, Hashable {
        public let person: UUID
        public let place: UUID
        public let direction: CheckInDirection
        public let at: Int64
        public init(person: UUID, place: UUID, direction: CheckInDirection, at: Int64) {
            self.person = person; self.place = place; self.direction = direction; self.at = at
        }
    }
    let scans: [Scan]
    let defaultStay: [UUID: Int64]

    public init(scans: [Scan], defaultStaySeconds: [UUID: Int64]) { self.scans = scans; self.defaultStay = defaultStaySeconds }

    public func stays(of person: UUID, from: Int64, to: Int64) async throws -> [Tracing.PlaceStay] {
        let window = scans.filter { $0.person == person && $0.at >= from - Tracing.scanMargin && $0.at <= to + Tracing.scanMargin }
        return Dictionary(grouping: window, by: \.place).flatMap { place, list in
            Stays.compute(list.map { ($0.direction, $0.at) }, defaultStaySeconds: defaultStay[place] ?? 3600)
                .filter { Tracing.overlaps($0, from: from, to: to) }.map { Tracing.PlaceStay(placeId: place, stay: $0) }
        }
    }

    public func stays(at place: UUID, from: Int64, to: Int64) async throws -> [UUID: [Stay]] {
        let window = scans.filter { $0.place == place && $0.at >= from - Tracing.scanMargin && $0.at <= to + Tracing.scanMargin }
        return Dictionary(grouping: window, by: \.person).compactMapValues { list in
            let stays = Stays.compute(list.map { ($0.direction, $0.at) }, defaultStaySeconds: defaultStay[place] ?? 3600)
                .filter { Tracing.overlaps($0, from: from, to: to) }
            return stays.isEmpty ? nil : stays
        }
    }
}
