#!/usr/bin/env python3
"""Export benchmark (issue 5): a 1,000,000-row CSV (and XLSX) export must stream in bounded memory.

Starts `ravao serve` on a fresh SQLite file, signs in, registers a place, writes N check-ins straight
into the database (10,000 people), then downloads /api/v1/places/{id}/scans.csv and .xlsx while
sampling the server's resident memory from /proc every 50 ms. Prints rows, bytes, seconds and the
server's RSS before, during (peak) and after each export.

Usage: Benchmarks/run-export.py [--rows 1000000] [--bin PATH]   (default binary: .build-release/release/ravao)
"""
from __future__ import annotations

import argparse
import json
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
PHONE = "+84912345678"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wait_code(outbox: Path, to: str) -> str:
    for _ in range(200):
        if outbox.exists():
            for line in outbox.read_text(encoding="utf-8").splitlines():
                m = json.loads(line)
                if m["to"] == to:
                    return re.findall(r"(?<!\d)\d{6}(?!\d)", m["text"])[0]
        time.sleep(0.05)
    raise SystemExit("no SMS code")


def fill(db: Path, place: str, rows: int) -> None:
    con = sqlite3.connect(db, timeout=60)
    con.execute("PRAGMA synchronous=OFF")
    now = int(time.time())
    people = [str(uuid.uuid4()).upper() for _ in range(10_000)]
    con.executemany("INSERT INTO people (id, full_name, verified, token_version, created_at) VALUES (?, ?, 0, 1, ?)",
                    [(p, f"Nguyễn Văn Người {i}", now) for i, p in enumerate(people)])
    con.executemany("INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('phone', ?, ?, ?)",
                    [(f"+84918{i:06d}", p, now) for i, p in enumerate(people)])
    start = now - rows  # one scan a second, ending now
    batch = []
    for i in range(rows):
        batch.append((str(uuid.uuid4()).upper(), str(uuid.uuid4()), place, people[i % len(people)],
                      "in" if i % 2 == 0 else "out", "cccd", start + i, start + i))
        if len(batch) == 50_000:
            con.executemany("INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, payload) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')", batch)
            batch.clear()
    if batch:
        con.executemany("INSERT INTO checkins (id, client_id, place_id, person_id, direction, kind, scanned_at, recorded_at, payload) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, '')", batch)
    con.commit()
    con.close()


def measure(pid: int, url: str, token: str) -> dict:
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append(rss_kib(pid))
            time.sleep(0.05)

    before = rss_kib(pid)
    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    size = 0
    first_byte = None
    with requests.get(url, headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=3600) as r:
        r.raise_for_status()
        for chunk in r.iter_content(chunk_size=1 << 16):
            if first_byte is None:
                first_byte = time.monotonic() - started
            size += len(chunk)
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    return {"bytes": size, "seconds": round(elapsed, 1), "first_byte_s": round(first_byte or 0, 3),
            "rss_before_mib": round(before / 1024, 1), "rss_peak_mib": round(max(samples + [before]) / 1024, 1),
            "rss_after_mib": round(rss_kib(pid) / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bin", default=str(ROOT / ".build-release" / "release" / "ravao"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ravao-export-"))
    db, outbox, log = work / "ravao.sqlite", work / "sms.jsonl", work / "server.log"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([args.bin, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", f"sqlite:{db}",
                               "--sms", f"outbox:{outbox}", "--log-level", "warning"], stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        for _ in range(300):
            try:
                if requests.get(base + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        requests.post(base + "/api/v1/auth/otp", json={"phone": PHONE}).raise_for_status()
        token = requests.post(base + "/api/v1/auth/verify", json={"phone": PHONE, "code": wait_code(outbox, PHONE)}).json()["token"]
        ward = requests.get(base + "/api/v1/units?parent=48").json()[0]["code"]
        place = requests.post(base + "/api/v1/places", headers={"Authorization": f"Bearer {token}"},
                              json={"name": "Nhà máy Bình Dương", "type": "factory", "wardCode": ward, "registrantName": "Trần Thị Ba"}).json()["id"]
        t = time.monotonic()
        fill(db, place, args.rows)
        print(f"inserted {args.rows} check-ins in {time.monotonic() - t:.0f} s; server RSS idle {rss_kib(server.pid) / 1024:.1f} MiB", flush=True)
        for fmt in ("csv", "xlsx"):
            result = measure(server.pid, f"{base}/api/v1/places/{place}/scans.{fmt}", token)
            print(json.dumps({"format": fmt, "rows": args.rows, **result}), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        print(f"(work directory {work})")


if __name__ == "__main__":
    sys.exit(main())
