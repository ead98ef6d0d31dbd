#!/usr/bin/env python3
"""Who uses the machine's cores during a load: the server, PostgreSQL, wrk and the rest (run-profile.sh).

  cpu-split.py snapshot SERVER_PID WRK_PID   > before   (CPU ticks per group, from /proc)
  cpu-split.py report before after wrk.txt             (a Markdown table: cores used, µs per request)
  cpu-split.py line before after wrk.txt               (µs per request: server PostgreSQL wrk rest)

PostgreSQL is every process whose command is `postgres` (the backends serving the server, the WAL
writer, the checkpointer...); a backend that exits during the window is missed, so the pool's
connections must outlive it (they do under a steady load). Per-request figures divide each party's
cores by wrk's requests per second: the CPU each request costs each party on this machine.
"""
import json
import os
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


def proc_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime, stime, cutime, cstime are fields 14-17 (1-based); after the ')' split they start at 11.
        return sum(int(x) for x in fields[11:15])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0


def postgres_ticks():
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm == "postgres" or comm.startswith("postgres"):
            total += proc_ticks(pid)
    return total


def machine_ticks():
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    busy = sum(cpu) - cpu[3] - cpu[4]  # idle and iowait
    return busy, sum(cpu)


def snapshot(server, wrk):
    busy, total = machine_ticks()
    print(json.dumps({"t": time.time(), "server": proc_ticks(server), "postgres": postgres_ticks(),
                      "wrk": proc_ticks(wrk), "busy": busy, "total": total}))


def split(before_path, after_path, wrk_path):
    """Seconds sampled, wrk's requests/s, and (who, cores) rows ending with the rest and idle."""
    a = json.load(open(before_path))
    b = json.load(open(after_path))
    secs = b["t"] - a["t"]
    rps = None
    for line in open(wrk_path):
        if line.startswith("Requests/sec:"):
            rps = float(line.split()[1])
    cores = lambda k: (b[k] - a[k]) / HZ / secs
    ncpu = os.cpu_count() or 1
    idle = ncpu * (1 - (b["busy"] - a["busy"]) / max(1, b["total"] - a["total"]))
    rows = [("ravao server", cores("server")), ("PostgreSQL (all its processes)", cores("postgres")),
            ("wrk", cores("wrk"))]
    other = ncpu - idle - sum(c for _, c in rows)
    rows += [("everything else (kernel softirq, other tenants)", max(0.0, other)), ("idle", idle)]
    return secs, rps, rows


def line(before_path, after_path, wrk_path):
    _, rps, rows = split(before_path, after_path, wrk_path)
    print(" ".join(f"{c / rps * 1e6:.0f}" if rps else "-" for _, c in rows[:4]))


def report(before_path, after_path, wrk_path):
    secs, rps, rows = split(before_path, after_path, wrk_path)
    ncpu = os.cpu_count() or 1
    print(f"cores used over {secs:.1f} s ({ncpu} cores):")
    print()
    print("| who | cores | µs per request |")
    print("| --- | --- | --- |")
    for name, c in rows:
        per = f"{c / rps * 1e6:.0f}" if rps and name != "idle" else "–"
        print(f"| {name} | {c:.2f} | {per} |")


if __name__ == "__main__":
    if sys.argv[1] == "snapshot":
        snapshot(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1] == "line":
        line(*sys.argv[2:5])
    else:
        report(*sys.argv[2:5])
