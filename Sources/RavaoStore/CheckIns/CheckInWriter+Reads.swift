import Foundation
import PostgresNIO
import RavaoCore
import SQLKit

extension CheckInWriter {
    /// What a batch reads before it resolves its check-ins. Supersets are fine: every use looks up by
    /// key (a card, a phone, a person), so rows for check-ins that turn out to be retries change nothing.
    struct Known {
        /// PostgreSQL: the batch's client ids already in `checkin_keys` (their check-ins are read next).
        /// SQLite: nil, its check-in read finds them itself.
        var recordedClientIds: [String]?
        /// Who holds each of the batch's cards and phones.
        var owners: [CheckInStore.Identifier: UUID] = [:]
        /// The citizens whose accounts are the batch's phone numbers.
        var accountPeople: [String: UUID] = [:]
        /// The people behind `owners`, `accountPeople` and the batch's tokens.
        var people: [UUID: PersonRow] = [:]
        /// Their health facts, by person id, when a window was given.
        var facts: [String: HealthFacts]?

        static func read(_ checkIns: [CheckInStore.NewCheckIn], window: HealthStore.FactsWindow?, db: any SQLDatabase) async throws -> Known {
            let identifiers = Set(checkIns.flatMap(\.identifiers))
            let phones = identifiers.filter { $0.kind == "phone" }.map(\.value)
            let proven = Set(checkIns.compactMap(\.provenPerson))
            if db.dialect.name == "sqlite" {
                var known = Known(recordedClientIds: nil)
                known.owners = try await identifierOwners(Array(identifiers), db: db)
                known.accountPeople = try await CheckInWriter.accountPeople(phones: phones, db: db)
                let ids = proven.union(known.owners.values).union(known.accountPeople.values)
                known.people = try await peopleRows(ids: Array(ids), db: db)
                if let window { known.facts = try await HealthStore.facts(of: ids.map(\.text), window: window, db: db) }
                return known
            }
            guard let postgres = db as? PostgresConnectionSQL else { throw NotOnPostgresConnection() }
            let pairs = Array(identifiers)
            let read = Read(kinds: pairs.map(\.kind), values: pairs.map(\.value), phones: phones,
                            proven: proven.map(\.text), clientIds: checkIns.map(\.clientId.text),
                            declarationsSince: window?.declarationsSince ?? .max, exposuresSince: window?.exposuresSince ?? .max)
            var known = Known(recordedClientIds: [])
            var facts: [String: HealthFacts] = [:]
            for (p, k, a, t1, t2, t3, n) in try await postgres.rows(read) {
                switch k {
                case "K": known.recordedClientIds!.append(p)
                case "O": known.owners[CheckInStore.Identifier(kind: t1 ?? "", value: t2 ?? "")] = UUID(text: p)!
                case "A": known.accountPeople[t1 ?? ""] = UUID(text: p)!
                case "P": known.people[UUID(text: p)!] = PersonRow(fullName: t1 ?? "", tokenVersion: Int(n ?? 1), isCitizen: a != 0, birthDate: t2)
                default: HealthStore.add(kind: k, a: a, t1: t1, t2: t2, t3: t3, n: n, to: &facts[p, default: HealthFacts()])
                }
            }
            if window != nil { known.facts = HealthStore.sorted(facts) }
            return known
        }

        /// PostgreSQL: the batch's reads as one prepared statement: one round trip where the separate
        /// reads were four and the status read a fifth, and a plan PostgreSQL keeps (planning the
        /// statement anew cost ~0.5 ms a batch, more than running it). Each part is an index lookup by
        /// array (`= ANY`), as the reads were:
        /// - cards and phones by (kind, value), one primary-key lookup per pair (`LATERAL … OFFSET 0`, so
        ///   it is not flattened into a join): whatever the tables' statistics when the plan is made, an
        ///   equality on the whole key leaves it one plan. As `kind = ANY($1) AND value = ANY($2)`, three
        ///   benchmark runs on new databases spent 233–274 µs of PostgreSQL a scan on this read instead of
        ///   25–35, as if the kept plan ranged over every card of a kind (the index on `kind` alone);
        /// - the people of the cards and phones come from an array the statement builds itself (`ids`),
        ///   so no part is planned as a join of the batch with a whole table (a join of owners and people
        ///   measured slower, RESULTS.md).
        /// The rows come in `HealthStore.factsSelect`'s columns, the batch's own kinds in capitals. With
        /// no health rules the window is empty and the facts that have no time are read and dropped.
        struct Read: PostgresPreparedStatement {
            /// PostgresNIO names a statement by reflecting on its type each time it runs (2 % of the writer's thread).
            static let name = "ravao_writer_read"
            static let sql = """
                WITH o AS MATERIALIZED (SELECT i.kind, i.value, i.person_id FROM unnest($1::text[], $2::text[]) AS w(kind, value)
                    CROSS JOIN LATERAL (SELECT kind, value, person_id FROM person_identifiers i WHERE i.kind = w.kind AND i.value = w.value OFFSET 0) i),
                a AS MATERIALIZED (SELECT a.phone, p.id FROM accounts a JOIN people p ON p.account_id = a.id WHERE a.phone = ANY($3::text[])),
                ids AS MATERIALIZED (SELECT ARRAY(SELECT person_id FROM o UNION SELECT id FROM a) || $4::text[] AS v)
                SELECT client_id AS p, 'K' AS k, NULL::bigint AS a, NULL::text AS t1, NULL::text AS t2, NULL::text AS t3, NULL::bigint AS n
                    FROM checkin_keys WHERE client_id = ANY($5::text[])
                UNION ALL SELECT person_id, 'O', NULL, kind, value, NULL, NULL FROM o
                UNION ALL SELECT id, 'A', NULL, phone, NULL, NULL, NULL FROM a
                UNION ALL SELECT id, 'P', CASE WHEN account_id IS NULL AND guardian_id IS NULL THEN 0 ELSE 1 END, full_name, birth_date, NULL, token_version
                    FROM people WHERE id = ANY((SELECT v FROM ids)::text[])
                UNION ALL
                """ + "\n" + HealthStore.factsSelect(declarationsSince: "$6", exposuresSince: "$7") { "\($0) = ANY((SELECT v FROM ids)::text[])" }

            let kinds: [String], values: [String], phones: [String], proven: [String], clientIds: [String]
            let declarationsSince: Int64, exposuresSince: Int64

            func makeBindings() throws -> PostgresBindings {
                var bindings = PostgresBindings(capacity: 7)
                for array in [kinds, values, phones, proven, clientIds] { bindings.append(array) }
                bindings.append(declarationsSince)
                bindings.append(exposuresSince)
                return bindings
            }

            func decodeRow(_ row: PostgresRow) throws -> (String, String, Int64?, String?, String?, String?, Int64?) {
                try row.decode((String, String, Int64?, String?, String?, String?, Int64?).self)
            }
        }
    }
}

