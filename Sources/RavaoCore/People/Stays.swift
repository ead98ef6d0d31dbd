/// A person's stay at a place, derived from check-ins (C7, A4).
///
/// A stay starts at each `in` and ends at the person's first `out` at the same place within 24 hours
/// after it, or else at start + the place's default stay. An `out` with no `in` before it in that span
/// is a stay of zero length at its time. Tracing and the live view's "present now" use this one rule.
public struct Stay: Sendable, Hashable {
    public let from: Int64
    public let to: Int64
    public init(from: Int64, to: Int64) { self.from = from; self.to = to }

    public func contains(_ time: Int64) -> Bool { from <= time && time < to || (from == to && time == from) }
}

public enum Stays {
    /// How long an `out` may follow its `in` and still close it.
    public static let exitWindow: Int64 = 24 * 3600

    /// One person's stays at one place, from their check-ins there in any order.
    public static func compute(_ scans: [(direction: CheckInDirection, at: Int64)], defaultStaySeconds: Int64) -> [Stay] {
        let ins = scans.filter { $0.direction == .in }.map(\.at).sorted()
        let outs = scans.filter { $0.direction == .out }.map(\.at).sorted()
        var stays: [Stay] = []
        for start in ins {
            if let exit = outs.first(where: { $0 >= start && $0 - start <= exitWindow }) {
                stays.append(Stay(from: start, to: exit))
            } else {
                stays.append(Stay(from: start, to: start + defaultStaySeconds))
            }
        }
        for exit in outs where !ins.contains(where: { $0 <= exit && exit - $0 <= exitWindow }) {
            stays.append(Stay(from: exit, to: exit))
        }
        return stays.sorted { $0.from < $1.from || ($0.from == $1.from && $0.to < $1.to) }
    }
}

/// A place's counts for one day, as the live view shows them.
public struct DayCounts: Sendable, Equatable, Codable {
    public let entries: Int
    public let exits: Int
    /// Distinct people with any scan today.
    public let people: Int
    /// People whose stay covers `now` (entered, not yet out, default stay not yet over).
    public let present: Int

    public init(entries: Int, exits: Int, people: Int, present: Int) {
        self.entries = entries; self.exits = exits; self.people = people; self.present = present
    }

    /// `scans` may include the day before `dayStart`: stays begun then can still be open.
    public static func compute<Person: Hashable>(_ scans: [(person: Person, direction: CheckInDirection, at: Int64)], dayStart: Int64, now: Int64,
                                                 defaultStaySeconds: Int64) -> DayCounts {
        let today = scans.filter { $0.at >= dayStart && $0.at < dayStart + 86_400 }
        var byPerson: [Person: [(direction: CheckInDirection, at: Int64)]] = [:]
        for scan in scans where scan.at <= now { byPerson[scan.person, default: []].append((scan.direction, scan.at)) }
        let present = byPerson.values.filter { personScans in
            Stays.compute(personScans, defaultStaySeconds: defaultStaySeconds).contains { $0.from <= now && now < $0.to }
        }.count
        return DayCounts(entries: today.filter { $0.direction == .in }.count, exits: today.filter { $0.direction == .out }.count,
                         people: Set(today.map(\.person)).count, present: present)
    }
}
