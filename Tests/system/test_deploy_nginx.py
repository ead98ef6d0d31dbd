"""The deployment kit's nginx configuration in front of real instances (issue 19, item 6).

nginx runs the production locations (deploy/nginx/ravao-locations.conf) on loopback, written by
deploy/nginx/loopback.py, in front of `ravao serve` started with `--trusted-proxies 127.0.0.1`:
three instances on PostgreSQL, one on SQLite. The test talks to nginx from 127.0.0.2 (another
loopback address, not a trusted proxy) and checks what the configuration promises:
- the client address the server records is the real peer, not a forged X-Forwarded-For;
- a live view (server-sent events) reaches the browser through nginx as each scan commits, not
  buffered until the 5-second poll;
- bodies over the server's 1 MiB limit are refused by nginx (413); /metrics is not on the site but
  on the monitoring listener, with the bearer token;
- PostgreSQL: with one instance stopped by SIGTERM and another SIGKILLed during a scan burst,
  every scan sent through nginx is answered (nginx retries scans, which carry a clientId, on
  another instance) and recorded exactly once.
"""

from __future__ import annotations

import http.client
import json
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from ravao_system import REPO_ROOT, RavaoProcess, database, free_port, ravao_bin, report  # noqa: F401  (fixtures)
from test_durability import Scan, Station, card_qr

sys.path.insert(0, str(REPO_ROOT / "deploy" / "nginx"))
import loopback  # noqa: E402

CLIENT = "127.0.0.2"          # the "internet" side: not a trusted proxy
FORGED = "203.0.113.9"        # what a client claims in X-Forwarded-For
TOKEN = "metrics-" + uuid.uuid4().hex


