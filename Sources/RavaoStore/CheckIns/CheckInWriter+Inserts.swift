import Foundation
import PostgresNIO

extension CheckInWriter {
    /// The batch's PostgreSQL connection was not `PostgresEngine`'s (a wrapper that hides it): the
    /// writer's prepared statements need the connection itself.
    struct NotOnPostgresConnection: Error {}

    /// PostgreSQL: a batch's writes as one prepared statement, one round trip instead of four and no
    /// parse or plan after the first batches: its check-ins, their retry keys, their queue rows for the
    /// projector (see CheckInProjector), and the places' day counters, whose totals it returns.
    /// - Client ids are unique in `checkin_keys` (DayPartitions): a client id another instance has just
    ///   used fails the whole statement, so no row of the batch goes in.
    /// - The parts all run to completion, in the order of the arrays (sorted by client id; counters by
    ///   place and day, so that instances take the row locks in turn).
    /// - `scannedBy` and `deviceIds` hold "" for none (PostgresNIO binds no arrays of optionals).
    /// - New people (cards seen for the first time) and their cards' links go in with the check-ins:
    ///   a first scan costs no transaction of its own. A card of a new person that another instance has
    ///   linked meanwhile fails the whole statement on `person_identifiers`' key, and the batch is read
    ///   again (`IdentifierTaken`). A number already linked to someone else stays theirs when a known
    ///   person's scan carries it (`$23`: 1 for the links of the batch's new people).
    /// - New people are also listed in `unprojected_people`, for the projector (DashboardRollups.add).
    struct Insert: PostgresPreparedStatement {
        /// PostgresNIO names a statement by reflecting on its type each time it runs (2 % of the writer's thread).
        static let name = "ravao_writer_insert"
        static let sql = """
            WITH n AS (INSERT INTO people (id, full_name, verified, created_at)
                SELECT id, full_name, 0, created_at FROM unnest($16::text[], $17::text[], $18::bigint[]) AS t(id, full_name, created_at)),
            u AS (INSERT INTO unprojected_people (person_id) SELECT id FROM unnest($16::text[]) AS t(id)),
            links AS (SELECT * FROM unnest($19::text[], $20::text[], $21::text[], $22::bigint[], $23::bigint[]) AS t(kind, value, person_id, created_at, new_person)),
            l AS (INSERT INTO person_identifiers (kind, value, person_id, created_at)
                SELECT kind, value, person_id, created_at FROM links WHERE new_person = 1),
            m AS (INSERT INTO person_identifiers (kind, value, person_id, created_at)
                SELECT kind, value, person_id, created_at FROM links WHERE new_person = 0 ON CONFLICT (kind, value) DO NOTHING),
            c AS (INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload)
                SELECT id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, NULLIF(scanned_by, ''), NULLIF(device_id, ''), payload
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::text[])
                    AS t(id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload)),
            k AS (INSERT INTO checkin_keys (client_id, checkin_id, scanned_at)
                SELECT client_id, id, scanned_at FROM unnest($2::text[], $1::text[], $7::bigint[]) AS t(client_id, id, scanned_at)),
            q AS (INSERT INTO checkin_projection (place_id, person_id, scanned_at, queued_at, direction)
                SELECT place_id, person_id, scanned_at, queued_at, direction
                FROM unnest($3::text[], $4::text[], $7::bigint[], $8::bigint[], $5::text[]) AS t(place_id, person_id, scanned_at, queued_at, direction))
            \(CheckInWriter.countersInsert)SELECT place_id, day, entries, exits FROM unnest($12::text[], $13::bigint[], $14::bigint[], $15::bigint[]) AS t(place_id, day, entries, exits)
            \(CheckInWriter.countersUpsert)
            """

        let ids: [String], clientIds: [String], placeIds: [String], personIds: [String], directions: [String], kinds: [String]
        let scannedAt: [Int64], recordedAt: [Int64], scannedBy: [String], deviceIds: [String], payloads: [String]
        let counters: DayCounters
        let newPeople: [(id: UUID, name: String, at: Int64)]
        let newLinks: [(identifier: CheckInStore.Identifier, person: UUID, at: Int64)]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 23)
            for texts in [ids, clientIds, placeIds, personIds, directions, kinds] { bindings.append(texts) }
            bindings.append(scannedAt)
            bindings.append(recordedAt)
            for texts in [scannedBy, deviceIds, payloads, counters.places] { bindings.append(texts) }
            for numbers in [counters.days, counters.entries, counters.exits] { bindings.append(numbers) }
            bindings.append(newPeople.map(\.id.text))
            bindings.append(newPeople.map(\.name))
            bindings.append(newPeople.map(\.at))
            bindings.append(newLinks.map(\.identifier.kind))
            bindings.append(newLinks.map(\.identifier.value))
            bindings.append(newLinks.map(\.person.text))
            bindings.append(newLinks.map(\.at))
            let created = Set(newPeople.map(\.id))
            bindings.append(newLinks.map { Int64(created.contains($0.person) ? 1 : 0) })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (String, Int64, Int64, Int64) {
            try row.decode((String, Int64, Int64, Int64).self)
        }
    }
}
