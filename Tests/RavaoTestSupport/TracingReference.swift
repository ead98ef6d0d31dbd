import Foundation
import RavaoCore

/// The brute-force tracing reference and random worlds, shared by the engine's tests (RavaoCoreTests)
/// and the store's tests on both databases (RavaoServerTests).
// MARK: Reference and random data (kept independent of the engine on purpose)

public struct SplitMix: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int64) -> Int64 { Int64(next() % UInt64(n)) }

    /// `items` cut into batches of 1 to `maxSize`, mostly in order; one batch in `outOfOrderOneIn` takes
    /// its items from anywhere in what remains, as an offline kiosk's queue arrives late.
    public mutating func batches<T>(_ items: [T], maxSize: Int64, outOfOrderOneIn: Int64) -> [[T]] {
        var queue = items
        var batches: [[T]] = []
        while !queue.isEmpty {
            let size = min(queue.count, Int(below(maxSize)) + 1)
            if below(outOfOrderOneIn) == 0 {
                var batch: [T] = []
                for _ in 0..<size { batch.append(queue.remove(at: Int(below(Int64(queue.count))))) }
                batches.append(batch)
            } else {
                batches.append(Array(queue.prefix(size))); queue.removeFirst(size)
            }
        }
        return batches
    }
}

public struct RandomWorld: Sendable {
    public var people: [UUID] = []
    public var places: [UUID] = []
    public var defaultStay: [UUID: Int64] = [:]
    public var scans: [InMemoryTracingSource.Scan] = []

    /// People visit places over `hours`: entries with exits (minutes to hours later), entries without
    /// exits, lone exits, exits more than a day later; a few places are busy so contacts chain.
    public init(rng: inout SplitMix, people count: Int, places placeCount: Int, hours: Int64) {
        people = (0..<count).map { _ in UUID() }
        places = (0..<placeCount).map { _ in UUID() }
        for place in places { defaultStay[place] = 60 * (1 + rng.below(1440)) }
        let span = hours * 3600
        for person in people {
            for _ in 0..<(1 + rng.below(6)) {
                // Busy places (the first five) get most visits.
                let place = rng.below(3) == 0 ? places[Int(rng.below(Int64(placeCount)))] : places[Int(rng.below(5))]
                let at = rng.below(span)
                switch rng.below(10) {
                case 0..<5:
                    scans.append(.init(person: person, place: place, direction: .in, at: at))
                    scans.append(.init(person: person, place: place, direction: .out, at: at + 60 * (1 + rng.below(300))))
                case 5..<7: scans.append(.init(person: person, place: place, direction: .in, at: at))
                case 7..<8: scans.append(.init(person: person, place: place, direction: .out, at: at))
                case 8:
                    scans.append(.init(person: person, place: place, direction: .in, at: at))
                    scans.append(.init(person: person, place: place, direction: .out, at: at + 24 * 3600 + 1 + rng.below(3600)))
                default:
                    // Two entries, one exit; and a repeat exit.
                    scans.append(.init(person: person, place: place, direction: .in, at: at))
                    scans.append(.init(person: person, place: place, direction: .in, at: at + 600))
                    scans.append(.init(person: person, place: place, direction: .out, at: at + 3600))
                    scans.append(.init(person: person, place: place, direction: .out, at: at + 7200))
                }
            }
        }
    }

    /// A case with scans, and a window whose edges sit exactly on scan times (edge cases) or anywhere.
    public func pickCase(rng: inout SplitMix) -> (UUID, Int64, Int64) {
        let scan = scans[Int(rng.below(Int64(scans.count)))]
        let own = scans.filter { $0.person == scan.person }.map(\.at).sorted()
        let from = rng.below(2) == 0 ? own.first! : own.first! - rng.below(7200)
        let to = rng.below(2) == 0 ? own.last! : from + rng.below(48 * 3600)
        return (scan.person, from, max(from, to))
    }
}

public struct Reference: Sendable {
    public let stays: Set<Tracing.PlaceStay>
    public let contacts: [Tracing.Contact]
}

public func bruteForce(_ scans: [InMemoryTracingSource.Scan], defaults: [UUID: Int64], case c: UUID, from: Int64, to: Int64, buffer: Int64, depth: Int,
                allowed: (UUID) -> Bool = { _ in true }) -> Reference {
    var all: [UUID: [UUID: [Stay]]] = [:]  // place → person → stays
    for (key, list) in Dictionary(grouping: scans, by: { "\($0.place) \($0.person)" }) {
        _ = key
        let s = Stays.compute(list.map { ($0.direction, $0.at) }, defaultStaySeconds: defaults[list[0].place]!)
        all[list[0].place, default: [:]][list[0].person] = s
    }
    func overlap(_ s: Stay, _ lo: Int64, _ hi: Int64) -> Bool { s.from <= hi && lo <= s.to }
    func staysOf(_ person: UUID) -> [(UUID, Stay)] {
        all.flatMap { place, people in (people[person] ?? []).filter { allowed(place) && overlap($0, from, to) }.map { (place, $0) } }
    }
    let caseStays = staysOf(c)
    var contacts: [Tracing.Contact] = []
    for (place, s) in caseStays {
        for (person, stays) in all[place]! where person != c {
            for t in stays where overlap(t, s.from - buffer, s.to + buffer) {
                contacts.append(.init(personId: person, level: 1, placeId: place, from: max(t.from, s.from - buffer), to: min(t.to, s.to + buffer), sourcePerson: c, source: s))
            }
        }
    }
    if depth == 2 {
        let level1 = Set(contacts.map(\.personId))
        for p in level1 {
            for (place, u) in staysOf(p) {
                for (person, stays) in all[place]! where person != c && !level1.contains(person) {
                    for v in stays where overlap(v, u.from - buffer, u.to + buffer) {
                        contacts.append(.init(personId: person, level: 2, placeId: place, from: max(v.from, u.from - buffer), to: min(v.to, u.to + buffer), sourcePerson: p, source: u))
                    }
                }
            }
        }
    }
    return Reference(stays: Set(caseStays.map { Tracing.PlaceStay(placeId: $0.0, stay: $0.1) }), contacts: Tracing.canonical(contacts))
}
