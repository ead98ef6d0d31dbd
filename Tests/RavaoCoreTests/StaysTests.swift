import RavaoCore
import Testing

/// The stay rule (C7, A4) and the live view's counts built on it.
@Suite("Stays") struct StaysTests {
    let hour: Int64 = 3600

    @Test func anEntryEndsAtTheFirstExitWithin24Hours() {
        let stays = Stays.compute([(.in, 1000), (.out, 1000 + 2 * hour), (.out, 1000 + 3 * hour)], defaultStaySeconds: hour)
        #expect(stays.contains(Stay(from: 1000, to: 1000 + 2 * hour)))
        // The second exit has an entry within 24 hours before it, so it is not a stay of its own.
        #expect(stays.count == 1)
    }

    @Test func anEntryWithoutExitLastsTheDefaultStay() {
        #expect(Stays.compute([(.in, 0)], defaultStaySeconds: 90 * 60) == [Stay(from: 0, to: 90 * 60)])
        // An exit more than 24 hours later does not close it; it stands alone as a zero-length stay.
        let late = Stays.compute([(.in, 0), (.out, 25 * hour)], defaultStaySeconds: hour)
        #expect(late == [Stay(from: 0, to: hour), Stay(from: 25 * hour, to: 25 * hour)])
    }

    @Test func twoEntriesBeforeOneExitBothEndAtIt() {
        let stays = Stays.compute([(.out, 5 * hour), (.in, 4 * hour), (.in, 1 * hour)], defaultStaySeconds: hour)
        #expect(stays == [Stay(from: hour, to: 5 * hour), Stay(from: 4 * hour, to: 5 * hour)])
    }

    @Test func anExitWithoutEntryIsAZeroLengthStay() {
        let stays = Stays.compute([(.out, 7 * hour)], defaultStaySeconds: hour)
        #expect(stays == [Stay(from: 7 * hour, to: 7 * hour)])
        #expect(stays[0].contains(7 * hour) && !stays[0].contains(7 * hour + 1))
    }

    @Test func dayCountsUseStaysForPresence() {
        let day: Int64 = 1_700_000_000 - 1_700_000_000 % 86_400
        let scans: [(person: String, direction: CheckInDirection, at: Int64)] = [
            ("a", .in, day - 2 * hour),        // yesterday evening, default stay 3 h: still inside at 00:30
            ("b", .in, day + 10 * 60),
            ("b", .out, day + 20 * 60),        // left
            ("c", .in, day + 5 * 60),
            ("d", .in, day - 30 * hour),       // long gone
        ]
        let counts = DayCounts.compute(scans, dayStart: day, now: day + 30 * 60, defaultStaySeconds: 3 * hour)
        #expect(counts == DayCounts(entries: 2, exits: 1, people: 2, present: 2))
        let later = DayCounts.compute(scans, dayStart: day, now: day + 4 * hour, defaultStaySeconds: 3 * hour)
        #expect(later.present == 0)
    }

    @Test func localDaysStartAtMidnightInVietnam() {
        // 2026-11-23T00:30:00+07:00 is 2026-11-22T17:30:00Z.
        let t: Int64 = 1_795_368_600
        #expect(LocalTime.startOfDay(containing: t) == t - 30 * 60)
        #expect(LocalTime.format(t) == "00:30 23/11/2026")
        #expect(LocalTime.startOfDay(containing: t - 31 * 60) == t - 30 * 60 - 86_400)
    }
}
