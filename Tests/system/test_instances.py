"""Two `ravao serve` instances on one PostgreSQL database, as behind a load balancer (trust rule 6,
issue 19): a grant that ends on one instance ends on the other within about a second, not after the
caches' 10-second lifetime, and a scan recorded through one instance reaches a live view open on the
other as it commits.

Each check primes the other instance's cache first, so a build without the instances' channel
(PostgreSQL LISTEN/NOTIFY) answers from a stale entry and fails here. PostgreSQL only: SQLite is one
process.

Run: RAVAO_BIN=.build/debug/ravao RAVAO_TEST_POSTGRES=postgres://… python3 -m pytest -q Tests/system/test_instances.py
"""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid
from pathlib import Path

import pytest

from ravao_system import Database, RavaoProcess, Reply, call, database, ravao_bin  # noqa: F401

# Well under the caches' 10 s lifetime, well over a loaded machine's NOTIFY round trip.
WITHIN_SECONDS = 4.0


@pytest.fixture
def pair(ravao_bin, database: Database, tmp_path: Path):
    if database.engine != "postgres":
        pytest.skip("several instances share a PostgreSQL database; SQLite is one process")
    secret = tmp_path / "shared-secret"
    secret.write_text(uuid.uuid4().hex + uuid.uuid4().hex + "\n")
    secret.chmod(0o600)
    servers = []
    for name in ("a", "b"):
        workdir = tmp_path / name
        workdir.mkdir()
        servers.append(RavaoProcess(binary=ravao_bin, database=database, workdir=workdir,
                                    extra_args=["--secret-file", str(secret)]))
    servers[0].start()
    servers[1].start()  # after a's migrations
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def until(check, what: str) -> float:
    """Seconds until `check()` holds; fails after WITHIN_SECONDS."""
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < WITHIN_SECONDS, f"{what} was still not seen after {WITHIN_SECONDS} s"
        time.sleep(0.05)
    return time.monotonic() - started


def newest_code(server: RavaoProcess, e164: str) -> str:
    """The code in the newest SMS this instance sent to `e164`."""
    texts = [json.loads(line)["text"] for line in server.outbox.read_text(encoding="utf-8").splitlines()
             if json.loads(line)["to"] == e164]
    codes = re.findall(r"(?<!\d)\d{6}(?!\d)", texts[-1]) if texts else []
    assert codes, f"no SMS code to {e164}"
    return codes[0]


def scan(port: int, key: str, place: str) -> Reply:
    number = f"0791{uuid.uuid4().int % 10**8:08d}"
    body = {"placeId": place, "payload": f"{number}|123456789|Nguyễn Văn Tư|01011990|Nam|Hải Châu, Đà Nẵng|01012021",
            "clientId": str(uuid.uuid4())}
    return call(port, "POST", "/api/v1/scans", body, key)


def test_a_signed_out_session_ends_on_every_instance(pair):
    a, b = pair
    for server in pair:
        metrics = call(server.port, "GET", "/metrics").body.decode()
        assert re.search(r"^ravao_instance_channel_up 1(\.0)?$", metrics, re.M), metrics[-2000:]
    token = a.sign_in()
    assert call(b.port, "GET", "/api/v1/me", token=token).status == 200  # b now remembers the session
    assert call(a.port, "POST", "/api/v1/auth/signout", token=token).status in (200, 204)
    until(lambda: call(b.port, "GET", "/api/v1/me", token=token).status == 401, "the sign-out on the other instance")


def test_a_removed_role_and_a_revoked_key_stop_on_every_instance(pair):
    a, b = pair
    owner = a.sign_in("0912000101", "+84912000101")
    place = a.create_place(owner)
    # A manager invited through instance a, working through instance b.
    manager = b.sign_in("0912000102", "+84912000102")
    shared = call(a.port, "POST", f"/api/v1/places/{place}/shares", {"phones": "0912000102", "role": "manager"}, owner)
    assert shared.status == 201, shared.body
    confirmed = call(b.port, "POST", f"/api/v1/shares/{shared.json['shares'][0]['id']}/confirm",
                     {"code": newest_code(a, "+84912000102")}, manager)
    assert confirmed.status == 200, confirmed.body
    assert call(b.port, "GET", f"/api/v1/places/{place}/devices", token=manager).status == 200  # b caches the role

    created = call(a.port, "POST", f"/api/v1/places/{place}/devices", {"name": "Cổng phụ"}, owner)
    assert created.status == 201, created.body
    key, device = created.json["key"], created.json["id"]
    assert scan(b.port, key, place).status == 201  # b caches the key

    members = call(a.port, "GET", f"/api/v1/places/{place}/shares", token=owner).json["members"]
    account = next(m["accountId"] for m in members if m["role"] == "manager")
    assert call(a.port, "DELETE", f"/api/v1/places/{place}/members/{account}", token=owner).status == 204
    until(lambda: call(b.port, "GET", f"/api/v1/places/{place}/devices", token=manager).status in (403, 404),
          "the removed role on the other instance")

    assert call(a.port, "DELETE", f"/api/v1/places/{place}/devices/{device}", token=owner).status == 204
    until(lambda: scan(b.port, key, place).status == 401, "the revoked key on the other instance")


def test_scans_through_one_instance_reach_a_live_view_on_the_other(pair):
    a, b = pair
    owner = a.sign_in("0912000201", "+84912000201")
    place = a.create_place(owner)
    conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)
    conn.request("GET", f"/places/{place}/live/events", headers={"Authorization": f"Bearer {owner}"})
    stream = conn.getresponse()
    assert stream.status == 200

    def next_snapshot() -> bytes:
        while True:
            line = stream.fp.readline()
            assert line, "the live stream ended"
            if line.startswith(b"data: ") and b'"counts"' in line:
                return line

    next_snapshot()
    # Three scans 1.7 s apart, each seen within 1.5 s: the view's own 5-second re-read can explain at
    # most one of them; the others must come from instance a's news.
    for _ in range(3):
        time.sleep(1.7)
        scanned = scan(a.port, owner, place)
        assert scanned.status == 201, scanned.body
        checkin = str(scanned.json["checkInId"]).encode()
        started = time.monotonic()
        while checkin.lower() not in next_snapshot().lower():
            assert time.monotonic() - started < 1.5, "a scan on one instance did not reach the other's live view"
        waited = time.monotonic() - started
        assert waited < 1.5, f"the live view on the other instance saw the scan only after {waited:.2f} s"
    conn.close()
