import Foundation
@testable import RavaoServer
import Testing

/// The lines instances send each other through NOTIFY: every event survives the trip, nothing of our own
/// comes back, a long commit is split to fit PostgreSQL's payload limit, and junk is ignored.
@Suite("Instance events") struct InstanceEventsTests {
    @Test func everyEventSurvivesTheTrip() throws {
        let events: [InstanceEvent] = [.placesChanged, .devicesChanged, .sessionEnded("ab12"), .personChanged(UUID()), .zonesChanged,
                                       .everythingChanged, .checkedIn([UUID(), UUID()])]
        let payloads = InstanceEvents.payloads(events, origin: "aaaa")
        #expect(payloads.count == 1)
        #expect(InstanceEvents.decode(payloads[0], ownOrigin: "bbbb") == events)
        #expect(InstanceEvents.decode(payloads[0], ownOrigin: "aaaa") == nil)
    }

    @Test func aBurstOfCommitsNamesEachPlaceOnce() throws {
        let (a, b, c) = (UUID(), UUID(), UUID())
        let payloads = InstanceEvents.payloads([.checkedIn([a, b]), .checkedIn([b]), .checkedIn([c, a])], origin: "o")
        #expect(payloads.flatMap { InstanceEvents.decode($0, ownOrigin: "x") ?? [] } == [.checkedIn([a, b, c])])
    }

    @Test func repeatsGoOnceAndLongCommitsAreSplit() throws {
        let person = UUID()
        let places = (0..<1_000).map { _ in UUID() }
        let payloads = InstanceEvents.payloads([.personChanged(person), .personChanged(person), .checkedIn(places)], origin: "o")
        #expect(payloads.allSatisfy { $0.utf8.count <= InstanceEvents.payloadLimit })
        let decoded = payloads.flatMap { InstanceEvents.decode($0, ownOrigin: "x") ?? [] }
        #expect(decoded.filter { $0 == .personChanged(person) }.count == 1)
        let woken = decoded.flatMap { event -> [UUID] in if case .checkedIn(let p) = event { return p } else { return [] } }
        #expect(woken == places)
    }

    @Test func junkIsIgnored() {
        #expect(InstanceEvents.decode("no bar here", ownOrigin: "x") == [])
        #expect(InstanceEvents.decode("o|Hnot-a-uuid\nQ\nL,,\nS\nP", ownOrigin: "x") == [.placesChanged])
    }
}
