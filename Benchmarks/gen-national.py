#!/usr/bin/env python3
"""Fills a migrated Ravao PostgreSQL database with a national-scale month of check-ins (issue 19).

Usage: gen-national.py DATABASE_URL CHECKINS [--people N] [--days 28] [--seed 1] [--status FILE] [--deadline HH:MM]

Run `ravao migrate --database DATABASE_URL` first (the server's own schema, with check-ins and their
rollups partitioned by day, migration 21), then this script, then `ravao rebuild-rollups` (the
per-unit rollups and the stays, computed by the server's own statements), then this script again with
`--finish`. Rows go in with COPY (psql's `\\copy` from this script's output); the indexes, primary
keys and foreign keys are dropped for the load and built by `--finish`, one partition at a time, which
is faster than keeping them up to date row by row and needs little temporary space.

The mix, scaled to CHECKINS over DAYS full local days ending yesterday (shares of the check-ins):
- factories (30 %): workers enter at their shift's start (06:00, 14:00 or 22:00 ± 15 min) and leave
  8 h later, six days in seven, at their factory's kiosk;
- apartment blocks (25 %): residents leave in the morning and come home in the evening (kiosk);
- markets (20 %): heavy-tailed popularity, 70 % of visits with an exit 10 min–2 h later, the
  market's guard scanning;
- buses (15 %): commuters ride in the morning and evening, on and off 10–60 min later (kiosk);
- shops, restaurants, supermarkets, schools, hospitals (10 %): a visit, half with an exit.
Every check-in is a CCCD card scan; the payload is the card's QR text (as the server stores it).
Every person has a CCCD identifier. One organisation owns the first factory, with its workers
on the roster, for the coverage query.
"""
import argparse, datetime, os, random, subprocess, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("url"); ap.add_argument("checkins", type=int)
ap.add_argument("--people", type=int, default=3_000_000)
ap.add_argument("--days", type=int, default=28)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--status", default=None, help="file to write a one-line status to as the run goes")
ap.add_argument("--deadline", default=None, help="UTC HH:MM after which no more days of check-ins are generated")
ap.add_argument("--min-free-gb", type=float, default=15, help="stop generating days before the finished data set would leave less free disk than this")
ap.add_argument("--finish", action="store_true", help="after `ravao rebuild-rollups`: build the keys and indexes the load went without")
args = ap.parse_args()
rnd = random.Random(args.seed)
T0 = time.time()
LOG = []


def status(what):
    line = f"{datetime.datetime.utcnow():%H:%M:%S} UTC gen-national ({args.checkins:,} check-ins, pid {os.getpid()}, niced): {what}; started {datetime.datetime.utcfromtimestamp(T0):%H:%M} UTC, {time.time() - T0:.0f} s so far"
    print(line, flush=True)
    LOG.append(line)
    if args.status:
        with open(args.status, "w") as f: f.write(line + "\n")


# psql meta-commands: the connection's server process gets nice 19 too.
RENICE = "SELECT pg_backend_pid() AS pid \\gset\n\\setenv RPID :pid\n\\! renice -n 19 -p $RPID > /dev/null\n"


def psql(sql, quiet=True):
    """Runs SQL on a connection whose server process is reniced (the lead benchmarks on the same cores)."""
    script = RENICE + \
             "SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0;\n" + sql
    out = subprocess.run(["psql", args.url, "-1", "-v", "ON_ERROR_STOP=1", "-X", "-q", "-At"], input=script, text=True, capture_output=True)
    if out.returncode != 0:
        sys.exit(f"psql failed: {out.stderr}\n--- SQL:\n{sql[:2000]}")
    return out.stdout.strip()


