"""Graceful shutdown (issue 19): SIGTERM during a scan burst drains the check-in writer and the projector.

Stations post scans over keep-alive connections and an owner watches the live view (a server-sent
event stream) when the server gets SIGTERM — what systemd, docker and a rolling restart send. The
server must stop taking new connections, answer the scans it was given (each after its batch
committed), end the live stream, close the database and exit with status 0, well within systemd's
TimeoutStopSec. Every scan that got an answer, before or after the signal, must then be in
`checkins` exactly once; scans that got no answer (their connection closed) may be re-sent and are
recorded once.
"""

from __future__ import annotations

import http.client
import json
import random
import signal
import socket
import threading
import time
import uuid
from collections import Counter

from ravao_system import database, ravao, ravao_bin, report  # noqa: F401  (fixtures)
from test_durability import Station, card_qr

WORKERS = 16
MIN_LOAD_SECONDS = 2.0
TARGET_ANSWERED = 400
MAX_LOAD_SECONDS = 20.0
EXIT_WITHIN = 30.0  # seconds; the systemd unit allows 60


class LiveViewer:
    """Reads a live-view event stream until the server ends it."""

    def __init__(self, port: int, place_id: str, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.conn.request("GET", f"/places/{place_id}/live/events", headers={"Authorization": f"Bearer {token}"})
        self.response = self.conn.getresponse()
        self.snapshots = 0
        self.ended: float | None = None
        self.error: str | None = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    break
                if line.startswith(b"event: snapshot"):
                    self.snapshots += 1
        except OSError as error:
            self.error = f"{error.__class__.__name__}: {error}"
        self.ended = time.monotonic()


def test_sigterm_drains_answered_scans_and_exits_zero(ravao, database, report):
    ravao.start()
    token = ravao.sign_in()
    place_id = ravao.create_place(token)
    key, key_kind = ravao.scanning_key(token, place_id)
    probe = ravao.call("POST", "/api/v1/scans", {"placeId": place_id, "payload": card_qr(0), "direction": "in",
                                                 "clientId": str(uuid.uuid4())}, key)
    assert probe.status == 201, f"a probe scan: {probe.status} {probe.body!r}"

    viewer = LiveViewer(ravao.port, place_id, token)
    assert viewer.response.status == 200, f"live view: {viewer.response.status}"

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
        failed = [s.scans[-1] for s in stations if s.scans and (s.scans[-1].error or s.scans[-1].status not in (None, 200, 201))]
        if failed:
            stop.set()
            raise AssertionError(f"a scan failed before SIGTERM: {failed[0].status} {failed[0].error}\n{ravao.log_tail()}")
        if elapsed >= MAX_LOAD_SECONDS or (elapsed >= MIN_LOAD_SECONDS and sum(s.answered for s in stations) >= TARGET_ANSWERED):
            break
    answered_before = sum(s.answered for s in stations)

    # --- SIGTERM in the middle of the burst; the stations keep sending until their connection closes.
    ravao.process.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    refused_at = None
    while ravao.process.poll() is None and time.monotonic() - signalled < EXIT_WITHIN:
        if refused_at is None:
            try:
                socket.create_connection(("127.0.0.1", ravao.port), timeout=1).close()
            except OSError:
                refused_at = time.monotonic()  # no longer accepting, possibly still draining
        time.sleep(0.02)
    exited_after = time.monotonic() - signalled
    assert ravao.process.poll() is not None, f"the server was still running {EXIT_WITHIN} s after SIGTERM\n{ravao.log_tail()}"
    status = ravao.process.returncode
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a station did not notice the server had stopped"
    viewer.thread.join(timeout=10)
    assert viewer.ended is not None, "the live view stream outlived the server"
    assert status == 0, f"ravao serve exited with {status} after SIGTERM\n{ravao.log_tail()}"
    log = ravao.log_path().read_text(encoding="utf-8", errors="replace")
    assert "check-in batch failed" not in log, ravao.log_tail()

    scans = [scan for s in stations for scan in s.scans]
    answered = [s for s in scans if s.status in (200, 201)]
    unanswered = [s for s in scans if s.status is None]
    refused = [s for s in scans if s.status is not None and s.status not in (200, 201)]
    assert not refused, f"{len(refused)} scans answered an error during shutdown, e.g. {refused[0].status} {refused[0].error}"
    assert len({s.client_id for s in scans}) == len(scans), "the load generator repeated a clientId"

    rows = database.checkins()
    by_client = Counter(client for client, _ in rows)
    twice = [client for client, n in by_client.items() if n > 1]
    assert not twice, f"{len(twice)} clientIds are recorded more than once, e.g. {twice[:3]}"
    ids = dict(rows)
    missing = [s for s in answered if s.client_id not in ids]
    assert not missing, f"LOST: {len(missing)} of {len(answered)} answered scans are not in checkins after SIGTERM"
    wrong = [s for s in answered if ids[s.client_id] != s.check_in_id]
    assert not wrong, f"{len(wrong)} answered scans name another check-in id than the row"
    assert database.integrity() == "ok"
    # The projector applied what the writer recorded before the database closed: nothing waits for
    # the next start, and the dashboards count every check-in now in the table.
    assert database.rows("SELECT COUNT(*) FROM checkin_projection") == [("0",)], "check-ins left in the projector's queue at exit"
    assert database.rows("SELECT CAST(SUM(scans) AS BIGINT) FROM place_days") == [(str(len(rows)),)], "place_days does not count every check-in"
    landed = [s for s in unanswered if s.client_id in ids]

    # Started again on the same database, the unanswered ones are recorded once when re-sent.
    ravao.start()
    for scan in unanswered:
        reply = ravao.call("POST", "/api/v1/scans", json.loads(scan.body), key)
        assert reply.status == (200 if scan.client_id in ids else 201), f"re-sending: {reply.status} {reply.body!r}"
    after = database.checkins()
    assert len({c for c, _ in after}) == len(after)

    report.append(
        f"[{database.engine}] SIGTERM drain: {answered_before} scans answered before the signal, "
        f"{len(answered) - answered_before} more answered after it ({len(answered)} in all, every one in checkins once); "
        f"{len(unanswered)} got no answer ({len(landed)} had landed); listening socket closed "
        f"{'%.2f s' % (refused_at - signalled) if refused_at else 'by exit'} after SIGTERM; exit status 0 after {exited_after:.2f} s; "
        f"live view ended with the server ({viewer.snapshots} snapshots); {WORKERS} connections, {key_kind}")
