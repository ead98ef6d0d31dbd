"""Backup and restore (issue 19): `ravao backup` while scans are written, `ravao restore` into a
fresh database, and a server started on it.

Stations keep posting scans while `ravao backup` runs (SQLite: VACUUM INTO on a reader; PostgreSQL:
pg_dump -Fc). The backup is restored with `ravao restore` into a new SQLite file or a new PostgreSQL
database, and a server is started on it with the deployment's secret file. Every scan answered before
the backup started must be there, with the same check-in id; nothing may be there twice; and the
restored server must work: the old device key still scans, the old session still reads, a new
sign-in works.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest

from ravao_system import Database, RavaoProcess, database, ravao, ravao_bin, report  # noqa: F401  (fixtures)
from test_durability import Station, card_qr

WORKERS = 8
BEFORE_BACKUP = 200       # scans answered before the backup starts ...
MAX_WAIT = 30.0           # ... waiting at most this long for them
LOAD_AFTER_BACKUP = 1.0   # seconds of scans after the backup finished


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, **kwargs)


@pytest.fixture
def restored_database(database, tmp_path):
    """Where the backup goes back: a new SQLite path, or a new PostgreSQL database (dropped after)."""
    if database.engine == "sqlite":
        path = tmp_path / "restored" / "ravao.sqlite"
        path.parent.mkdir()
        yield Database(engine="sqlite", url=f"sqlite:{path}", sqlite_path=path)
        return
    name = f"ravao_restore_{uuid.uuid4().hex[:10]}"
    admin = database.postgres_url
    database.psql(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0] + "/" + name
    try:
        yield Database(engine="postgres", url=f"{base}?schema={database.schema}", postgres_url=base, schema=database.schema)
    finally:
        subprocess.run(["psql", "-X", "-q", admin, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


def test_backup_during_writes_restores_every_earlier_scan(ravao, database, restored_database, ravao_bin, tmp_path, report):
    ravao.start()
    token = ravao.sign_in()
    place_id = ravao.create_place(token)
    key, key_kind = ravao.scanning_key(token, place_id)

    stop = threading.Event()
    seed = random.SystemRandom().getrandbits(64)
    stations = [Station(ravao.port, place_id, key, stop, random.Random(seed + n)) for n in range(WORKERS)]
    threads = [threading.Thread(target=s.run, daemon=True) for s in stations]
    for t in threads:
        t.start()
    started = time.monotonic()
    while sum(s.answered for s in stations) < BEFORE_BACKUP and time.monotonic() - started < MAX_WAIT:
        time.sleep(0.05)

    # Every scan answered by now was committed before the backup began.
    answered_before = {scan.client_id: scan.check_in_id for s in stations for scan in list(s.scans) if scan.status in (200, 201)}
    backup = tmp_path / ("ravao.backup.sqlite" if database.engine == "sqlite" else "ravao.dump")
    began = time.monotonic()
    made = _run([str(ravao_bin), "backup", "--database", database.url, "--output", str(backup)])
    took = time.monotonic() - began
    time.sleep(LOAD_AFTER_BACKUP)
    during = sum(s.answered for s in stations) - len(answered_before)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert made.returncode == 0, f"ravao backup failed:\n{made.stdout}\n{made.stderr}"
    assert backup.exists() and backup.stat().st_size > 0
    failed = [scan for s in stations for scan in s.scans if scan.error or scan.status not in (200, 201)]
    assert not failed, f"{len(failed)} scans failed while the backup ran, e.g. {failed[0].status} {failed[0].error}"
    assert len(answered_before) >= 50, f"only {len(answered_before)} scans before the backup; the test proves too little"
    answered_total = sum(s.answered for s in stations)

    # A second backup never overwrites the first.
    again = _run([str(ravao_bin), "backup", "--database", database.url, "--output", str(backup)])
    assert again.returncode != 0 and "already exists" in again.stderr, again.stderr

    # --- restore into a fresh database and start a server on it -------------------------------------
    restored = _run([str(ravao_bin), "restore", "--database", restored_database.url, str(backup)])
    assert restored.returncode == 0, f"ravao restore failed:\n{restored.stdout}\n{restored.stderr}"
    # Restoring over the restored data is refused: a restore never mixes two databases.
    twice = _run([str(ravao_bin), "restore", "--database", restored_database.url, str(backup)])
    assert twice.returncode != 0, "a second restore into the same place must be refused"

    rows = restored_database.checkins()
    by_client = Counter(client for client, _ in rows)
    assert not [c for c, n in by_client.items() if n > 1], "a clientId is in the restored database twice"
    ids = dict(rows)
    missing = [c for c in answered_before if c not in ids]
    assert not missing, f"{len(missing)} of {len(answered_before)} scans answered before the backup are not in it"
    assert all(ids[c] == i for c, i in answered_before.items()), "a restored check-in has another id"
    assert restored_database.integrity() == "ok"

    workdir = tmp_path / "restored-server"
    workdir.mkdir()
    # The secret is not in the backup: the operator brings the deployment's secret file along.
    shutil.copy(ravao.workdir / "ravao-secret", workdir / "ravao-secret")
    server = RavaoProcess(binary=ravao_bin, database=restored_database, workdir=workdir)
    try:
        server.start()
        scan = server.call("POST", "/api/v1/scans", {"placeId": place_id, "payload": card_qr(7), "direction": "in",
                                                     "clientId": str(uuid.uuid4())}, key)
        assert scan.status == 201, f"scanning with the old device key on the restored server: {scan.status} {scan.body!r}"
        replay_id, replay_check_in = next(iter(answered_before.items()))
        body = next(json.loads(x.body) for s in stations for x in s.scans if x.client_id == replay_id)
        replay = server.call("POST", "/api/v1/scans", body, key)
        assert replay.status == 200 and replay.json["checkInId"].upper() == replay_check_in, f"{replay.status} {replay.body!r}"
        places = server.call("GET", f"/api/v1/places/{place_id}", token=token)
        assert places.status == 200, f"the old session on the restored server: {places.status} {places.body!r}"
        fresh = server.sign_in("0987654321", "+84987654321")
        me = server.call("GET", "/api/v1/me", token=fresh)
        assert me.status == 200, f"a new sign-in on the restored server: {me.status} {me.body!r}"
    finally:
        server.stop()

    report.append(
        f"[{database.engine}] backup: {len(answered_before)} scans answered before `ravao backup` started, all restored "
        f"with their ids; {during} more answered while it ran ({took:.2f} s) or just after ({answered_total} in all, "
        f"{len(rows)} rows in the backup); backup {backup.stat().st_size} bytes; restored server scans, replays, signs in")