class Copy:
    """A COPY FROM STDIN into `table`, fed line by line."""
    def __init__(self, table, columns):
        script = RENICE + \
                 f"\\copy {table} ({columns}) FROM STDIN\n"
        self.p = subprocess.Popen(["psql", args.url, "-v", "ON_ERROR_STOP=1", "-X", "-q"], stdin=subprocess.PIPE, text=True, bufsize=1 << 20)
        self.p.stdin.write(script)
        self.buf = []

    def row(self, line):
        self.buf.append(line)
        if len(self.buf) >= 20_000:
            self.p.stdin.write("".join(self.buf)); self.buf = []

    def close(self):
        self.p.stdin.write("".join(self.buf)); self.p.stdin.write("\\.\n"); self.p.stdin.close()
        if self.p.wait() != 0: sys.exit("COPY failed")


def uid(kind, n):
    # Valid, distinct UUID text, upper case as Swift's UUID.uuidString writes them.
    return "%08X-%04X-4%03X-8%03X-%012X" % (kind, (n >> 48) & 0xFFFF, (n >> 36) & 0xFFF, (n >> 24) & 0xFFF, n & 0xFFFFFFFFFFFF)


os.nice(19)
if args.finish:
    # Built after the load and the rollups, one partition after another (small sorts, little temp
    # space), each in its own transaction.
    for statement in ["ALTER TABLE checkins ADD PRIMARY KEY (id, scanned_at)",
                      "CREATE INDEX checkins_place_cover ON checkins (place_id, scanned_at, direction, person_id)",
                      "CREATE INDEX checkins_person_time ON checkins (person_id, scanned_at)",
                      "CREATE INDEX checkins_place_recorded ON checkins (place_id, recorded_at)",
                      "CREATE INDEX checkins_scanner ON checkins (scanned_by, scanned_at)",
                      "CREATE INDEX checkins_time ON checkins (scanned_at)",
                      "ALTER TABLE checkin_keys ADD PRIMARY KEY (client_id)",
                      "CREATE INDEX checkin_keys_time ON checkin_keys (scanned_at)",
                      "ALTER TABLE place_day_people ADD PRIMARY KEY (place_id, day, person_id)",
                      "ALTER TABLE unit_people_days ADD PRIMARY KEY (scheme, unit_code, person_id, day)",
                      "CREATE INDEX stays_place ON stays (place_id, span_class, started_at, ended_at, person_id)",
                      "CREATE INDEX stays_person ON stays (person_id, started_at)",
                      # Validated by one join each instead of a probe per row during the load.
                      "ALTER TABLE checkins ADD CONSTRAINT checkins_place_id_fkey FOREIGN KEY (place_id) REFERENCES places (id)",
                      "ALTER TABLE checkins ADD CONSTRAINT checkins_person_id_fkey FOREIGN KEY (person_id) REFERENCES people (id)",
                      "ANALYZE"]:
        t = time.time()
        status(f"finishing: {statement.split(' ON ')[0][:70]}")
        psql(statement)
        print(f"  {statement[:90]}: {time.time() - t:.0f} s", flush=True)
    status("finished: keys, indexes, ANALYZE")
    sys.exit(0)
if psql("SELECT to_regclass('checkin_keys') IS NOT NULL") != "t":
    sys.exit("run `ravao migrate` first (with migration 21: partitioned check-ins)")
if psql("SELECT COUNT(*) FROM places") != "0":
    sys.exit("the database already has places: generate into a freshly migrated database")

now = int(time.time())
today = (now + 25200) // 86400
first_day = today - args.days          # DAYS full days, the last one yesterday
status("creating day partitions")
for table, key, by_day in [("checkins", "scanned_at", "true"), ("stays", "started_at", "false"), ("place_day_people", "day", "true"), ("unit_people_days", "day", "true")]:
    by_day = "true" if key == "day" else "false"
    psql(f"SELECT ravao_day_partitions('{table}', '{key}', {by_day}, {first_day}, {today + 7})")

