#!/usr/bin/env python3
"""The storage floor under the scan path (issue 16): how many check-ins per second the database itself
commits on this machine, with ravao's own schema (every index the features read), its own settings
(SQLite: WAL, synchronous=FULL, mmap; PostgreSQL: synchronous_commit on) and the statements its
writer runs per batch (client-id lookup, multi-row insert of check-ins and of the projector's queue,
the day counters' upsert), from a C-backed driver on one connection: no HTTP, no Swift, no JSON.

SQLite is measured twice: the check-ins alone, then with a projector pass's writes every 150 of them
(`+derived`: the dashboards' rows and a stay per check-in, in transactions of their own on the same
writer, without the reads a real pass makes), the least that keeps the dashboards and stays exact.

A scan can never be recorded faster than this; the ratio run's scan figures are read against it. On
PostgreSQL each cell also gives the CPU the database's processes spend per check-in (all of them: the
backend, the WAL writer, the checkpointer), the part of a scan's CPU no server code can remove.

    Benchmarks/storage-floor.py [--ravao PATH] [--pg postgres://user:pass@host:port] [--rows N]

Needs `pip install psycopg2-binary` for PostgreSQL (skipped when missing). Prints one line per cell.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid

PAYLOAD = "079085001234|123456789|Nguyễn Văn An|15081985|Nam|Số 12 Lê Lợi, Phường Bến Nghé, TP. Hồ Chí Minh|10052021"
PLACES, PEOPLE = 16, 50_000


def time_id() -> str:
    """Like TimeOrderedID: time first, so the primary key grows at its end."""
    return "%012X-%s" % (time.time_ns() // 1000, str(uuid.uuid4()).upper()[13:])


def seed_rows(now: int):
    account = str(uuid.uuid4()).upper()
    places = [str(uuid.uuid4()).upper() for _ in range(PLACES)]
    people = [str(uuid.uuid4()).upper() for _ in range(PEOPLE)]
    return account, places, people


def batch_rows(batch: int, places, people, now: int):
    return [(time_id(), str(uuid.uuid4()).upper(), random.choice(places), random.choice(people), "in", "cccd", now, now, None, None, PAYLOAD)
            for _ in range(batch)]


def day_counts(rows):
    counts: dict[tuple[str, int], int] = {}
    for r in rows:
        key = (r[2], (r[6] + 25200) // 86400)
        counts[key] = counts.get(key, 0) + 1
    return [(p, d, n, 0) for (p, d), n in sorted(counts.items())]


PLACE_SQL = """INSERT INTO places (id, code, name, type, units_scheme, ward_code, province_code, address, default_stay_minutes,
    registrant_name, registrant_phone, created_by, created_at, updated_at, search_text)
    VALUES ({p}, {p}, {p}, 'restaurant', '2025', '20194', '48', '', 60, 'X', '+84900000009', {p}, {p}, {p}, '')"""
CHECKIN_COLUMNS = "(id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, scanned_by, device_id, payload)"
COUNTS_CONFLICT = (" ON CONFLICT (place_id, day) DO UPDATE SET entries = place_day_counts.entries + excluded.entries,"
                   " exits = place_day_counts.exits + excluded.exits")


PASS = 150  # rows a projector pass applies on SQLite (CheckInProjector.batchSize)
UNITS = ("20194", "48", "VN")  # ward, province, country of every seeded place


def derived_pass(db, pending) -> None:
    """A projector pass's writes for `pending` check-ins, without any of its reads (chains, stays): the
    least storage work that keeps the dashboards and stays exact, on the same single writer."""
    db.execute("BEGIN IMMEDIATE")
    db.execute("DELETE FROM checkin_projection WHERE seq IN (SELECT seq FROM checkin_projection ORDER BY seq LIMIT ?)", (len(pending),))
    days = {}
    for r in pending:
        key = (r[2], (r[6] + 25200) // 86400)
        days[key] = days.get(key, 0) + 1
    db.executemany("INSERT INTO place_days (place_id, day, scans) VALUES (?,?,?) ON CONFLICT (place_id, day) DO UPDATE SET scans = place_days.scans + excluded.scans",
                   [(p, d, n) for (p, d), n in sorted(days.items())])
    day = (pending[0][6] + 25200) // 86400
    db.executemany("INSERT INTO unit_days (scheme, unit_code, day, scans) VALUES ('2025',?,?,?) ON CONFLICT (scheme, unit_code, day) DO UPDATE SET scans = unit_days.scans + excluded.scans",
                   [(u, day, len(pending)) for u in UNITS])
    db.executemany("INSERT INTO place_day_people (place_id, day, person_id) VALUES (?,?,?) ON CONFLICT DO NOTHING",
                   sorted({(r[2], day, r[3]) for r in pending}))
    db.executemany("INSERT INTO unit_people_days (scheme, unit_code, person_id, day) VALUES ('2025',?,?,?) ON CONFLICT DO NOTHING",
                   sorted({(u, r[3], day) for r in pending for u in UNITS}))
    db.executemany("INSERT INTO unit_day_tallies (scheme, unit_code, kind, day, prev_day, n) VALUES ('2025',?,'people',?,?,1)"
                   " ON CONFLICT (scheme, unit_code, kind, day, prev_day) DO UPDATE SET n = unit_day_tallies.n + 1",
                   [(u, day, day - 92) for r in pending for u in UNITS])
    db.executemany("INSERT INTO stays (place_id, person_id, started_at, ended_at, span_class, closed) VALUES (?,?,?,?,6,0)",
                   [(r[2], r[3], r[6], r[6] + 3600) for r in pending])
    db.execute("COMMIT")


def sqlite_floor(ravao: str, rows: int, batches: list[int], derived: bool = False) -> list[str]:
    work = tempfile.mkdtemp(prefix="ravao-floor.")
    path = os.path.join(work, "floor.sqlite")
    subprocess.run([ravao, "migrate", "--database", f"sqlite:{path}"], check=True, capture_output=True)
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "mmap_size = 1073741824"):
        db.execute(f"PRAGMA {pragma}")
    now = int(time.time())
    account, places, people = seed_rows(now)
    db.execute("BEGIN")
    db.execute("INSERT INTO accounts (id, phone, created_at) VALUES (?, '+84900000009', ?)", (account, now))
    for i, p in enumerate(places):
        db.execute(PLACE_SQL.format(p="?"), (p, f"FL{i:02}", f"P{i}", account, now, now))
    db.executemany("INSERT INTO people (id, full_name, verified, created_at) VALUES (?, 'X', 0, ?)", [(p, now) for p in people])
    db.execute("COMMIT")
    out = []
    for batch in batches:
        started, done, pending = time.perf_counter(), 0, []
        while done < rows:
            chunk = batch_rows(batch, places, people, now)
            if derived:
                pending += chunk
                while len(pending) >= PASS:
                    derived_pass(db, pending[:PASS])
                    pending = pending[PASS:]
            db.execute("BEGIN IMMEDIATE")
            db.execute(f"SELECT id FROM checkins WHERE client_id IN ({','.join('?' * batch)})", [r[1] for r in chunk]).fetchall()
            db.executemany(f"INSERT INTO checkins {CHECKIN_COLUMNS} VALUES (?,?,?,?,?,?,?,?,?,?,?)", chunk)
            db.executemany("INSERT INTO checkin_projection (place_id, person_id, scanned_at, queued_at) VALUES (?,?,?,?)",
                           [(r[2], r[3], r[6], r[7]) for r in chunk])
            db.executemany("INSERT INTO place_day_counts (place_id, day, entries, exits) VALUES (?,?,?,?)" + COUNTS_CONFLICT, day_counts(chunk))
            db.execute("COMMIT")
            done += batch
        rate = done / (time.perf_counter() - started)
        out.append(f"sqlite{' +derived' if derived else '         '} batch {batch:4}: {rate:8,.0f} check-ins/s")
    db.close()
    shutil.rmtree(work, ignore_errors=True)
    return out


def cpu_split():
    """Benchmarks/cpu-split.py, for the PostgreSQL processes' CPU time."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("cpu_split", os.path.join(os.path.dirname(os.path.abspath(__file__)), "cpu-split.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def postgres_floor(ravao: str, server: str, rows: int, batches: list[int]) -> list[str]:
    try:
        import psycopg2
        import psycopg2.extras
    except ImportError:
        return ["postgresql  skipped: pip install psycopg2-binary"]
    name = f"ravao_floor_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    out = []
    try:
        subprocess.run([ravao, "migrate", "--database", f"{server}/{name}"], check=True, capture_output=True)
        db = psycopg2.connect(f"{server}/{name}")
        cur = db.cursor()
        now = int(time.time())
        account, places, people = seed_rows(now)
        cur.execute("INSERT INTO accounts (id, phone, created_at) VALUES (%s, '+84900000009', %s)", (account, now))
        for i, p in enumerate(places):
            cur.execute(PLACE_SQL.format(p="%s"), (p, f"FL{i:02}", f"P{i}", account, now, now))
        psycopg2.extras.execute_values(cur, "INSERT INTO people (id, full_name, verified, created_at) VALUES %s",
                                       [(p, "X", 0, now) for p in people], page_size=1000)
        db.commit()
        split = cpu_split()
        for batch in batches:
            started, done = time.perf_counter(), 0
            pg_before, client_before = split.postgres_ticks(), sum(os.times()[:2])
            while done < rows:
                chunk = batch_rows(batch, places, people, now)
                cur.execute("SELECT id FROM checkins WHERE client_id = ANY(%s)", ([r[1] for r in chunk],))
                cur.fetchall()
                psycopg2.extras.execute_values(cur, f"INSERT INTO checkins {CHECKIN_COLUMNS} VALUES %s", chunk, page_size=batch)
                psycopg2.extras.execute_values(cur, "INSERT INTO checkin_projection (place_id, person_id, scanned_at, queued_at) VALUES %s",
                                               [(r[2], r[3], r[6], r[7]) for r in chunk], page_size=batch)
                psycopg2.extras.execute_values(cur, "INSERT INTO place_day_counts (place_id, day, entries, exits) VALUES %s" + COUNTS_CONFLICT,
                                               day_counts(chunk), page_size=batch)
                db.commit()
                done += batch
            rate = done / (time.perf_counter() - started)
            pg_us = (split.postgres_ticks() - pg_before) / split.HZ / done * 1e6
            client_us = (sum(os.times()[:2]) - client_before) / done * 1e6
            out.append(f"postgresql  batch {batch:4}: {rate:8,.0f} check-ins/s, CPU per check-in: PostgreSQL {pg_us:.0f} µs, this client {client_us:.0f} µs")
        db.close()
    finally:
        admin.cursor().execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()
    return out


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--ravao", default=os.environ.get("RAVAO_BIN", os.path.join(here, "..", ".build-release", "release", "ravao")))
    parser.add_argument("--pg", default=os.environ.get("RAVAO_RATIO_PG", "postgres://postgres:ravao@127.0.0.1:5432"))
    parser.add_argument("--rows", type=int, default=12_800)
    parser.add_argument("--batches", default="16 64 256")
    parser.add_argument("--engines", default="sqlite postgres")
    args = parser.parse_args()
    batches = [int(b) for b in args.batches.split()]
    lines = []
    if "sqlite" in args.engines:
        lines += sqlite_floor(args.ravao, args.rows, batches)
        lines += sqlite_floor(args.ravao, args.rows, batches, derived=True)
    if "postgres" in args.engines:
        lines += postgres_floor(args.ravao, args.pg, args.rows, batches)
    print(f"storage floor, {args.rows} check-ins per cell, load {os.getloadavg()[0]:.2f}")
    for line in lines:
        print("  " + line)


if __name__ == "__main__":
    main()
