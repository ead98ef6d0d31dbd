"""Durability of the check-in write path (issue 3): an answered scan survives SIGKILL.

Stations post scans over keep-alive connections; after a few seconds of load the server is killed
with SIGKILL (no graceful shutdown) and started again on the same database. Every scan that got an
answer (201, or 200 for a known clientId) must then be in `checkins` exactly once, and sending it
again must answer the same check-in, marked duplicate. Scans in flight at the kill got no answer: they
may or may not have landed, and re-sending them (what a station's offline queue does) must record
each exactly once.
"""

from __future__ import annotations

import http.client
import json
import random
import subprocess
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from ravao_system import database, ravao, ravao_bin, report  # noqa: F401  (fixtures)

WORKERS = 24             # concurrent stations, one keep-alive connection each
MIN_LOAD_SECONDS = 3.0   # load at least this long before the kill ...
MAX_LOAD_SECONDS = 20.0  # ... and until TARGET_ANSWERED scans are answered, at most this long
TARGET_ANSWERED = 1500
MIN_ANSWERED = 300       # fewer than this and the test proves too little
POOL = 10_000            # people whose card QRs the stations scan
REPLAYED_SAMPLE = 200

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Đức", "Thu"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Linh", "Mai", "Nam", "Sơn", "Thảo", "Vy"]


def card_qr(i: int) -> str:
    """The CCCD card QR of person i (FORMATS.md §2): 12-digit number (province 048), 7 fields."""
    number = f"048{200_000_000 + i:09d}"
    name = f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i // 14) % len(MIDDLE)]} {GIVEN[(i // 112) % len(GIVEN)]}"
    birth = f"{i % 28 + 1:02d}{(i // 28) % 12 + 1:02d}{1950 + i % 55}"
    gender = "Nữ" if i % 3 == 0 else "Nam"
    return "|".join([number, "" if i % 4 == 0 else f"{300_000_000 + i:09d}", name, birth, gender,
                     f"Số {i % 300 + 1} Bạch Đằng, Đà Nẵng", f"{i % 27 + 1:02d}{i % 12 + 1:02d}{2016 + i % 9}"])


@dataclass
class Scan:
    client_id: str          # upper case, as the server stores it
    body: bytes
    status: int | None = None
    check_in_id: str | None = None
    error: str | None = None