def _request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
             timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(CLIENT, 0))
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class ClientStation(Station):
    """A station whose keep-alive connection comes from CLIENT, through nginx (Station.run's loop)."""

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(CLIENT, 0))
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"}
        while not self.stop.is_set():
            client_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            body = json.dumps({"placeId": self.place_id, "payload": card_qr(self.rng.randrange(10_000)),
                               "direction": self.rng.choice(["in", "out"]), "clientId": client_id}).encode()
            scan = Scan(client_id.upper(), body)
            self.scans.append(scan)
            try:
                conn.request("POST", "/api/v1/scans", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as error:
                scan.error = f"{error.__class__.__name__}: {error}"
                return
            scan.status = response.status
            if response.status in (200, 201):
                scan.check_in_id = json.loads(data)["checkInId"].upper()
                self.answered += 1
            else:
                scan.error = data[:300].decode("utf-8", "replace")
                return


@pytest.fixture
def cluster(ravao_bin, database, tmp_path):
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (apt-get install nginx-light); the deployment kit's proxy cannot be checked")
    count = 3 if database.engine == "postgres" else 1
    secret = tmp_path / "ravao-secret"
    servers = []
    for n in range(count):
        workdir = tmp_path / f"instance-{n}"
        workdir.mkdir()
        servers.append(RavaoProcess(binary=ravao_bin, database=database, workdir=workdir,
                                    extra_args=["--trusted-proxies", "127.0.0.1", "--secret-file", str(secret),
                                                "--metrics-token", TOKEN]))
    nginx = None
    try:
        for server in servers:
            server.start()
        listen, monitor = free_port(), free_port()
        conf = loopback.render(tmp_path / "nginx", listen, [s.port for s in servers], metrics_listen=monitor)
        check = subprocess.run(["nginx", "-t", "-p", str(conf.parent), "-c", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, f"nginx -t refused the configuration:\n{check.stderr}"
        nginx = subprocess.Popen(["nginx", "-p", str(conf.parent), "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            try:
                if _request(listen, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert nginx.poll() is None, f"nginx exited: {nginx.stderr.read().decode()}"
            assert time.monotonic() < deadline, "nginx did not answer within 20 s"
            time.sleep(0.1)
        yield servers, listen, monitor
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for server in servers:
            server.stop()


def test_nginx_in_front_of_instances(cluster, database, report):
    servers, site, monitor = cluster
    token = servers[0].sign_in()   # sessions live in the database: valid on every instance
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    spoofed = {**auth, "X-Forwarded-For": FORGED}

    # --- through nginx, the server records the real peer, not the forged header ---------------------
    wards = json.loads(_request(site, "GET", "/api/v1/units?parent=48")[1])
    status, body = _request(site, "POST", "/api/v1/places", json.dumps({
        "name": "Chợ Cồn (nginx test)", "type": "market", "wardCode": wards[0]["code"], "address": "290 Hùng Vương",
        "registrantName": "Lê Văn Bốn"}).encode(), spoofed)
    assert status == 201, f"creating a place through nginx: {status} {body!r}"
    place_id = json.loads(body)["id"]
    status, body = _request(site, "POST", f"/api/v1/places/{place_id}/devices", json.dumps({"name": "Cổng"}).encode(), spoofed)
    assert status == 201, f"creating a device through nginx: {status} {body!r}"
    key = json.loads(body)["key"]
    status, body = _request(site, "GET", f"/api/v1/places/{place_id}/history", headers=spoofed)
    assert status == 200, f"history: {status} {body!r}"
    history = json.loads(body)
    items = history["items"] if isinstance(history, dict) else history
    ips = {item["ip"] for item in items if item.get("ip")}
    assert ips == {CLIENT}, f"the place history records {ips}; through nginx it must be the peer {CLIENT}, never {FORGED}"

    # --- live view through nginx: each commit arrives at once, not at the next poll -----------------
    conn = http.client.HTTPConnection("127.0.0.1", site, timeout=30, source_address=(CLIENT, 0))
    conn.request("GET", f"/places/{place_id}/live/events", headers={"Authorization": f"Bearer {token}"})
    stream = conn.getresponse()
    assert stream.status == 200 and stream.getheader("Content-Type", "").startswith("text/event-stream")
    arrivals: list[float] = []

    def read_events():
        try:
            while True:
                line = stream.fp.readline()
                if not line:
                    return
                if line.startswith(b"event: snapshot"):
                    arrivals.append(time.monotonic())
        except (OSError, AttributeError, ValueError):  # closed by the test at the end
            return
    reader = threading.Thread(target=read_events, daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while not arrivals and time.monotonic() < deadline:
        time.sleep(0.02)
    assert arrivals, "no first snapshot through nginx within 10 s"
    time.sleep(1.0)  # past the stream's 0.7 s spacing, so the next snapshot is the scan's
    seen = len(arrivals)
    # The scan goes straight to the last instance: on PostgreSQL the viewer's stream is on whichever
    # instance nginx chose, and hears of the commit through LISTEN/NOTIFY.
    sent = time.monotonic()
    scan = servers[-1].call("POST", "/api/v1/scans", {"placeId": place_id, "payload": card_qr(3), "direction": "in",
                                                       "clientId": str(uuid.uuid4())}, key)
    assert scan.status == 201, f"{scan.status} {scan.body!r}"
    while len(arrivals) == seen and time.monotonic() - sent < 10:
        time.sleep(0.01)
    assert len(arrivals) > seen, "the scan's snapshot never reached the viewer through nginx"
    live_delay = arrivals[seen] - sent
    # The stream also polls every 5 s; arriving well before that shows nginx passed it on unbuffered.
    assert live_delay < 3.0, f"the scan reached the live view {live_delay:.2f} s after it was answered"
    conn.close()

    # --- limits and /metrics --------------------------------------------------------------------------
    status, _ = _request(site, "POST", "/api/v1/scans", b"x" * (2 * 1024 * 1024), {**auth, "Content-Type": "application/json"})
    assert status == 413, f"a 2 MiB body through nginx: {status}"
    assert _request(site, "GET", "/metrics", headers={"Authorization": f"Bearer {TOKEN}"})[0] == 404
    status, body = _request(monitor, "GET", f"/{servers[0].port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and b"hb_requests" in body and b"ravao_sms_sent_total" in body, f"{status} {body[:200]!r}"
    assert _request(monitor, "GET", f"/{servers[0].port}/metrics")[0] == 404, "/metrics without the token"

    failover = "single instance (SQLite): no failover part"
    if len(servers) == 3:
        failover = _failover(servers, site, place_id, key, database)
    report.append(f"[{database.engine}] nginx kit: {len(servers)} instance(s); recorded client address {CLIENT} "
                  f"(forged X-Forwarded-For ignored); live event through nginx {live_delay * 1000:.0f} ms after the scan's answer; "
                  f"2 MiB body -> 413; /metrics 404 on the site, 200 with token on the monitoring listener; {failover}")


def _failover(servers, site, place_id, key, database) -> str:
    """A scan burst through nginx while one instance gets SIGTERM and another SIGKILL."""
    stop = threading.Event()
    seed = random.SystemRandom().getrandbits(64)
    stations = [ClientStation(site, place_id, key, stop, random.Random(seed + n)) for n in range(8)]
    threads = [threading.Thread(target=s.run, daemon=True) for s in stations]
    for t in threads:
        t.start()
    time.sleep(1.5)
    servers[1].process.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    servers[2].kill()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert servers[1].process.wait(timeout=30) == 0, "the SIGTERMed instance did not exit 0"
    scans = [scan for s in stations for scan in s.scans]
    failed = [s for s in scans if s.status not in (200, 201)]
    assert not failed, (f"{len(failed)} of {len(scans)} scans through nginx failed while instances stopped, "
                        f"e.g. {failed[0].status} {failed[0].error}")
    rows = database.checkins()
    twice = [c for c, n in Counter(c for c, _ in rows).items() if n > 1]
    assert not twice, f"{len(twice)} clientIds recorded twice"
    ids = dict(rows)
    assert all(ids.get(s.client_id) == s.check_in_id for s in scans), "an answered scan is missing or has another id"
    duplicates = sum(1 for s in scans if s.status == 200)
    return (f"{len(scans)} scans through nginx during SIGTERM of one instance and SIGKILL of another: all answered "
            f"({duplicates} as duplicates of a retried scan), each recorded once")
