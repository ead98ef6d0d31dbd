"""The national operator's set-up in small (issue 19): three `ravao serve` instances behind nginx on one
PostgreSQL primary, with a streaming replica for heavy reads. Kiosks at four places scan through nginx
while one instance is SIGKILLed mid-run; a kiosk retries an unanswered scan with the same clientId, as
its offline queue does. Then:

- every scan a kiosk saw answered is in `checkins` exactly once (the load keeps its own ledger);
- a live view open on another instance saw the scans made through the others, as they committed;
- a manager's role removed through nginx stops working on every surviving instance within seconds.

Figures (scans/s through nginx, retries, the kill) go to the system test report. PostgreSQL only
(RAVAO_TEST_POSTGRES set), with nginx and PostgreSQL's server binaries from Debian.

Run: RAVAO_BIN=.build/debug/ravao RAVAO_TEST_POSTGRES=postgres://… python3 -m pytest -q Tests/system/test_cluster.py
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from pg_clusters import clusters  # noqa: F401
from ravao_system import Database, RavaoProcess, call, free_port, ravao_bin, report  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "deploy" / "nginx"))
import loopback  # noqa: E402  (the operator's locations, on loopback without root)
KIOSKS = 4
THREADS_PER_KIOSK = 2
LOAD_SECONDS = 12
KILL_AFTER = 4


class Instance(RavaoProcess):
    """One of several instances: they share one SMS outbox, so a code sent by any of them is found."""

    shared_outbox: Path | None = None

    @property
    def outbox(self) -> Path:
        return self.shared_outbox or (self.workdir / "sms.jsonl")


@pytest.fixture
def deployment(ravao_bin, clusters, tmp_path):  # noqa: F811
    nginx_bin = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx_bin).exists():
        pytest.fail("nginx is not installed (apt-get install nginx-light)")
    primary, replica = clusters
    schema = f"cl_{uuid.uuid4().hex[:10]}"
    database = Database(engine="postgres", url=f"{primary.url}?schema={schema}", postgres_url=primary.url, schema=schema)
    secret = tmp_path / "secret"
    secret.write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n")
    secret.chmod(0o600)
    outbox = tmp_path / "sms.jsonl"
    instances = []
    for n in range(3):
        workdir = tmp_path / f"instance-{n + 1}"
        workdir.mkdir()
        instance = Instance(binary=ravao_bin, database=database, workdir=workdir,
                            extra_args=["--secret-file", str(secret), "--read-database", f"{replica.url}?schema={schema}",
                                        "--trust-proxy", "--sms", f"outbox:{outbox}"])
        instance.shared_outbox = outbox
        instances.append(instance)
    listen = free_port()
    config = loopback.render(tmp_path / "nginx", listen, [i.port for i in instances])
    nginx = None
    try:
        for instance in instances:
            instance.start()
        checked = subprocess.run([nginx_bin, "-t", "-p", str(config.parent), "-c", str(config)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        nginx = subprocess.Popen([nginx_bin, "-p", str(config.parent), "-c", str(config)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                if call(listen, "GET", "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert nginx.poll() is None and time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.1)
        yield instances, listen, database
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=20)
        for instance in instances:
            instance.stop()


def card(number: str) -> str:
    return f"{number}|123456789|Phạm Văn Bảy|01011990|Nam|Hải Châu, Đà Nẵng|01012021"


def test_three_instances_behind_nginx_survive_a_kill(deployment, report):
    instances, front, database = deployment
    owner = instances[0].sign_in("0912000301", "+84912000301")
    places, keys = [], []
    for n in range(KIOSKS):
        place = call(front, "POST", "/api/v1/places", {"name": f"Cổng {n + 1}", "type": "factory", "address": "1 Đường Số 1",
                                                        "registrantName": "Trần Thị Ba",
                                                        "wardCode": call(front, "GET", "/api/v1/units?parent=48").json[0]["code"]}, owner)
        assert place.status == 201, place.body
        device = call(front, "POST", f"/api/v1/places/{place.json['id']}/devices", {"name": f"Kiosk {n + 1}"}, owner)
        assert device.status == 201, device.body
        places.append(place.json["id"])
        keys.append(device.json["key"])

    # A live view of place 0 on instance 3, which the SIGKILL spares.
    viewer = http.client.HTTPConnection("127.0.0.1", instances[2].port, timeout=30)
    viewer.request("GET", f"/places/{places[0]}/live/events", headers={"Authorization": f"Bearer {owner}"})
    stream = viewer.getresponse()
    assert stream.status == 200
    snapshots: list[dict] = []

    def watch():
        try:
            for line in stream.fp:
                if line.startswith(b"data: ") and b'"counts"' in line:
                    snapshots.append(json.loads(line[6:]))
        except (OSError, ValueError):
            pass

    threading.Thread(target=watch, daemon=True).start()

    ledger: dict[str, str] = {}   # clientId -> checkInId, for every answered scan
    counts = {"retries": 0, "failed": 0}
    lock = threading.Lock()
    stop = time.monotonic() + LOAD_SECONDS

    def kiosk(n: int, worker: int):
        serial = 0
        while time.monotonic() < stop:
            serial += 1
            client_id = str(uuid.uuid4())
            number = f"07{n}{worker}{serial:08d}"[:12]
            body = {"placeId": places[n], "payload": card(number), "clientId": client_id}
            for attempt in range(20):
                try:
                    reply = call(front, "POST", "/api/v1/scans", body, keys[n], timeout=10)
                except OSError:
                    reply = None
                if reply is not None and reply.status in (200, 201):
                    with lock:
                        ledger[client_id] = reply.json["checkInId"]
                    break
                with lock:
                    counts["retries"] += 1
                time.sleep(0.2)
            else:
                with lock:
                    counts["failed"] += 1

    threads = [threading.Thread(target=kiosk, args=(n, w)) for n in range(KIOSKS) for w in range(THREADS_PER_KIOSK)]
    started = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(KILL_AFTER)
    answered_before_kill = len(ledger)
    instances[0].kill()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    assert counts["failed"] == 0, counts
    rows = database.checkins()
    by_client: dict[str, list[str]] = {}
    for client, row_id in rows:
        by_client.setdefault(client, []).append(row_id)
    missing = [c for c in ledger if c.upper() not in by_client]
    doubled = [c for c, ids in by_client.items() if len(ids) != 1]
    assert not missing, f"{len(missing)} answered scans are not stored"
    assert not doubled, f"{len(doubled)} scans are stored more than once"
    wrong = [c for c, checkin in ledger.items() if by_client[c.upper()][0] != checkin.upper()]
    assert not wrong, f"{len(wrong)} answers name another check-in than the one stored"

    # The live view on instance 3 caught up with every scan at place 0, made through all three.
    at_place_0 = int(database.psql(f"SELECT COUNT(*) FROM \"{database.schema}\".checkins WHERE place_id = '{places[0]}'"))
    deadline = time.monotonic() + 8
    while not snapshots or snapshots[-1]["counts"]["entries"] + snapshots[-1]["counts"]["exits"] != at_place_0:
        assert time.monotonic() < deadline, (at_place_0, snapshots[-1]["counts"] if snapshots else None)
        time.sleep(0.2)
    assert len(snapshots) > LOAD_SECONDS, f"the live view saw only {len(snapshots)} snapshots in {LOAD_SECONDS} s of scans"
    viewer.close()

    # A manager working through both surviving instances loses the role everywhere once removed.
    manager = instances[1].sign_in("0912000302", "+84912000302")
    shared = call(front, "POST", f"/api/v1/places/{places[1]}/shares", {"phones": "0912000302", "role": "manager"}, owner)
    assert shared.status == 201, shared.body
    texts = [json.loads(line)["text"] for line in instances[1].outbox.read_text(encoding="utf-8").splitlines()
             if json.loads(line)["to"] == "+84912000302"]
    code = re.findall(r"(?<!\d)\d{6}(?!\d)", texts[-1])[0]
    assert call(front, "POST", f"/api/v1/shares/{shared.json['shares'][0]['id']}/confirm", {"code": code}, manager).status == 200
    for instance in instances[1:]:
        assert call(instance.port, "GET", f"/api/v1/places/{places[1]}/devices", token=manager).status == 200
    members = call(front, "GET", f"/api/v1/places/{places[1]}/shares", token=owner).json["members"]
    account = next(m["accountId"] for m in members if m["role"] == "manager")
    assert call(front, "DELETE", f"/api/v1/places/{places[1]}/members/{account}", token=owner).status == 204
    removed = time.monotonic()
    for instance in instances[1:]:
        while call(instance.port, "GET", f"/api/v1/places/{places[1]}/devices", token=manager).status not in (403, 404):
            assert time.monotonic() - removed < 4, f"instance on port {instance.port} still honours the removed role"
            time.sleep(0.05)
    gone_after = time.monotonic() - removed

    # Two surviving instances ran projector passes side by side (one was killed mid-pass, perhaps):
    # every check-in reached the dashboard rollups exactly once.
    schema = f'"{database.schema}"'
    deadline = time.monotonic() + 15
    while int(database.psql(f"SELECT COUNT(*) FROM {schema}.checkin_projection")) > 0:
        assert time.monotonic() < deadline, "the projectors did not empty the queue"
        time.sleep(0.2)
    day = "(scanned_at + 25200) / 86400"
    assert database.psql(f"SELECT place_id, day, scans FROM {schema}.place_days ORDER BY 1, 2") == \
        database.psql(f"SELECT place_id, {day}, COUNT(*) FROM {schema}.checkins GROUP BY 1, 2 ORDER BY 1, 2"), "scans per place and day"
    assert database.psql(f"SELECT place_id, day, person_id FROM {schema}.place_day_people ORDER BY 1, 2, 3") == \
        database.psql(f"SELECT DISTINCT place_id, {day}, person_id FROM {schema}.checkins ORDER BY 1, 2, 3"), "people per place and day"

    report.append(f"cluster (3 instances, nginx, primary + replica): {len(ledger)} scans answered in {elapsed:.1f} s "
                  f"({len(ledger) / elapsed:.0f}/s through nginx, {KIOSKS * THREADS_PER_KIOSK} kiosk threads), "
                  f"{answered_before_kill} before the SIGKILL of instance 1 at {KILL_AFTER} s, {counts['retries']} retries, "
                  f"0 lost, 0 doubled; live view on instance 3: {len(snapshots)} snapshots; removed role refused "
                  f"everywhere after {gone_after:.2f} s; projector queue applied once across the instances")
