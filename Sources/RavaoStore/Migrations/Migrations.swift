/// Every migration, in order. Append only.
///
/// Conventions that keep one SQL text valid on both engines: ids are TEXT (UUIDs or random codes),
/// times are BIGINT Unix seconds (UTC), flags are BIGINT 0/1.
enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "foundation") { _ in
            [
                """
                CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)
                """,
                """
                CREATE TABLE admin_units (
                    scheme TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL, division_type TEXT NOT NULL,
                    level TEXT NOT NULL, parent_code TEXT, name_folded TEXT NOT NULL,
                    PRIMARY KEY (scheme, code))
                """,
                "CREATE INDEX admin_units_parent ON admin_units (scheme, parent_code)",
                """
                CREATE TABLE accounts (
                    id TEXT PRIMARY KEY, phone TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL DEFAULT '',
                    language TEXT NOT NULL DEFAULT 'vi', created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE otp_challenges (
                    id TEXT PRIMARY KEY, phone TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL,
                    ip TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                    attempts BIGINT NOT NULL DEFAULT 0, consumed_at BIGINT)
                """,
                "CREATE INDEX otp_challenges_phone ON otp_challenges (phone, created_at)",
                "CREATE INDEX otp_challenges_ip ON otp_challenges (ip, created_at)",
                """
                CREATE TABLE otp_failures (ip TEXT NOT NULL, phone TEXT NOT NULL, at BIGINT NOT NULL)
                """,
                "CREATE INDEX otp_failures_ip ON otp_failures (ip, at)",
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts (id),
                    kind TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL,
                    ip TEXT NOT NULL, user_agent TEXT NOT NULL DEFAULT '', revoked_at BIGINT)
                """,
                "CREATE INDEX sessions_account ON sessions (account_id)",
                """
                CREATE TABLE places (
                    id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, type TEXT NOT NULL,
                    units_scheme TEXT NOT NULL, ward_code TEXT NOT NULL, district_code TEXT, province_code TEXT NOT NULL,
                    address TEXT NOT NULL, parent_id TEXT REFERENCES places (id), plate TEXT,
                    default_stay_minutes BIGINT NOT NULL, registrant_name TEXT NOT NULL, registrant_phone TEXT NOT NULL,
                    created_by TEXT NOT NULL REFERENCES accounts (id), created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL, deleted_at BIGINT, search_text TEXT NOT NULL)
                """,
                "CREATE INDEX places_ward ON places (ward_code)",
                "CREATE INDEX places_province ON places (province_code)",
                "CREATE INDEX places_parent ON places (parent_id)",
                "CREATE UNIQUE INDEX places_plate ON places (plate) WHERE plate IS NOT NULL AND deleted_at IS NULL",
                """
                CREATE TABLE retired_place_codes (
                    code TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), retired_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE place_roles (
                    place_id TEXT NOT NULL REFERENCES places (id), account_id TEXT NOT NULL REFERENCES accounts (id),
                    role TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (place_id, account_id))
                """,
                "CREATE INDEX place_roles_account ON place_roles (account_id)",
                """
                CREATE TABLE place_access_requests (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id),
                    account_id TEXT NOT NULL REFERENCES accounts (id), status TEXT NOT NULL,
                    created_at BIGINT NOT NULL, decided_at BIGINT, decided_by TEXT)
                """,
                "CREATE INDEX place_access_requests_place ON place_access_requests (place_id, status)",
            ]
        },
        Migration(version: 2, name: "people and check-ins") { _ in
            [
                """
                CREATE TABLE people (
                    id TEXT PRIMARY KEY, account_id TEXT UNIQUE REFERENCES accounts (id), full_name TEXT NOT NULL DEFAULT '',
                    verified BIGINT NOT NULL DEFAULT 0, token_version BIGINT NOT NULL DEFAULT 1, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE person_identifiers (
                    kind TEXT NOT NULL, value TEXT NOT NULL, person_id TEXT NOT NULL REFERENCES people (id),
                    created_at BIGINT NOT NULL, PRIMARY KEY (kind, value))
                """,
                "CREATE INDEX person_identifiers_person ON person_identifiers (person_id)",
                """
                CREATE TABLE checkins (
                    id TEXT PRIMARY KEY, client_id TEXT NOT NULL UNIQUE, place_id TEXT NOT NULL REFERENCES places (id),
                    person_id TEXT NOT NULL REFERENCES people (id), direction TEXT NOT NULL, kind TEXT NOT NULL,
                    scanned_at BIGINT NOT NULL, recorded_at BIGINT NOT NULL, scanned_by TEXT, device_id TEXT, payload TEXT NOT NULL)
                """,
                "CREATE INDEX checkins_place_time ON checkins (place_id, scanned_at)",
                "CREATE INDEX checkins_person_time ON checkins (person_id, scanned_at)",
                """
                CREATE TABLE rejected_scans (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), client_id TEXT, payload TEXT NOT NULL,
                    reason TEXT NOT NULL, scanned_by TEXT, device_id TEXT, at BIGINT NOT NULL)
                """,
                "CREATE INDEX rejected_scans_place ON rejected_scans (place_id, at)",
            ]
        },
        Migration(version: 3, name: "devices, live view and rate limits") { _ in
            [
                """
                CREATE TABLE devices (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), name TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE, created_by TEXT NOT NULL REFERENCES accounts (id), created_at BIGINT NOT NULL,
                    last_seen_at BIGINT, revoked_at BIGINT, revoked_by TEXT)
                """,
                "CREATE INDEX devices_place ON devices (place_id)",
                // The live view and the poster receipt follow what arrived, in arrival order, per place.
                "CREATE INDEX checkins_place_recorded ON checkins (place_id, recorded_at)",
                // Guest check-ins and other anonymous actions are counted here to cap them per hour.
                """
                CREATE TABLE rate_events (scope TEXT NOT NULL, subject TEXT NOT NULL, at BIGINT NOT NULL)
                """,
                "CREATE INDEX rate_events_lookup ON rate_events (scope, subject, at)",
            ]
        },
        Migration(version: 4, name: "citizens and health") { _ in
            [
                // Profile (H1) and dependents (H3): a dependent is a person without an account whose
                // guardian is another person; handing over sets account_id and clears guardian_id.
                "ALTER TABLE people ADD COLUMN birth_date TEXT",
                "ALTER TABLE people ADD COLUMN gender TEXT",
                "ALTER TABLE people ADD COLUMN ward_code TEXT",
                "ALTER TABLE people ADD COLUMN address TEXT",
                "ALTER TABLE people ADD COLUMN guardian_id TEXT REFERENCES people (id)",
                "ALTER TABLE people ADD COLUMN handover_phone TEXT",
                "ALTER TABLE people ADD COLUMN token_issued_at BIGINT",
                "ALTER TABLE people ADD COLUMN updated_at BIGINT",
                // A card-first person merged into a citizen keeps its row (check-ins move) so old ids resolve.
                "ALTER TABLE people ADD COLUMN merged_into TEXT",
                "CREATE INDEX people_guardian ON people (guardian_id)",
                "CREATE INDEX people_handover ON people (handover_phone)",
                """
                CREATE TABLE declarations (
                    id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people (id), symptoms TEXT NOT NULL,
                    contact BIGINT NOT NULL, visited_wards TEXT NOT NULL, declared_by TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX declarations_person ON declarations (person_id, created_at)",
                """
                CREATE TABLE vaccinations (
                    id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people (id), vaccine TEXT NOT NULL,
                    dose_date TEXT NOT NULL, verified BIGINT NOT NULL, recorded_by TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX vaccinations_person ON vaccinations (person_id)",
                """
                CREATE TABLE health_tests (
                    id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people (id), kind TEXT NOT NULL, result TEXT NOT NULL,
                    test_date TEXT NOT NULL, verified BIGINT NOT NULL, recorded_by TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX health_tests_person ON health_tests (person_id)",
                // Epidemic zones (A6): a unit of any level; ends_at NULL while in force.
                """
                CREATE TABLE zones (
                    id TEXT PRIMARY KEY, unit_code TEXT NOT NULL, level TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT,
                    declared_by TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX zones_unit ON zones (unit_code)",
                // F0/F1/F2 marks (A4); cleared_at set when an officer lifts one.
                """
                CREATE TABLE person_marks (
                    id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people (id), mark TEXT NOT NULL, source TEXT NOT NULL,
                    set_by TEXT NOT NULL, set_at BIGINT NOT NULL, cleared_at BIGINT)
                """,
                "CREATE INDEX person_marks_person ON person_marks (person_id)",
                // H8: a tracing run or place alert listed this person (what, where, when); dismissed by the citizen.
                """
                CREATE TABLE exposures (
                    id TEXT PRIMARY KEY, person_id TEXT NOT NULL REFERENCES people (id), source TEXT NOT NULL, place_id TEXT,
                    from_at BIGINT, to_at BIGINT, level BIGINT, created_by TEXT NOT NULL, created_at BIGINT NOT NULL, dismissed_at BIGINT)
                """,
                "CREATE INDEX exposures_person ON exposures (person_id)",
            ]
        },
        Migration(version: 5, name: "sharing, place history, unmasked views") { _ in
            [
                // A share invites a phone number to a role; it grants the role once its SMS code is confirmed
                // and the phone has an account (at once, or at that phone's first sign-in).
                """
                CREATE TABLE place_shares (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), phone TEXT NOT NULL, role TEXT NOT NULL,
                    status TEXT NOT NULL, code_hash TEXT NOT NULL, code_expires_at BIGINT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0,
                    expires_at BIGINT, account_id TEXT REFERENCES accounts (id), created_by TEXT NOT NULL REFERENCES accounts (id),
                    created_at BIGINT NOT NULL, confirmed_at BIGINT, revoked_at BIGINT, revoked_by TEXT)
                """,
                "CREATE INDEX place_shares_place ON place_shares (place_id, created_at)",
                "CREATE INDEX place_shares_phone ON place_shares (phone, status)",
                // A role granted by a share ends with it: expiry is checked on every role read.
                "ALTER TABLE place_roles ADD COLUMN expires_at BIGINT",
                "ALTER TABLE place_roles ADD COLUMN share_id TEXT",
                // Append-only audit trail of a place (S2), paged newest first by (at, id).
                """
                CREATE TABLE place_history (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), at BIGINT NOT NULL, account_id TEXT,
                    ip TEXT NOT NULL, action TEXT NOT NULL, via TEXT NOT NULL, details TEXT NOT NULL)
                """,
                "CREATE INDEX place_history_place ON place_history (place_id, at)",
                "CREATE INDEX place_history_account ON place_history (account_id, at)",
                // Every time someone saw a person's data unmasked (S4), for the citizen to read.
                """
                CREATE TABLE unmasked_views (
                    id TEXT PRIMARY KEY, viewer_account_id TEXT, person_id TEXT NOT NULL, place_id TEXT, reason TEXT NOT NULL, at BIGINT NOT NULL)
                """,
                "CREATE INDEX unmasked_views_person ON unmasked_views (person_id, at)",
                // Entry controllers see their own scans; work history counts them per day.
                "CREATE INDEX checkins_scanner ON checkins (scanned_by, scanned_at)",
            ]
        },
        Migration(version: 6, name: "authorities") { _ in
            [
                // Officers (A1): one jurisdiction per account, a unit code of any level or 'VN' for the whole country.
                """
                CREATE TABLE officers (
                    account_id TEXT PRIMARY KEY REFERENCES accounts (id), unit_code TEXT NOT NULL, functions TEXT NOT NULL,
                    created_by TEXT, created_at BIGINT NOT NULL, revoked_at BIGINT)
                """,
                "CREATE INDEX officers_unit ON officers (unit_code)",
                // District officers (2021 list) count and trace by district.
                "CREATE INDEX places_district ON places (district_code)",
                // Dashboard rollups (A2), kept in the check-in transaction: scans per place and local day
                // (UTC+7, day = days since 1970-01-01), and who was seen there that day, for distinct people.
                """
                CREATE TABLE place_days (
                    place_id TEXT NOT NULL, day BIGINT NOT NULL, scans BIGINT NOT NULL, PRIMARY KEY (place_id, day))
                """,
                """
                CREATE TABLE place_day_people (
                    place_id TEXT NOT NULL, day BIGINT NOT NULL, person_id TEXT NOT NULL, PRIMARY KEY (place_id, day, person_id))
                """,
                // Whose personal data an officer saw unmasked, and what an officer did (tracing, marks, alerts).
                """
                CREATE TABLE officer_audit (
                    id TEXT PRIMARY KEY, account_id TEXT NOT NULL, action TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL,
                    at BIGINT NOT NULL)
                """,
                "CREATE INDEX officer_audit_account ON officer_audit (account_id, at)",
                "CREATE INDEX officer_audit_subject ON officer_audit (subject, at)",
                // Place alerts (A5): the window an officer marked; owners are told the window, never the case.
                """
                CREATE TABLE place_alerts (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), from_at BIGINT NOT NULL, to_at BIGINT NOT NULL,
                    people BIGINT NOT NULL, created_by TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX place_alerts_place ON place_alerts (place_id, created_at)",
                // Check-ins recorded before this migration count too.
                """
                INSERT INTO place_days (place_id, day, scans)
                SELECT place_id, (scanned_at + 25200) / 86400, COUNT(*) FROM checkins GROUP BY place_id, (scanned_at + 25200) / 86400
                """,
                """
                INSERT INTO place_day_people (place_id, day, person_id)
                SELECT DISTINCT place_id, (scanned_at + 25200) / 86400, person_id FROM checkins
                """,
            ]
        },
        Migration(version: 7, name: "organisations, rosters and board shares") { _ in
            [
                """
                CREATE TABLE orgs (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, trip_gap_minutes BIGINT NOT NULL DEFAULT 45,
                    created_by TEXT NOT NULL REFERENCES accounts (id), created_at BIGINT NOT NULL)
                """,
                // Members are named by phone, so a park board can be given access before it ever signs in.
                """
                CREATE TABLE org_members (
                    org_id TEXT NOT NULL REFERENCES orgs (id), phone TEXT NOT NULL, role TEXT NOT NULL,
                    added_by TEXT, created_at BIGINT NOT NULL, PRIMARY KEY (org_id, phone))
                """,
                "CREATE INDEX org_members_phone ON org_members (phone)",
                """
                CREATE TABLE org_places (
                    org_id TEXT NOT NULL REFERENCES orgs (id), place_id TEXT NOT NULL REFERENCES places (id),
                    added_by TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (org_id, place_id))
                """,
                "CREATE INDEX org_places_place ON org_places (place_id)",
                """
                CREATE TABLE roster_entries (
                    id TEXT PRIMARY KEY, org_id TEXT NOT NULL REFERENCES orgs (id), employee_number TEXT NOT NULL DEFAULT '',
                    full_name TEXT NOT NULL, phone TEXT, cccd TEXT, bhyt TEXT, department TEXT NOT NULL DEFAULT '',
                    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX roster_entries_department ON roster_entries (org_id, department)",
                // Coverage joins the day's identifiers to the roster through these, one index probe per key.
                "CREATE UNIQUE INDEX roster_entries_phone ON roster_entries (org_id, phone) WHERE phone IS NOT NULL",
                "CREATE UNIQUE INDEX roster_entries_cccd ON roster_entries (org_id, cccd) WHERE cccd IS NOT NULL",
                "CREATE UNIQUE INDEX roster_entries_bhyt ON roster_entries (org_id, bhyt) WHERE bhyt IS NOT NULL",
                "CREATE UNIQUE INDEX roster_entries_number ON roster_entries (org_id, employee_number) WHERE employee_number <> ''",
                // Coverage reads only this index for each employee, then the table only for those missing.
                "CREATE INDEX roster_entries_match ON roster_entries (org_id, cccd, phone, bhyt, id)",
                // Who was seen, by identifier, per organisation, local day and place: kept up to date from
                // `checkins` by `recorded_at` (OrgStore.refreshPresence), so a coverage query probes this
                // index once per employee instead of de-duplicating the day's check-ins every time.
                """
                CREATE TABLE org_presence (
                    org_id TEXT NOT NULL, day BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, place_id TEXT NOT NULL,
                    PRIMARY KEY (org_id, day, kind, value, place_id))
                """,
                """
                CREATE TABLE org_presence_marks (
                    org_id TEXT NOT NULL, place_id TEXT NOT NULL, recorded_through BIGINT NOT NULL, refreshed_at BIGINT NOT NULL,
                    PRIMARY KEY (org_id, place_id))
                """,
            ]
        },
        Migration(version: 8, name: "dashboard rollups per unit") { _ in
            // See DashboardRollups: scans per unit and day, and the tallies that give distinct people and
            // active places over any range of up to 92 days without counting the people themselves.
            // Check-ins recorded before this migration count too, from the rollups of migration 6.
            let units = ["p.ward_code", "p.district_code", "p.province_code", "'VN'"]
            func perUnit(_ select: (String) -> String) -> String {
                units.map { select($0) + " WHERE \($0) IS NOT NULL" }.joined(separator: " UNION ALL ")
            }
            let clamp = "CASE WHEN prev IS NULL OR prev < day - 92 THEN day - 92 ELSE prev END"
            let placeChains = "(SELECT place_id, day, LAG(day) OVER (PARTITION BY place_id ORDER BY day) AS prev FROM place_days)"
            return [
                """
                CREATE TABLE unit_days (
                    scheme TEXT NOT NULL, unit_code TEXT NOT NULL, day BIGINT NOT NULL, scans BIGINT NOT NULL,
                    PRIMARY KEY (scheme, unit_code, day))
                """,
                """
                CREATE TABLE unit_people_days (
                    scheme TEXT NOT NULL, unit_code TEXT NOT NULL, person_id TEXT NOT NULL, day BIGINT NOT NULL,
                    PRIMARY KEY (scheme, unit_code, person_id, day))
                """,
                """
                CREATE TABLE unit_day_tallies (
                    scheme TEXT NOT NULL, unit_code TEXT NOT NULL, kind TEXT NOT NULL, day BIGINT NOT NULL, prev_day BIGINT NOT NULL,
                    n BIGINT NOT NULL, PRIMARY KEY (scheme, unit_code, kind, day, prev_day))
                """,
                """
                INSERT INTO unit_days (scheme, unit_code, day, scans)
                SELECT scheme, unit_code, day, SUM(scans) FROM (\(perUnit { "SELECT p.units_scheme AS scheme, \($0) AS unit_code, d.day, d.scans FROM place_days d JOIN places p ON p.id = d.place_id" })) t
                GROUP BY scheme, unit_code, day
                """,
                """
                INSERT INTO unit_people_days (scheme, unit_code, person_id, day)
                SELECT DISTINCT scheme, unit_code, person_id, day FROM (\(perUnit { "SELECT p.units_scheme AS scheme, \($0) AS unit_code, x.person_id, x.day FROM place_day_people x JOIN places p ON p.id = x.place_id" })) t
                """,
                """
                INSERT INTO unit_day_tallies (scheme, unit_code, kind, day, prev_day, n)
                SELECT scheme, unit_code, 'people', day, \(clamp), COUNT(*) FROM (
                    SELECT scheme, unit_code, day, LAG(day) OVER (PARTITION BY scheme, unit_code, person_id ORDER BY day) AS prev FROM unit_people_days) t
                GROUP BY scheme, unit_code, day, \(clamp)
                """,
                """
                INSERT INTO unit_day_tallies (scheme, unit_code, kind, day, prev_day, n)
                SELECT scheme, unit_code, 'places', day, \(clamp), COUNT(*) FROM (\(perUnit { "SELECT p.units_scheme AS scheme, \($0) AS unit_code, d.day, d.prev FROM \(placeChains) d JOIN places p ON p.id = d.place_id" })) t
                GROUP BY scheme, unit_code, day, \(clamp)
                """,
            ]
        },
        Migration(version: 9, name: "coverage: presence keyed by identifier first, roster version") { kind in
            // A coverage query probes `org_presence` once or twice per employee (30,000 probes for a
            // large roster). Keyed (org_id, day, ...), every comparison in those probes first walks
            // the same 36-character org id and the same day; keyed by the identifying value first,
            // almost every comparison ends at the first column: half the instructions (callgrind).
            // The history chart and a place leaving the organisation read through the second index,
            // which leaves out `kind` on purpose: with (org_id, day, kind) plus the key's `value`
            // appended, the planner took it for the probes too, org id first again.
            switch kind {
            case .sqlite:
                return [
                    """
                    CREATE TABLE org_presence_by_value (
                        org_id TEXT NOT NULL, day BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, place_id TEXT NOT NULL,
                        PRIMARY KEY (value, day, org_id, kind, place_id)) WITHOUT ROWID
                    """,
                    "INSERT INTO org_presence_by_value (org_id, day, kind, value, place_id) SELECT org_id, day, kind, value, place_id FROM org_presence",
                    "DROP TABLE org_presence",
                    "ALTER TABLE org_presence_by_value RENAME TO org_presence",
                    "CREATE INDEX org_presence_org ON org_presence (org_id, day, place_id)",
                    Self.coverageVersion,
                ]
            case .postgres:
                // PostgreSQL hashes the day's values of one kind for an anti-join; (org_id, day, kind,
                // value) gives it them from the index alone. Its indexes carry no hidden key columns,
                // so the planner keeps probing through the primary key.
                return [
                    "ALTER TABLE org_presence DROP CONSTRAINT org_presence_pkey",
                    "ALTER TABLE org_presence ADD PRIMARY KEY (value, day, org_id, kind, place_id)",
                    "CREATE INDEX org_presence_org ON org_presence (org_id, day, kind, value)",
                    Self.coverageVersion,
                ]
            }
        },
        Migration(version: 10, name: "places counted by unit from an index") { _ in
            [
                // The dashboard counts a province's registered places per ward (or district): with
                // this index it reads only the index, not thousands of place rows.
                """
                CREATE INDEX places_unit_counts ON places (province_code, units_scheme, district_code, ward_code, created_at)
                WHERE deleted_at IS NULL
                """,
            ]
        },
        Migration(version: 11, name: "check-ins by place with who and which way") { _ in
            [
                // Tracing reads a place's check-ins over a window and its 24 h margins and judges each
                // one by its direction and person: with both in the index it never visits the table.
                // It replaces the (place_id, scanned_at) index, of which it is an extension.
                "CREATE INDEX checkins_place_cover ON checkins (place_id, scanned_at, direction, person_id)",
                "DROP INDEX checkins_place_time",
            ]
        },
        Migration(version: 12, name: "stays kept as check-ins are written") { _ in
            // See StayRollups. The indexes come after the backfill: building them once is faster than
            // keeping them up to date through millions of inserts.
            [
                """
                CREATE TABLE stays (
                    place_id TEXT NOT NULL, person_id TEXT NOT NULL, started_at BIGINT NOT NULL, ended_at BIGINT NOT NULL,
                    span_class BIGINT NOT NULL, closed BIGINT NOT NULL)
                """,
            ] + StayRollups.backfill + [
                "CREATE INDEX stays_place ON stays (place_id, span_class, started_at, ended_at, person_id)",
                "CREATE INDEX stays_person ON stays (person_id, started_at)",
            ]
        },
        Migration(version: 13, name: "exposures cleared by officers, acknowledged by citizens") { _ in
            [
                // A citizen used to "dismiss" an exposure, which removed the alert from their status. Now
                // the citizen only acknowledges it (or asks for a review, with a note); the alert stays
                // in force until its validity ends or a health officer clears it. Earlier dismissals
                // become acknowledgements: they never had the power to clear an officer's record.
                "ALTER TABLE exposures ADD COLUMN acknowledged_at BIGINT",
                "ALTER TABLE exposures ADD COLUMN review_requested_at BIGINT",
                "ALTER TABLE exposures ADD COLUMN review_note TEXT",
                "ALTER TABLE exposures ADD COLUMN cleared_at BIGINT",
                "ALTER TABLE exposures ADD COLUMN cleared_by TEXT",
                "UPDATE exposures SET acknowledged_at = dismissed_at WHERE dismissed_at IS NOT NULL",
                "CREATE INDEX exposures_person_time ON exposures (person_id, created_at)",
            ]
        },
        Migration(version: 14, name: "distinct items in rate limits") { _ in
            [
                // Typed phone and ID numbers at the door are limited by how many *different* ones an
                // account or place types in an hour; the item is a keyed hash, never the number itself.
                "ALTER TABLE rate_events ADD COLUMN item TEXT",
                "CREATE INDEX rate_events_items ON rate_events (scope, subject, item, at)",
            ]
        },
        Migration(version: 15, name: "retention and tracing cases") { _ in
            [
                // A case an officer opened holds its window against the nightly retention purge.
                """
                CREATE TABLE tracing_cases (
                    id TEXT PRIMARY KEY, person_id TEXT NOT NULL, opened_by TEXT NOT NULL, unit_code TEXT NOT NULL,
                    from_at BIGINT NOT NULL, to_at BIGINT NOT NULL, note TEXT NOT NULL, opened_at BIGINT NOT NULL,
                    closed_at BIGINT, closed_by TEXT)
                """,
                "CREATE INDEX tracing_cases_open ON tracing_cases (closed_at, from_at)",
                // The purge reads the oldest rows first; without these it would scan every table each night.
                "CREATE INDEX checkins_time ON checkins (scanned_at)",
                "CREATE INDEX rejected_scans_time ON rejected_scans (at)",
                "CREATE INDEX unmasked_views_time ON unmasked_views (at)",
                "CREATE INDEX declarations_time ON declarations (created_at)",
                "CREATE INDEX exposures_time ON exposures (created_at)",
            ]
        },
        Migration(version: 16, name: "privilege granted by officers, not chosen with a type") { _ in
            [
                // Full personal data at a hospital or checkpoint was decided by the place's type, which its
                // owner picks. Now a health officer grants it (and may revoke it); the type decides
                // nothing, so places that relied on their type are masked until an officer grants them.
                "ALTER TABLE places ADD COLUMN privileged_since BIGINT",
                """
                CREATE TABLE privilege_grants (
                    id TEXT PRIMARY KEY, place_id TEXT NOT NULL REFERENCES places (id), granted_by TEXT NOT NULL,
                    granted_at BIGINT NOT NULL, note TEXT NOT NULL, revoked_at BIGINT, revoked_by TEXT)
                """,
                "CREATE INDEX privilege_grants_place ON privilege_grants (place_id, granted_at)",
            ]
        },
        Migration(version: 17, name: "officers remember which list their unit is from") { _ in
            [
                // Unit codes are reused across the 2021 and 2025 lists for different areas; an officer's
                // code means what it meant in the list it was given under.
                "ALTER TABLE officers ADD COLUMN unit_scheme TEXT",
                "UPDATE officers SET unit_scheme = COALESCE((SELECT value FROM settings WHERE key = 'units_scheme'), '2025')",
            ]
        },
        Migration(version: 18, name: "unproven card numbers") { _ in
            [
                // A CCCD/BHYT number a citizen typed on a profile while a card-first record already holds
                // it: kept on the profile, but the card's identifier (and its scans) stay with that record
                // until the citizen proves the card with its own QR (trust rule 5).
                "ALTER TABLE people ADD COLUMN cccd_claim TEXT",
                "ALTER TABLE people ADD COLUMN bhyt_claim TEXT",
            ]
        },
        Migration(version: 19, name: "typed card numbers link nothing") { _ in
            [
                // Until now a number typed on a profile that no record held linked to the typist (and stayed
                // "unverified" in the claim column). Such links go: the card's later scans make a card-first
                // record that only the card's own QR moves (trust rule 5). Scans already recorded under the
                // typist stay where they are, as they do when a citizen changes a number.
                "DELETE FROM person_identifiers WHERE kind = 'cccd' AND EXISTS (SELECT 1 FROM people p WHERE p.id = person_identifiers.person_id AND p.cccd_claim = person_identifiers.value)",
                "DELETE FROM person_identifiers WHERE kind = 'bhyt' AND EXISTS (SELECT 1 FROM people p WHERE p.id = person_identifiers.person_id AND p.bhyt_claim = person_identifiers.value)",
                "CREATE INDEX people_cccd_claim ON people (cccd_claim)",
                "CREATE INDEX people_bhyt_claim ON people (bhyt_claim)",
            ]
        },
        Migration(version: 20, name: "derived tables follow check-ins through a queue; day counters") { kind in
            [
                // See CheckInProjector: the check-in transaction only queues what the rollups and stays
                // need; the projector applies it in large batches and deletes it in one transaction.
                // AUTOINCREMENT on SQLite so a number is never reused once the queue empties: a reader
                // waiting for "everything queued up to n" must not wait for later check-ins.
                kind == .postgres
                    ? "CREATE TABLE checkin_projection (seq BIGSERIAL PRIMARY KEY, place_id TEXT NOT NULL, person_id TEXT NOT NULL, scanned_at BIGINT NOT NULL, queued_at BIGINT NOT NULL)"
                    : "CREATE TABLE checkin_projection (seq INTEGER PRIMARY KEY AUTOINCREMENT, place_id TEXT NOT NULL, person_id TEXT NOT NULL, scanned_at BIGINT NOT NULL, queued_at BIGINT NOT NULL)",
                // A scan's answer shows the place's entries and exits today: counted as they are written
                // rather than by a range count over the day's check-ins on every scan.
                """
                CREATE TABLE place_day_counts (
                    place_id TEXT NOT NULL, day BIGINT NOT NULL, entries BIGINT NOT NULL, exits BIGINT NOT NULL, PRIMARY KEY (place_id, day))
                """,
                """
                INSERT INTO place_day_counts (place_id, day, entries, exits)
                SELECT place_id, (scanned_at + 25200) / 86400, SUM(CASE WHEN direction = 'out' THEN 0 ELSE 1 END),
                       SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END)
                FROM checkins GROUP BY place_id, (scanned_at + 25200) / 86400
                """,
            ]
        },
        Migration(version: 21, name: "check-ins and their rollups partitioned by day (PostgreSQL)") { kind in
            // See DayPartitions. SQLite keeps its plain tables (and `checkins.client_id UNIQUE`): a
            // single-file deployment never holds a national month of check-ins.
            kind == .postgres ? DayPartitions.migration : []
        },
        Migration(version: 22, name: "day partitions made without deadlocking the check-in writer (PostgreSQL)") { kind in
            kind == .postgres ? DayPartitions.lockOrder : []
        },
        Migration(version: 23, name: "a staff account's scans indexed without the kiosks' ones") { _ in
            // Only `scanned_by = ?` reads this index (a staff member's own scans), which never matches a
            // kiosk's or a citizen's check-in (NULL): those were one index entry each for nothing, on
            // every scan a kiosk sends (issue 16).
            ["DROP INDEX checkins_scanner",
             "CREATE INDEX checkins_scanner ON checkins (scanned_by, scanned_at) WHERE scanned_by IS NOT NULL"]
        },
        Migration(version: 24, name: "people's optional links indexed only where set") { _ in
            // A person first seen at a door (most people) has no guardian, handover phone or claimed card:
            // four index entries of NULL each, written with every first scan and read by no query (each
            // looks one of them up by value, `= ?`, which both engines answer from these indexes).
            ["guardian" : "guardian_id", "handover": "handover_phone", "cccd_claim": "cccd_claim", "bhyt_claim": "bhyt_claim"]
                .sorted { $0.key < $1.key }
                .flatMap { name, column in
                    ["DROP INDEX people_\(name)", "CREATE INDEX people_\(name) ON people (\(column)) WHERE \(column) IS NOT NULL"]
                }
        },
        Migration(version: 25, name: "check-ins without foreign-key checks (PostgreSQL)") { kind in
            // Each check-in's two checks were a query per row, and each locked the person's and the
            // place's rows (KEY SHARE): with the projector's own lock on the same person, PostgreSQL
            // records both lockers in a multixact. That was 10–30 µs of PostgreSQL a scan (issue 16)
            // for a guarantee the schema keeps otherwise: people and places are never deleted (a merge
            // leaves the old person as a pointer, a place is closed with `deleted_at`), and the writer
            // names only people it read or created in the same transaction, at places the request
            // resolved. SQLite keeps its checks, which cost it an index lookup and no lock.
            kind == .postgres
                ? ["ALTER TABLE checkins DROP CONSTRAINT checkins_person_id_fkey", "ALTER TABLE checkins DROP CONSTRAINT checkins_place_id_fkey"]
                : []
        },
        Migration(version: 26, name: "people not yet in the dashboard rollups listed") { _ in
            // The check-in writer lists each person it creates here, and the projector pass that first
            // counts them takes them off (DashboardRollups.add): until then they have no row in
            // `unit_people_days` or `place_day_people`, so the pass need not look up their chains.
            // Everyone else is looked up as before. A table of its own, because marking `people` rows
            // cost an update of a full row (and its index entries) a person, and left the large table
            // to vacuum; this one holds only the projector's lag's worth of people.
            ["CREATE TABLE unprojected_people (person_id TEXT PRIMARY KEY)"]
        },
        Migration(version: 27, name: "a first scan's card link without a foreign-key check (PostgreSQL)") { kind in
            // As migration 25 for check-ins: a person first seen at a door gets a card link in the same
            // statement that creates them, and its check was a query and a KEY SHARE lock on that new
            // row (~4 µs of PostgreSQL a first scan, issue 16). Every writer of this table names a person
            // it read or created in the same transaction, and people are never deleted. SQLite keeps
            // its check.
            kind == .postgres ? ["ALTER TABLE person_identifiers DROP CONSTRAINT person_identifiers_person_id_fkey"] : []
        },
        Migration(version: 28, name: "the projector's queue says which way each check-in went") { _ in
            // A pass that counts a person for the first time makes their stays from its own rows instead
            // of reading their check-ins back (StayRollups.add). Rows queued before this have none and
            // are read as before.
            ["ALTER TABLE checkin_projection ADD COLUMN direction TEXT"]
        },
    ]

    /// Bumped by every change that can add an employee to a day's missing list (OrgStore.rosterChanged).
    static let coverageVersion = "ALTER TABLE orgs ADD COLUMN coverage_version BIGINT NOT NULL DEFAULT 0"
}
