# Times the two statements a coverage request runs (department totals, missing list) with Python's
# sqlite3 module (an optimised SQLite build) on a copy of the benchmark database, made by
# RAVAO_BENCH_DB=/path/app.sqlite Benchmarks/run-coverage.sh. Usage: python3 Benchmarks/coverage-sql.py /path/app.sqlite
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1] if len(sys.argv) > 1 else 'app.sqlite')
org = db.execute("SELECT id FROM orgs").fetchone()[0]
day = db.execute("SELECT day, COUNT(*) c FROM org_presence GROUP BY day ORDER BY c DESC").fetchone()[0]
seen = """((r.cccd IS NOT NULL AND EXISTS (SELECT 1 FROM org_presence p WHERE p.org_id = ? AND p.day = ? AND p.kind = 'cccd' AND p.value = r.cccd))
 OR (r.phone IS NOT NULL AND EXISTS (SELECT 1 FROM org_presence p WHERE p.org_id = ? AND p.day = ? AND p.kind = 'phone' AND p.value = r.phone))
 OR (r.bhyt IS NOT NULL AND EXISTS (SELECT 1 FROM org_presence p WHERE p.org_id = ? AND p.day = ? AND p.kind = 'bhyt' AND p.value = r.bhyt)))"""
totals = "SELECT department, COUNT(*) AS n FROM roster_entries WHERE org_id = ? GROUP BY department ORDER BY department"
missing = "SELECT * FROM roster_entries WHERE id IN (SELECT r.id FROM roster_entries r WHERE r.org_id = ? AND NOT " + seen + ") ORDER BY department, full_name, id"
args = [org] + [org, day] * 3
for row in db.execute("EXPLAIN QUERY PLAN " + missing, args): print(row)
ts = []
for _ in range(15):
    t = time.perf_counter(); a = db.execute(totals, [org]).fetchall(); b = db.execute(missing, args).fetchall(); ts.append((time.perf_counter() - t) * 1000)
ts.sort()
print(f"sqlite {sqlite3.sqlite_version}: totals+missing ({len(b)} missing) median {ts[7]:.1f} ms, min {ts[0]:.1f} ms, max {ts[-1]:.1f} ms; load {open('/proc/loadavg').read().split()[:3]}")
