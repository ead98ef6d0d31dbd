#!/usr/bin/env python3
"""Helpers for run-ratio.sh: setting up the doors, and checking the ledger against the database.

  ratio-helper.py doors BASE_URL OUTBOX N DOORS_FILE
      Signs in (the code is read from the SMS outbox), registers N places, each with a kiosk device
      key of its own, posts one scan by hand at each (it must answer 201), and writes "PLACE_ID KEY"
      lines to DOORS_FILE for scans.lua.

  ratio-helper.py count  DATABASE
      Prints the number of check-ins (DATABASE is sqlite:PATH or a postgres:// URL).

  ratio-helper.py verify DATABASE LEDGER_DIR CREATED
      Checks that the ledger (the checkInId of every 201 wrk read) holds CREATED ids, each once, and
      that each is a row of `checkins`, and that every client id is in one row only. Prints one line
      and exits 1 on any failure.
"""
import glob
import http.client
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

PHONE, PHONE_E164 = "0912345678", "+84912345678"


def call(base, method, path, body=None, token=None):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    try:
        parsed = json.loads(data) if data else None
    except ValueError:
        parsed = None
    return response.status, parsed, data


def expect(status, wanted, what, data):
    if status != wanted:
        sys.exit(f"ratio-helper: {what} answered {status}: {data[:300]!r}")


def doors(base, outbox, count, path):
    status, _, data = call(base, "POST", "/api/v1/auth/otp", {"phone": PHONE})
    expect(status, 202, "requesting a code", data)
    code = None
    for _ in range(100):
        try:
            for line in open(outbox, encoding="utf-8").read().splitlines():
                message = json.loads(line)
                if message.get("to") == PHONE_E164:
                    found = re.findall(r"(?<!\d)\d{6}(?!\d)", message.get("text", ""))
                    code = found[0] if found else code
        except (OSError, ValueError):
            pass
        if code:
            break
        time.sleep(0.1)
    if not code:
        sys.exit(f"ratio-helper: no SMS code for {PHONE_E164} in {outbox}")
    status, answer, data = call(base, "POST", "/api/v1/auth/verify", {"phone": PHONE, "code": code})
    expect(status, 200, "verifying the code", data)
    token = answer["token"]
    status, units, data = call(base, "GET", "/api/v1/units?parent=48")
    expect(status, 200, "listing wards", data)
    lines = []
    for i in range(count):
        ward = units[i % len(units)]["code"]
        status, place, data = call(base, "POST", "/api/v1/places", {
            "name": f"Cửa hàng Benchmark {i + 1}", "type": "restaurant", "wardCode": ward,
            "address": f"{i + 1} Lê Duẩn", "registrantName": "Trần Thị Ba"}, token)
        expect(status, 201, "registering a place", data)
        status, device, data = call(base, "POST", f"/api/v1/places/{place['id']}/devices", {"name": f"Cổng {i + 1}"}, token)
        expect(status, 201, "creating a device key", data)
        # A scan by hand first: the payloads scans.lua sends must be accepted, not just answered.
        status, _, data = call(base, "POST", "/api/v1/scans", {
            "placeId": place["id"], "payload": "001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Phố Huế, Hà Nội|01012021",
            "direction": "in", "clientId": str(uuid.uuid4())}, device["key"])
        expect(status, 201, "a probe scan", data)
        lines.append(f"{place['id']} {device['key']}\n")
    with open(path, "w") as f:
        f.writelines(lines)
    print(f"{count} places, each with its own device key")


def query(database, sql):
    """Rows of `sql` as lists of strings."""
    if database.startswith("sqlite:"):
        db = sqlite3.connect(f"file:{database[len('sqlite:'):]}?mode=ro", uri=True, timeout=60)
        try:
            return [[str(v) for v in row] for row in db.execute(sql).fetchall()]
        finally:
            db.close()
    # The server's own URL options (?writers=…, ?pool=…) mean nothing to psql.
    out = subprocess.run(["psql", "-X", "-q", "-At", "-F", "\t", database.split("?")[0], "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def count(database):
    print(query(database, "SELECT COUNT(*) FROM checkins")[0][0])


def verify(database, ledger_dir, created):
    ids = []
    for path in sorted(glob.glob(os.path.join(ledger_dir, "ledger-*.txt"))):
        ids += [line.strip() for line in open(path) if line.strip()]
    problems = []
    if len(ids) != created:
        problems.append(f"the ledger holds {len(ids)} ids for {created} answers 201")
    distinct = set(ids)
    if len(distinct) != len(ids):
        problems.append(f"{len(ids) - len(distinct)} checkInIds were answered 201 more than once")
    rows = {r[0].lower() for r in query(database, "SELECT id FROM checkins")}
    missing = [i for i in distinct if i.lower() not in rows]
    if missing:
        problems.append(f"LOST CHECK-INS: {len(missing)} ids answered 201 are not in checkins (e.g. {missing[0]})")
    total, clients = (int(v) for v in query(database, "SELECT COUNT(*), COUNT(DISTINCT client_id) FROM checkins")[0])
    if total != clients:
        problems.append(f"{total} rows but {clients} distinct client ids")
    if problems:
        print("FAILED: " + "; ".join(problems))
        sys.exit(1)
    print(f"OK: the {len(ids)} ids answered 201 are each one row; {total} rows, {clients} distinct client ids")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "doors":
        doors(args[0], args[1], int(args[2]), args[3])
    elif command == "count":
        count(args[0])
    elif command == "verify":
        verify(args[0], args[1], int(args[2]))
    else:
        sys.exit(__doc__)