@dataclass
class Station:
    """One worker: a keep-alive connection posting scans until told to stop."""

    port: int
    place_id: str
    key: str
    stop: threading.Event
    rng: random.Random
    scans: list[Scan] = field(default_factory=list)
    answered: int = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"}
        while not self.stop.is_set():
            client_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            body = json.dumps({"placeId": self.place_id, "payload": card_qr(self.rng.randrange(POOL)),
                               "direction": self.rng.choice(["in", "out"]), "clientId": client_id}).encode()
            scan = Scan(client_id.upper(), body)
            self.scans.append(scan)  # logged as sent before a byte goes out
            try:
                conn.request("POST", "/api/v1/scans", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                scan.error = f"{error.__class__.__name__}: {error}"
                return  # the server is gone (killed) — or broken, which the test reports
            scan.status = response.status
            if response.status in (200, 201):
                scan.check_in_id = json.loads(data)["checkInId"].upper()
                self.answered += 1
            else:
                scan.error = data[:300].decode("utf-8", "replace")
                return


def test_answered_scans_survive_sigkill(ravao, database, report):
    ravao.start()
    token = ravao.sign_in()
    place_id = ravao.create_place(token)
    key, key_kind = ravao.scanning_key(token, place_id)
    probe = ravao.call("POST", "/api/v1/scans", {"placeId": place_id, "payload": card_qr(0), "direction": "in",
                                                 "clientId": str(uuid.uuid4())}, key)
    assert probe.status == 201, f"a probe scan: {probe.status} {probe.body!r}"

    # --- load, then SIGKILL ------------------------------------------------------------------------
    stop = threading.Event()
    seed = random.SystemRandom().getrandbits(64)
    stations = [Station(ravao.port, place_id, key, stop, random.Random(seed + n)) for n in range(WORKERS)]
    threads = [threading.Thread(target=s.run, name=f"station-{n}", daemon=True) for n, s in enumerate(stations)]
    started = time.monotonic()
    for t in threads:
        t.start()
    while True:
        time.sleep(0.1)
        elapsed = time.monotonic() - started
        answered_so_far = sum(s.answered for s in stations)
        failed_early = [s.scans[-1] for s in stations if s.scans and s.scans[-1].status not in (None, 200, 201)]
        broken = [s.scans[-1] for s in stations if s.scans and s.scans[-1].error and s.scans[-1].status is None]
        if failed_early or broken:
            stop.set()
            sample = (failed_early or broken)[0]
            raise AssertionError(f"a scan failed before the kill: status {sample.status}, {sample.error}\n{ravao.log_tail()}")
        if elapsed >= MAX_LOAD_SECONDS or (elapsed >= MIN_LOAD_SECONDS and answered_so_far >= TARGET_ANSWERED):
            break
    ravao.kill()
    killed_at = time.monotonic()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a station did not notice the server had died"

    scans = [scan for s in stations for scan in s.scans]
    answered = [s for s in scans if s.status in (200, 201)]
    unanswered = [s for s in scans if s.status is None]
    refused = [s for s in scans if s.status is not None and s.status not in (200, 201)]
    assert not refused, f"{len(refused)} scans answered an error, e.g. {refused[0].status} {refused[0].error}"
    assert not [s for s in answered if s.status == 200], "fresh clientIds must not answer duplicate"
    assert len({s.client_id for s in scans}) == len(scans), "the load generator repeated a clientId"
    rate = len(answered) / (killed_at - started)
    assert len(answered) >= MIN_ANSWERED, (
        f"only {len(answered)} scans were answered in {killed_at - started:.1f} s before the kill; "
        f"the test needs at least {MIN_ANSWERED} to mean something")

    # What the projector had not applied yet at the kill (see the check at the end).
    queued_at_kill = int(database.rows("SELECT COUNT(*) FROM checkin_projection")[0][0])

    # --- restart on the same database and check ----------------------------------------------------
    ravao.start()
    rows = database.checkins()
    by_client = Counter(client for client, _ in rows)
    twice = [client for client, n in by_client.items() if n > 1]
    assert not twice, f"{len(twice)} clientIds are recorded more than once, e.g. {twice[:3]}"
    ids = dict(rows)
    missing = [s for s in answered if s.client_id not in ids]
    assert not missing, (f"LOST: {len(missing)} of {len(answered)} answered scans are not in checkins after SIGKILL, "
                         f"e.g. {[s.client_id for s in missing[:3]]}")
    wrong = [s for s in answered if ids[s.client_id] != s.check_in_id]
    assert not wrong, f"{len(wrong)} answered scans name another check-in id than the row, e.g. {wrong[0]}"
    assert database.integrity() == "ok"

    # Every row is either an answered scan, one in flight at the kill, or the probe.
    sent = {s.client_id for s in scans}
    strays = [client for client in ids if client not in sent]
    assert len(strays) <= 1, f"{len(strays)} rows match no scan the test sent"
    landed = [s for s in unanswered if s.client_id in ids]

    # A station re-sends what it got no answer for: answered ones answer the same check-in, duplicate.
    replayed = random.Random(seed).sample(answered, min(REPLAYED_SAMPLE, len(answered)))
    for scan in replayed:
        reply = ravao.call("POST", "/api/v1/scans", json.loads(scan.body), key)
        assert reply.status == 200, f"re-sending an answered scan: {reply.status} {reply.body!r}"
        assert reply.json["duplicate"] is True
        assert reply.json["checkInId"].upper() == scan.check_in_id
    # In-flight ones answer 200 duplicate when they landed, 201 when they did not; once each.
    for scan in unanswered:
        reply = ravao.call("POST", "/api/v1/scans", json.loads(scan.body), key)
        expected = 200 if scan.client_id in ids else 201
        assert reply.status == expected, f"re-sending an in-flight scan ({'landed' if expected == 200 else 'lost'}): {reply.status} {reply.body!r}"
        if expected == 200:
            assert reply.json["checkInId"].upper() == ids[scan.client_id]
    after = database.checkins()
    assert len(after) == len(rows) + len(unanswered) - len(landed)
    assert len({c for c, _ in after}) == len(after)

    # The dashboards and stays follow the check-ins through the projector's queue, which the kill cut
    # short: each check-in must be in them exactly once, as a rebuild from the check-ins makes them.
    deadline = time.monotonic() + 30
    while int(database.rows("SELECT COUNT(*) FROM checkin_projection")[0][0]) > 0:
        assert time.monotonic() < deadline, f"the projector did not empty its queue after the restart\n{ravao.log_tail()}"
        time.sleep(0.2)
    # PostgreSQL no longer checks the check-ins' foreign keys (migration 25) nor the card links' (27):
    # each must still name a stored person and place. Every person the writer created has been counted
    # once the queue is empty.
    assert database.rows("SELECT COUNT(*) FROM checkins c LEFT JOIN people p ON p.id = c.person_id "
                         "LEFT JOIN places l ON l.id = c.place_id WHERE p.id IS NULL OR l.id IS NULL") == [("0",)]
    assert database.rows("SELECT COUNT(*) FROM person_identifiers i LEFT JOIN people p ON p.id = i.person_id "
                         "WHERE p.id IS NULL") == [("0",)]
    assert database.rows("SELECT COUNT(*) FROM unprojected_people") == [("0",)]
    day = "(scanned_at + 25200) / 86400"
    assert database.rows("SELECT place_id, day, scans FROM place_days ORDER BY 1, 2") == \
        database.rows(f"SELECT place_id, {day}, COUNT(*) FROM checkins GROUP BY place_id, {day} ORDER BY 1, 2"), "scans per place and day"
    assert database.rows("SELECT place_id, day, person_id FROM place_day_people ORDER BY 1, 2, 3") == \
        database.rows(f"SELECT DISTINCT place_id, {day}, person_id FROM checkins ORDER BY 1, 2, 3"), "people per place and day"
    assert database.rows("SELECT place_id, day, entries + exits FROM place_day_counts ORDER BY 1, 2") == \
        database.rows(f"SELECT place_id, {day}, COUNT(*) FROM checkins GROUP BY place_id, {day} ORDER BY 1, 2"), "the day counters"
    derived = {
        "stays": "SELECT place_id, person_id, started_at, ended_at, span_class, closed FROM stays ORDER BY 1, 2, 3, 4",
        "unit_people_days": "SELECT scheme, unit_code, person_id, day FROM unit_people_days ORDER BY 1, 2, 3, 4",
        "unit_day_tallies": "SELECT scheme, unit_code, kind, day, prev_day, n FROM unit_day_tallies WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5",
    }
    applied = {table: database.rows(sql) for table, sql in derived.items()}
    ravao.stop()
    rebuild = subprocess.run([str(ravao.binary), "rebuild-rollups", "--database", database.url], capture_output=True, text=True, timeout=300)
    assert rebuild.returncode == 0, rebuild.stderr
    for table, sql in derived.items():
        assert applied[table] == database.rows(sql), f"{table}: what the projector applied differs from a rebuild from the check-ins"

    report.append(
        f"[{database.engine}] durability: {len(answered)} scans answered in {killed_at - started:.1f} s "
        f"({rate:.0f}/s, {WORKERS} connections, {key_kind}) before SIGKILL, all {len(answered)} in checkins once; "
        f"{len(unanswered)} in flight at the kill: {len(landed)} had landed, {len(unanswered) - len(landed)} had not; "
        f"{len(replayed)} answered scans re-sent -> 200 duplicate, same checkInId; "
        f"{queued_at_kill} check-ins queued for the projector at the kill, all applied once after the restart")
