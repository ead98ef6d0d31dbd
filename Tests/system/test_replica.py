"""Heavy reads on a streaming replica (issue 19): `ravao serve --read-database` sends scan history (and
dashboards, risk lists, tracing) to a PostgreSQL replica made with `pg_basebackup`, stays correct, and
goes back to the primary when the replica falls further behind than `--read-max-lag`.

The test makes its own small primary and replica clusters with Debian's PostgreSQL binaries (initdb,
pg_basebackup, pg_ctl) on loopback ports, run as the `postgres` user when the suite runs as root, so it
copies nothing of the shared test cluster. It runs when RAVAO_TEST_POSTGRES is set (PostgreSQL tests
are on) and the binaries are installed.

Run: RAVAO_BIN=.build/debug/ravao RAVAO_TEST_POSTGRES=postgres://… python3 -m pytest -q Tests/system/test_replica.py
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid

from pg_clusters import clusters  # noqa: F401
from ravao_system import Database, RavaoProcess, call, ravao_bin  # noqa: F401


def replica_reads(port: int) -> dict[str, float]:
    metrics = call(port, "GET", "/metrics").body.decode()
    return {m[0]: float(m[1]) for m in re.findall(r'^ravao_replica_reads_total\{target="(\w+)"\} (\S+)$', metrics, re.M)}


def history_count(port: int, token: str, place: str) -> int:
    reply = call(port, "GET", f"/api/v1/places/{place}/scans?limit=500", token=token)
    assert reply.status == 200, reply.body
    return len(reply.json["items"])


def scan(port: int, token: str, place: str) -> None:
    number = f"0792{uuid.uuid4().int % 10**8:08d}"
    body = {"placeId": place, "payload": f"{number}|123456789|Đỗ Văn Sáu|01011990|Nam|Hải Châu, Đà Nẵng|01012021",
            "clientId": str(uuid.uuid4())}
    reply = call(port, "POST", "/api/v1/scans", body, token)
    assert reply.status == 201, reply.body


def until(check, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
        time.sleep(0.2)


def test_heavy_reads_go_to_the_replica_within_the_lag_bound(ravao_bin, clusters, tmp_path):
    primary, replica = clusters
    schema = f"rep_{uuid.uuid4().hex[:10]}"
    database = Database(engine="postgres", url=f"{primary.url}?schema={schema}", postgres_url=primary.url, schema=schema)
    server = RavaoProcess(binary=ravao_bin, database=database, workdir=tmp_path,
                          extra_args=["--read-database", f"{replica.url}?schema={schema}", "--read-max-lag", "2"])
    server.start()
    try:
        owner = server.sign_in()
        place = server.create_place(owner)
        for _ in range(5):
            scan(server.port, owner, place)

        # Caught up, the replica answers, and answers right.
        before = replica_reads(server.port)
        until(lambda: history_count(server.port, owner, place) == 5, "the replica's scan history")
        after = replica_reads(server.port)
        assert after.get("replica", 0) > before.get("replica", 0), (before, after)

        # The replica stops replaying: within the bound it may still answer (with at most 2 s old data);
        # past it, reads go to the primary and see every scan.
        replica.sql("SELECT pg_wal_replay_pause()")
        for _ in range(3):
            scan(server.port, owner, place)
        time.sleep(3.5)
        before = replica_reads(server.port)
        assert history_count(server.port, owner, place) == 8
        after = replica_reads(server.port)
        assert after.get("primary", 0) > before.get("primary", 0), (before, after)
        assert after.get("replica", 0) == before.get("replica", 0), (before, after)
        lag = re.search(r"^ravao_replica_lag_seconds (\S+)$", call(server.port, "GET", "/metrics").body.decode(), re.M)
        assert lag and float(lag.group(1)) > 2, lag

        # Replaying again, it catches up and takes the reads back.
        replica.sql("SELECT pg_wal_replay_resume()")
        until(lambda: replica.sql(f"SELECT COUNT(*) FROM \"{schema}\".checkins") == "8", "the replica catching up")
        time.sleep(1.2)
        before = replica_reads(server.port)
        assert history_count(server.port, owner, place) == 8
        assert replica_reads(server.port).get("replica", 0) > before.get("replica", 0)
    finally:
        server.stop()


def test_a_read_database_needs_postgres_on_both_sides(ravao_bin, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}
    result = subprocess.run([str(ravao_bin), "serve", "--database", f"sqlite:{tmp_path}/r.sqlite", "--read-database",
                             "postgres://u@127.0.0.1:1/db"], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "--read-database must be a PostgreSQL replica of a PostgreSQL --database" in result.stdout + result.stderr


def test_a_replica_that_is_down_sends_heavy_reads_to_the_primary(ravao_bin, clusters, tmp_path):
    primary, _ = clusters
    schema = f"rep_{uuid.uuid4().hex[:10]}"
    database = Database(engine="postgres", url=f"{primary.url}?schema={schema}", postgres_url=primary.url, schema=schema)
    closed = f"postgres://postgres@127.0.0.1:1/postgres?schema={schema}"
    server = RavaoProcess(binary=ravao_bin, database=database, workdir=tmp_path, extra_args=["--read-database", closed])
    server.start()  # a replica that is down at start is no reason not to serve
    try:
        owner = server.sign_in()
        place = server.create_place(owner)
        scan(server.port, owner, place)
        assert history_count(server.port, owner, place) == 1
        assert replica_reads(server.port).get("primary", 0) >= 1
        lag = re.search(r"^ravao_replica_lag_seconds (\S+)$", call(server.port, "GET", "/metrics").body.decode(), re.M)
        assert lag and float(lag.group(1)) == -1, lag
    finally:
        server.stop()
