#!/usr/bin/env python3
"""Fills a migrated Ravao SQLite database with a realistic tracing workload.

Usage: gen-checkins.py DB CHECKINS [--places 50000] [--people 2000000] [--days 28] [--seed 1]

Run `ravao migrate --database sqlite:DB` first: this writes the server's own schema. Places are spread
over the wards of the 2025 list with a heavy-tailed popularity (a few markets and factory gates see
thousands of scans a day, most shops a handful); a visit is an `in` followed (70 %) by an `out` five
minutes to four hours later, or an `in` alone (the place's default stay then applies). Check-ins are
written with their indexes dropped and rebuilt afterwards, and the per-place dashboard rollups are filled
the way migration 6 backfills them; `ravao rebuild-rollups` then counts the per-unit ones.
"""
import argparse, random, sqlite3, time

ap = argparse.ArgumentParser()
ap.add_argument("db"); ap.add_argument("checkins", type=int)
ap.add_argument("--places", type=int, default=50_000); ap.add_argument("--people", type=int, default=2_000_000)
ap.add_argument("--days", type=int, default=28); ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()
rnd = random.Random(args.seed)

def uid(kind, n):
    # Valid, distinct UUID text; sequential so B-tree inserts stay cheap.
    # Upper case, as Swift's UUID.uuidString writes them (ids are compared as text).
    return "%08X-%04X-4%03X-8%03X-%012X" % (kind, (n >> 48) & 0xFFFF, (n >> 36) & 0xFFF, (n >> 24) & 0xFFF, n & 0xFFFFFFFFFFFF)

db = sqlite3.connect(args.db, isolation_level=None)
db.execute("PRAGMA journal_mode=DELETE"); db.execute("PRAGMA synchronous=OFF"); db.execute("PRAGMA cache_size=-400000")
t0 = time.time()
now = int(time.time())
start = now - args.days * 86400
wards = db.execute("SELECT code, parent_code FROM admin_units WHERE scheme='2025' AND level='ward'").fetchall()
assert wards, "run `ravao migrate` first"
db.execute("BEGIN")
account = uid(1, 1)
db.execute("INSERT OR IGNORE INTO accounts (id, phone, created_at) VALUES (?, '+84900000000', ?)", (account, start))
stays = [30, 60, 60, 120, 240, 480]
types = ["market", "factory", "restaurant", "shop", "office", "school", "hospital", "vehicle"]
place_rows = []
place_stay = []
for i in range(args.places):
    w, p = wards[rnd.randrange(len(wards))]
    s = rnd.choice(stays)
    place_stay.append(s)
    place_rows.append((uid(2, i), "B%07d" % i, "Place %d" % i, rnd.choice(types), "2025", w, None, p, "", None, None, s, "X", "+84900000000", account, start, start, None, ""))
db.executemany("INSERT INTO places (id, code, name, type, units_scheme, ward_code, district_code, province_code, address, parent_id, plate, default_stay_minutes, registrant_name, registrant_phone, created_by, created_at, updated_at, deleted_at, search_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", place_rows)
for chunk in range(0, args.people, 200_000):
    db.executemany("INSERT INTO people (id, full_name, verified, created_at) VALUES (?, '', 0, ?)",
                   ((uid(3, n), start) for n in range(chunk, min(chunk + 200_000, args.people))))
db.execute("COMMIT")
print(f"places and people: {time.time() - t0:.0f}s", flush=True)

for index in ["checkins_place_cover", "checkins_person_time", "checkins_place_recorded"]:
    db.execute(f"DROP INDEX IF EXISTS {index}")
# Heavy-tailed popularity: place k is chosen with weight 1/(k+1)^0.9 (by inverse transform on a table).
weights = [1.0 / (k + 1) ** 0.9 for k in range(args.places)]
order = list(range(args.places)); rnd.shuffle(order)
cum, acc = [], 0.0
for w in weights:
    acc += w; cum.append(acc)
import bisect
def pick_place():
    return order[bisect.bisect_left(cum, rnd.random() * acc)]

n = 0
batch = []
db.execute("BEGIN")
span = args.days * 86400
while n < args.checkins:
    person = uid(3, rnd.randrange(args.people))
    p = pick_place()
    place = uid(2, p)
    # Mostly daytime visits (06:00–22:00 local).
    day = rnd.randrange(args.days)
    t = start + day * 86400 + rnd.randrange(16 * 3600) - 3600
    batch.append((uid(4, n), uid(5, n), place, person, "in", "cccd", t, t, None, None, ""))
    n += 1
    if rnd.random() < 0.7 and n < args.checkins:
        out = t + rnd.randrange(300, 4 * 3600)
        batch.append((uid(4, n), uid(5, n), place, person, "out", "cccd", out, out, None, None, ""))
        n += 1
    if len(batch) >= 100_000:
        db.executemany("INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch); batch = []
        if n % 1_000_000 < 2: print(f"  {n} check-ins {time.time() - t0:.0f}s", flush=True)
if batch: db.executemany("INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?)", batch)
db.execute("COMMIT")
print(f"check-ins written: {time.time() - t0:.0f}s", flush=True)
db.execute("CREATE INDEX checkins_place_cover ON checkins (place_id, scanned_at, direction, person_id)")
db.execute("CREATE INDEX checkins_person_time ON checkins (person_id, scanned_at)")
db.execute("CREATE INDEX checkins_place_recorded ON checkins (place_id, recorded_at)")
print(f"indexes: {time.time() - t0:.0f}s", flush=True)
db.execute("BEGIN")
db.execute("DELETE FROM place_days"); db.execute("DELETE FROM place_day_people")
db.execute("INSERT INTO place_days (place_id, day, scans) SELECT place_id, (scanned_at + 25200) / 86400, COUNT(*) FROM checkins GROUP BY place_id, (scanned_at + 25200) / 86400")
db.execute("INSERT INTO place_day_people (place_id, day, person_id) SELECT DISTINCT place_id, (scanned_at + 25200) / 86400, person_id FROM checkins")
db.execute("COMMIT")
db.execute("ANALYZE")
db.execute("PRAGMA journal_mode=WAL")
print(f"rollups and ANALYZE: {time.time() - t0:.0f}s; {n} check-ins", flush=True)
