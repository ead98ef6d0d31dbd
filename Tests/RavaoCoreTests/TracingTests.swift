import Foundation
import RavaoCore
import RavaoTestSupport
import Testing

/// Tracing (A4) against a brute-force reference: every stay of everyone computed from all check-ins,
/// then the rules applied literally with nested loops; no windows, no merging.
@Suite("Tracing") struct TracingTests {
    @Test(arguments: 0..<24)
    func engineMatchesBruteForceOnRandomData(seed: Int) async throws {
        var rng = SplitMix(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        let world = RandomWorld(rng: &rng, people: 300, places: 30, hours: 96)
        let (case_, from, to) = world.pickCase(rng: &rng)
        let buffers: [Int64] = [0, 60 * 60, Int64(rng.next() % 7200)]
        let buffer = buffers[Int(rng.next() % 3)]
        let source = InMemoryTracingSource(scans: world.scans, defaultStaySeconds: world.defaultStay)
        for depth in [1, 2] {
            let got = try await Tracing.trace(person: case_, from: from, to: to, bufferSeconds: buffer, depth: depth, source: source)
            let want = bruteForce(world.scans, defaults: world.defaultStay, case: case_, from: from, to: to, buffer: buffer, depth: depth)
            #expect(Set(got.stays) == want.stays, "seed \(seed) depth \(depth): stays")
            #expect(got.contacts == want.contacts, "seed \(seed) depth \(depth): \(got.contacts.count) contacts vs \(want.contacts.count)")
            if depth == 2 { #expect(!want.contacts.isEmpty || want.stays.isEmpty, "seed \(seed): the random world should produce contacts") }
        }
    }

    @Test func edgesCountAndStaysAreClippedToTheWidenedSourceStay() async throws {
        let place = UUID(), c = UUID(), touching = UUID(), apart = UUID(), second = UUID()
        let h: Int64 = 3600
        let scans: [InMemoryTracingSource.Scan] = [
            .init(person: c, place: place, direction: .in, at: 10 * h), .init(person: c, place: place, direction: .out, at: 11 * h),
            // Leaves exactly when the widened stay begins (09:00): closed intervals touch, so a contact.
            .init(person: touching, place: place, direction: .in, at: 8 * h), .init(person: touching, place: place, direction: .out, at: 9 * h),
            // Arrives one second after the widened stay ends (12:00): not a contact.
            .init(person: apart, place: place, direction: .in, at: 12 * h + 1), .init(person: apart, place: place, direction: .out, at: 13 * h),
            // Level 2: overlaps `touching` (08:00–09:00 widened to 07:00–10:00) but not C's widened stay.
            .init(person: second, place: place, direction: .out, at: 7 * h + 30 * 60),
        ]
        let result = try await Tracing.trace(person: c, from: 0, to: 24 * h, bufferSeconds: h, depth: 2,
                                             source: InMemoryTracingSource(scans: scans, defaultStaySeconds: [place: h]))
        #expect(result.stays == [Tracing.PlaceStay(placeId: place, stay: Stay(from: 10 * h, to: 11 * h))])
        #expect(result.contacts == [
            Tracing.Contact(personId: touching, level: 1, placeId: place, from: 9 * h, to: 9 * h, sourcePerson: c, source: Stay(from: 10 * h, to: 11 * h)),
            Tracing.Contact(personId: second, level: 2, placeId: place, from: 7 * h + 1800, to: 7 * h + 1800, sourcePerson: touching, source: Stay(from: 8 * h, to: 9 * h)),
        ])
        // The window decides which of C's stays count: one ending before it leaves nothing to trace.
        let none = try await Tracing.trace(person: c, from: 11 * h + 1, to: 24 * h, bufferSeconds: h, depth: 2,
                                           source: InMemoryTracingSource(scans: scans, defaultStaySeconds: [place: h]))
        #expect(none.stays.isEmpty && none.contacts.isEmpty)
    }

    /// A trace larger than the limit is refused, at the level where it overflows; at exactly the limit
    /// it answers in full.
    @Test func contactLimit() async throws {
        var rng = SplitMix(seed: 5)
        let world = RandomWorld(rng: &rng, people: 300, places: 30, hours: 96)
        let source = InMemoryTracingSource(scans: world.scans, defaultStaySeconds: world.defaultStay)
        var traced = 0
        for _ in 0..<10 {
            let (case_, from, to) = world.pickCase(rng: &rng)
            let full = try await Tracing.trace(person: case_, from: from, to: to, bufferSeconds: 3600, depth: 2, source: source)
            let level1 = full.contacts.filter { $0.level == 1 }.count
            guard level1 > 0, full.contacts.count > level1 else { continue }
            traced += 1
            let exact = try await Tracing.trace(person: case_, from: from, to: to, bufferSeconds: 3600, depth: 2, source: source, maximumContacts: full.contacts.count)
            #expect(exact == full)
            await #expect(throws: Tracing.TooManyContacts(limit: full.contacts.count - 1, level: 2)) {
                try await Tracing.trace(person: case_, from: from, to: to, bufferSeconds: 3600, depth: 2, source: source, maximumContacts: full.contacts.count - 1)
            }
            await #expect(throws: Tracing.TooManyContacts(limit: level1 - 1, level: 1)) {
                try await Tracing.trace(person: case_, from: from, to: to, bufferSeconds: 3600, depth: 2, source: source, maximumContacts: level1 - 1)
            }
        }
        #expect(traced >= 3, "enough cases with contacts at both levels")
    }

    /// The canonical order compares ids as integers; it must be the order of their text, which is what
    /// exports and pages show, and keep each contact once.
    @Test func canonicalOrderIsTheOrderOfTheIdsText() {
        var rng = SplitMix(seed: 99)
        // Few distinct ids and times, so that every key decides some comparisons and repeats occur.
        let ids = (0..<6).map { _ in UUID() } + [UUID(uuidString: "9FFFFFFF-0000-4000-8000-000000000000")!, UUID(uuidString: "A0000000-0000-4000-8000-000000000000")!]
        func pick() -> UUID { ids[Int(rng.next() % UInt64(ids.count))] }
        func time() -> Int64 { Int64(rng.next() % 3) }
        let contacts = (0..<3000).map { _ in
            Tracing.Contact(personId: pick(), level: Int(rng.next() % 2) + 1, placeId: pick(), from: time(), to: time(), sourcePerson: pick(), source: Stay(from: time(), to: time()))
        }
        func text(_ c: Tracing.Contact) -> [String] {
            [String(c.level), c.personId.uuidString, c.placeId.uuidString, String(c.from), String(c.to), String(c.source.from), String(c.source.to), c.sourcePerson.uuidString]
        }
        let want = Set(contacts).sorted { text($0).lexicographicallyPrecedes(text($1)) }
        let got = Tracing.canonical(contacts)
        #expect(got.count == want.count && got.count < contacts.count)
        #expect(got == want)
    }
}
