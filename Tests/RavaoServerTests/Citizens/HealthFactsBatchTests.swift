import Foundation
import Logging
import RavaoCore
@testable import RavaoServer
@testable import RavaoStore
import SQLKit
import Synchronization
import Testing

/// Status reads are grouped (`ReadBatcher`): one person's facts must never come back as another's,
/// whatever arrives together.
@Suite("Batched health facts") struct HealthFactsBatchTests {
    /// Reads that arrive while one is in flight go together in the next; each caller gets its own key's
    /// value, a key the load did not find gets nil, and a failed load fails only its own batch.
    @Test func readsArrivingTogetherAreOneLoadAndEachGetsItsOwn() async throws {
        let batches = Mutex<[[Int]]>([])
        let gate = AsyncStream<Void>.makeStream()
        let firstStarted = AsyncStream<Void>.makeStream()
        let batcher = ReadBatcher<Int, String>(lanes: 1) { keys in
            let first = batches.withLock { batches in batches.append(keys); return batches.count == 1 }
            if first {
                firstStarted.continuation.yield()
                for await _ in gate.stream { break }
            }
            if keys.contains(-1) { throw CancellationError() }
            return Dictionary(uniqueKeysWithValues: keys.filter { $0 != 13 }.map { ($0, "v\($0)") })
        }
        async let lone = batcher.value(0)
        for await _ in firstStarted.stream { break }
        // While the first load waits, 20 callers (one key asked twice, one the load does not know) queue.
        let answers = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
            for key in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 7] {
                group.addTask { (key, try await batcher.value(key)) }
            }
            // Every caller is queued before the first load is let go.
            while batcher.waitingCount < 20 { await Task.yield() }
            gate.continuation.yield()
            return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
        }
        #expect(try await lone == "v0")
        #expect(answers.count == 20)
        for (key, value) in answers { #expect(value == (key == 13 ? nil : "v\(key)"), "key \(key) answered \(value ?? "nil")") }
        let seen = batches.withLock { $0 }
        #expect(seen.count == 2, "one load for the lone read, one for the 20 queued behind it: \(seen)")
        #expect(seen.last.map { Set($0) } == Set(1...19) && seen.last?.count == 19, "distinct keys, read once: \(seen)")
        // A failing load answers its own callers with the error, and the next batch works.
        await #expect(throws: CancellationError.self) { try await batcher.value(-1) }
        #expect(try await batcher.value(21) == "v21")
    }

    /// People with different records asked for at once, on the real database: each gets exactly their own.
    @Test(arguments: TestEngine.available)
    func concurrentStatusReadsGetEachPersonsOwnFacts(engine: TestEngine) async throws {
        try await withApp(engine) { app in
            let token = try await app.signIn()
            let place = UUID(uuidString: try #require(try await app.createPlace(token: token)["id"] as? String))!
            let officer = try await app.store.engine.read { db in
                try await db.raw("SELECT id FROM accounts LIMIT 1").first()!.decode(column: "id", as: String.self)
            }
            let by = UUID(uuidString: officer)!
            let writer = CheckInWriter(engine: app.store.engine, logger: Logger(label: "facts"))
            let now = app.time.seconds()
            var people: [UUID] = []
            for n in 0..<24 {
                let outcome = try await writer.submit(.init(
                    clientId: UUID(), placeId: place, direction: .in, kind: .cccd, scannedAt: now, recordedAt: now, scannedBy: nil,
                    payload: "facts \(n)", identifiers: [.init(kind: "cccd", value: String(format: "0790852%05d", n))], fullName: nil))
                guard case .recorded(let recorded) = outcome else { Issue.record("not recorded: \(outcome)"); return }
                people.append(recorded.personId)
            }
            let health = app.store.health
            var expected: [UUID: HealthFacts] = [:]
            for (n, person) in people.enumerated() {
                var facts = HealthFacts()
                switch n % 4 {
                case 0:
                    _ = try await health.declare(person, symptoms: [.fever], contact: n % 8 == 0, visitedWards: ["2664\(n)"], by: by, now: now - Int64(n))
                    facts.declarations = [.init(at: now - Int64(n), symptoms: [.fever], contact: n % 8 == 0, visitedWards: ["2664\(n)"])]
                case 1:
                    try await health.addDose(person, vaccine: "AZ", date: "2021-0\(n % 9 + 1)-01", verified: true, by: by, now: now)
                    try await health.addTest(person, kind: "pcr", result: "negative", date: "2021-10-\(10 + n)", verified: false, by: by, now: now)
                    facts.doses = [.init(vaccine: "AZ", date: "2021-0\(n % 9 + 1)-01", verified: true)]
                    facts.tests = [.init(kind: "pcr", result: "negative", date: "2021-10-\(10 + n)", verified: false)]
                case 2:
                    try await health.setMark(person, mark: .f1, source: "test", by: by, now: now)
                    for _ in 0..<(n % 3 + 1) {
                        try await health.addExposure(person, source: "test", placeId: place, from: now - 60, to: now, level: 1, by: by, now: now)
                    }
                    facts.marks = [.init(mark: .f1, at: now)]
                    facts.exposures = n % 3 + 1
                default: break
                }
                expected[person] = facts
            }
            let rules = app.services.configuration.healthRules
            for round in 0..<3 {
                let read = try await withThrowingTaskGroup(of: (UUID, HealthFacts).self) { group in
                    for person in people.shuffled() { group.addTask { (person, try await health.facts(of: person, now: now, rules: rules)) } }
                    return try await group.reduce(into: [UUID: HealthFacts]()) { $0[$1.0] = $1.1 }
                }
                for person in people {
                    // Nothing here sets a home ward; the rest must be exactly this person's.
                    #expect(read[person] == expected[person], "\(engine) round \(round): \(person) read \(String(describing: read[person]))")
                }
            }
            // A writer given the rules reads the same facts with each batch (`Recorded.facts`), whoever
            // shares the batch; a person the batch creates has none to read.
            let factsWriter = CheckInWriter(engine: app.store.engine, healthRules: rules, logger: Logger(label: "facts"))
            for round in 0..<2 {
                let recorded = try await withThrowingTaskGroup(of: CheckInWriter.Outcome.self) { group in
                    for n in (0..<25).shuffled() {
                        group.addTask {
                            try await factsWriter.submit(.init(
                                clientId: UUID(), placeId: place, direction: .in, kind: .cccd, scannedAt: now, recordedAt: now, scannedBy: nil,
                                payload: "facts again \(n)", identifiers: [.init(kind: "cccd", value: String(format: "0790852%05d", n + round))], fullName: nil))
                        }
                    }
                    return try await group.reduce(into: [CheckInStore.Recorded]()) { all, outcome in
                        if case .recorded(let recorded) = outcome { all.append(recorded) } else { Issue.record("not recorded: \(outcome)") }
                    }
                }
                #expect(recorded.count == 25)
                for r in recorded {
                    if let facts = expected[r.personId] {
                        #expect(!r.newPerson && r.facts == facts, "\(engine) writer round \(round): \(r.personId) read \(String(describing: r.facts))")
                    } else {
                        #expect(r.newPerson && r.facts == nil, "\(engine) writer round \(round): a new card's person has no facts to read")
                        expected[r.personId] = HealthFacts()  // next round, someone known with nothing on record
                    }
                }
            }
        }
    }
}