# Indexes and keys go during the load and come back after it (and after `ravao rebuild-rollups`).
psql("""
ALTER TABLE checkins DROP CONSTRAINT checkins_pkey;
ALTER TABLE checkins DROP CONSTRAINT checkins_place_id_fkey;
ALTER TABLE checkins DROP CONSTRAINT checkins_person_id_fkey;
DROP INDEX checkins_place_cover, checkins_person_time, checkins_place_recorded, checkins_scanner, checkins_time;
ALTER TABLE checkin_keys DROP CONSTRAINT checkin_keys_pkey;
DROP INDEX checkin_keys_time;
DROP INDEX stays_place, stays_person;
ALTER TABLE place_day_people DROP CONSTRAINT place_day_people_pkey;
ALTER TABLE unit_people_days DROP CONSTRAINT unit_people_days_pkey;
""")

wards = [tuple(l.split("|")) for l in psql("SELECT code, parent_code FROM admin_units WHERE scheme='2025' AND level='ward' ORDER BY code").splitlines()]
assert wards, "no 2025 wards: was the database migrated?"
start = first_day * 86400 - 25200
N, D, P = args.checkins, args.days, args.people
per_day = N / D

# Places, sized so each share of the mix comes out right.
shifts_per_day = per_day * 0.30 / 2
workers = int(shifts_per_day * 7 / 6)
factories = max(1, workers // 250)
residents_scanning = per_day * 0.25          # each resident scans out and in on 50 % of days: ~1 scan a day
residents = int(residents_scanning)
blocks = max(1, residents // 120)
market_visits = per_day * 0.20 / 1.7
markets = max(1, int(market_visits // 80))
rides = per_day * 0.15 / 2
commuters = int(rides / 2 / 0.8)             # two rides on 80 % of days
buses = max(1, commuters // 60)
other_visits = per_day * 0.10 / 1.5
others = max(1, int(other_visits // 10))
assert workers + residents + commuters <= P, "more workers, residents and commuters than people: raise --people"

account = uid(1, 1)
psql(f"INSERT INTO accounts (id, phone, created_at) VALUES ('{account}', '+84900000000', {start})")
kinds = [("factory", factories, 480), ("apartment", blocks, 60), ("market", markets, 60), ("vehicle", buses, 90), ("other", others, 0)]
other_types = [("shop", 30), ("restaurant", 90), ("supermarket", 90), ("school", 480), ("hospital", 180)]
place_base = {}
place_stay = []
status(f"places: {factories} factories, {blocks} apartment blocks, {markets} markets, {buses} buses, {others} shops/restaurants/...")
cp = Copy("places", "id, code, name, type, units_scheme, ward_code, district_code, province_code, address, parent_id, plate, default_stay_minutes, registrant_name, registrant_phone, created_by, created_at, updated_at, deleted_at, search_text")
devices = Copy("devices", "id, place_id, name, key_hash, created_by, created_at")
n = 0
place_ward = []
for kind, count, stay in kinds:
    place_base[kind] = n
    for i in range(count):
        # Factories and markets cluster in a few big provinces' wards; the rest spread evenly.
        w, p = wards[(rnd.randrange(len(wards)) if kind in ("apartment", "other", "vehicle") else int(len(wards) * rnd.random() ** 2))]
        t, s = (other_types[i % len(other_types)] if kind == "other" else (kind, stay))
        plate = "\\N" if kind != "vehicle" else "51B%06d" % i
        pid = uid(2, n)
        cp.row(f"{pid}\tB{n:07d}\t{t.capitalize()} {i}\t{t}\t2025\t{w}\t\\N\t{p}\tSố {i % 300 + 1}\t\\N\t{plate}\t{s}\tChủ cơ sở\t+84900000000\t{account}\t{start}\t{start}\t\\N\t{t} {i}\n")
        if kind in ("factory", "apartment", "vehicle"):
            devices.row(f"{uid(6, n)}\t{pid}\tKiosk\t{uid(7, n)}\t{account}\t{start}\n")
        place_stay.append(s)
        n += 1
cp.close(); devices.close()
PLACES = n

family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
middle = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Đức", "Thu", "Quang", "Hồng"]
given = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tú", "Tuấn", "Vy", "Yến"]
streets = ["Lê Duẩn", "Trần Phú", "Bạch Đằng", "Hùng Vương", "Nguyễn Văn Linh", "Phan Châu Trinh", "Điện Biên Phủ"]


def cccd(i): return "%03d%09d" % (1 + i % 96, 100000000 + i)
def name(i): return f"{family[i % 16]} {middle[(i // 16) % 10]} {given[(i // 160) % 26]}"
def birth(i): return "%02d%02d%04d" % (i % 28 + 1, (i // 28) % 12 + 1, 1950 + i % 55)


def qr(i):
    # The CCCD card's QR (FORMATS.md §2): number|old ID|name|birth|gender|address|issued.
    return f"{cccd(i)}|{200000000 + i:09d}|{name(i)}|{birth(i)}|{'Nữ' if i % 3 == 0 else 'Nam'}|Số {i % 300 + 1} {streets[i % 7]}|{i % 27 + 1:02d}{i % 12 + 1:02d}{2016 + i % 9}"


status(f"{P:,} people with CCCD numbers")
cp = Copy("people", "id, full_name, verified, created_at, birth_date")
ids = Copy("person_identifiers", "kind, value, person_id, created_at")
for i in range(P):
    pid = uid(3, i)
    cp.row(f"{pid}\t{name(i)}\t0\t{start}\t{birth(i)}\n")
    ids.row(f"cccd\t{cccd(i)}\t{pid}\t{start}\n")
cp.close(); ids.close()

# Who does what: people 0.. are workers, then residents, then commuters; market and shop visitors are anyone.
worker_of = lambda i: place_base["factory"] + (i * 7919) % factories
res0, com0 = workers, workers + residents
block_of = lambda i: place_base["apartment"] + ((i - res0) * 104729) % blocks
bus_of = lambda i: place_base["vehicle"] + ((i - com0) * 15485863) % buses

# Heavy-tailed market popularity (weight 1/(k+1)^0.9) by inverse transform.
import bisect
cum, acc = [], 0.0
for k in range(markets):
    acc += 1.0 / (k + 1) ** 0.9; cum.append(acc)
def market(): return place_base["market"] + bisect.bisect_left(cum, rnd.random() * acc)

# One organisation owns factory 0 and rosters its workers (coverage).
org = uid(8, 1)
psql(f"""INSERT INTO orgs (id, name, created_by, created_at) VALUES ('{org}', 'Công ty May 1', '{account}', {start});
INSERT INTO org_places (org_id, place_id, added_by, created_at) VALUES ('{org}', '{uid(2, place_base["factory"])}', '{account}', {start});""")
cp = Copy("roster_entries", "id, org_id, employee_number, full_name, phone, cccd, bhyt, department, created_at, updated_at")
for i in range(workers):
    if worker_of(i) == place_base["factory"]:
        cp.row(f"{uid(9, i)}\t{org}\tNV{i:07d}\t{name(i)}\t\\N\t{cccd(i)}\t\\N\tXưởng {i % 5 + 1}\t{start}\t{start}\n")
cp.close()

status("check-ins")
cp = Copy("checkins", "id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload")
payloads = {}
count = [0]
qr_cache = {}


place_ids = [uid(2, k) for k in range(PLACES)]
kiosk_cols = [f"\\N\t{uid(6, k)}" for k in range(PLACES)]
guard_cols = f"{account}\t\\N"


def scan(place, person, direction, t, kiosk):
    c = count[0]; count[0] = c + 1
    q = qr_cache.get(person)
    if q is None:
        q = qr_cache[person] = (uid(3, person), qr(person))
    pid, payload = q
    cp.row(f"{uid(4, c)}\t{uid(5, c)}\t{place_ids[place]}\t{pid}\t{direction}\tcccd\t{t}\t{t + (c % 3)}\t{kiosk_cols[place] if kiosk else guard_cols}\t{payload}\n")


deadline = None
if args.deadline:
    hh, mm = map(int, args.deadline.split(":"))
    d = datetime.datetime.utcnow().replace(hour=hh, minute=mm, second=0, microsecond=0)
    deadline = d.timestamp()
days_done = 0
others_base = place_base["other"]
for day in range(D):
    if deadline and time.time() > deadline:
        status(f"deadline reached after {days_done} days; stopping the check-ins there"); break
    import shutil
    # What is written so far needs about 1.25 kB more per check-in once keyed, rolled up and indexed
    # (1.54 kB in all, measured on a small run): stop while that still leaves the floor free.
    if shutil.disk_usage("/").free < count[0] * 1250 + args.min_free_gb * 1e9:
        status(f"disk: stopping the check-ins after {days_done} days ({count[0]:,} rows) to keep {args.min_free_gb} GB free at the end"); break
    d0 = start + day * 86400
    target = int(per_day * (day + 1)) - count[0]
    begin = count[0]
    # Factories: a worker's shift is fixed; six days in seven.
    for i in range(workers):
        if (i + day) % 7 == 0: continue
        f = worker_of(i); shift = (i % 3) * 8 * 3600 + 6 * 3600
        t = d0 + shift + rnd.randrange(-900, 900)
        scan(f, i, "in", t, True)
        scan(f, i, "out", t + 8 * 3600 + rnd.randrange(-600, 1200), True)
    # Apartment blocks: out in the morning, home in the evening, on half of the days.
    for i in range(res0, res0 + residents):
        if rnd.random() < 0.5:
            b = block_of(i)
            scan(b, i, "out", d0 + 6 * 3600 + rnd.randrange(3 * 3600), True)
            scan(b, i, "in", d0 + 16 * 3600 + rnd.randrange(5 * 3600), True)
    # Buses: two rides on 80 % of days.
    for i in range(com0, com0 + commuters):
        if rnd.random() < 0.8:
            b = bus_of(i)
            for base in (6 * 3600, 17 * 3600):
                t = d0 + base + rnd.randrange(2 * 3600)
                scan(b, i, "in", t, True)
                scan(b, i, "out", t + rnd.randrange(600, 3600), True)
    # Markets and the rest fill the day's target: anyone, mostly daytime.
    remaining = target - (count[0] - begin)
    market_share = 0.20 / 0.30
    while remaining > 0:
        person = rnd.randrange(P)
        t = d0 + 5 * 3600 + rnd.randrange(16 * 3600)
        if rnd.random() < market_share:
            m = market()
            scan(m, person, "in", t, False); remaining -= 1
            if rnd.random() < 0.7 and remaining > 0:
                scan(m, person, "out", t + rnd.randrange(600, 7200), False); remaining -= 1
        else:
            o = others_base + rnd.randrange(others)
            scan(o, person, "in", t, False); remaining -= 1
            if rnd.random() < 0.5 and remaining > 0:
                scan(o, person, "out", t + rnd.randrange(600, place_stay[o] * 60), False); remaining -= 1
    days_done += 1
    status(f"check-ins: day {day + 1} of {D}, {count[0]:,} rows")
cp.close()
TOTAL = count[0]
status(f"{TOTAL:,} check-ins loaded; keys and per-place rollups")
psql("INSERT INTO checkin_keys (client_id, checkin_id, scanned_at) SELECT client_id, id, scanned_at FROM checkins")
for day in range(first_day, first_day + D + 1):
    psql(f"""INSERT INTO place_days (place_id, day, scans) SELECT place_id, {day}, COUNT(*) FROM checkins
             WHERE scanned_at >= {day * 86400 - 25200} AND scanned_at < {(day + 1) * 86400 - 25200} GROUP BY place_id;
             INSERT INTO place_day_people (place_id, day, person_id) SELECT DISTINCT place_id, {day}, person_id FROM checkins
             WHERE scanned_at >= {day * 86400 - 25200} AND scanned_at < {(day + 1) * 86400 - 25200}""")
status(f"loaded: {TOTAL:,} check-ins over {days_done} days; next `ravao rebuild-rollups`, then this script with --finish")
print(f"TOTAL {TOTAL} DAYS {days_done} FIRST_DAY {first_day}")
