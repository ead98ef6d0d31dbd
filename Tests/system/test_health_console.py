"""`ravao health zone|mark`: what a health office does from the server console (A6, A4), run as the real
binary against a real SQLite file, then read back from the database.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/system/test_health_console.py
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def binary() -> Path:
    path = Path(os.environ.get("RAVAO_BIN") or REPO_ROOT / ".build" / "debug" / "ravao")
    path = path if path.is_absolute() else (REPO_ROOT / path).resolve()
    if not path.exists():
        pytest.fail(f"server binary {path} does not exist; run `swift build` or set RAVAO_BIN")
    return path


def ravao(database: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}
    return subprocess.run([str(binary()), *args, "--database", database], capture_output=True, text=True, timeout=120, env=env)


def test_zones_and_marks_from_the_console(tmp_path: Path):
    db_path = tmp_path / "ravao.sqlite"
    database = f"sqlite:{db_path}"
    assert ravao(database, "migrate").returncode == 0

    with closing(sqlite3.connect(db_path)) as db:
        ward = db.execute("SELECT code FROM admin_units WHERE level = 'ward' AND parent_code = '48' ORDER BY code LIMIT 1").fetchone()[0]
        person = str(uuid.uuid4()).upper()
        db.execute("INSERT INTO people (id, full_name, verified, created_at) VALUES (?, 'Nguyễn Văn An', 0, 0)", (person,))
        db.execute("INSERT INTO person_identifiers (kind, value, person_id, created_at) VALUES ('phone', '+84912345678', ?, 0)", (person,))
        db.commit()

    zone = ravao(database, "health", "zone", "--unit", ward, "--level", "high", "--from", "2021-10-24", "--to", "2021-11-07")
    assert zone.returncode == 0, zone.stderr
    assert f"({ward})" in zone.stdout
    # 2021-10-24 00:00 in Vietnam is 2021-10-23 17:00 UTC; the last day ends at 23:59:59 local time.
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("SELECT unit_code, level, starts_at, ends_at FROM zones").fetchall() == [(ward, "high", 1635008400, 1636304399)]

    bad = [ravao(database, "health", "zone", "--unit", "nowhere"),
           ravao(database, "health", "zone", "--unit", ward, "--from", "2021-11-07", "--to", "2021-10-24"),
           ravao(database, "health", "mark", "--phone", "0912345678", "--mark", "F9"),
           ravao(database, "health", "mark", "--phone", "0999999999", "--mark", "F1")]
    assert all(result.returncode != 0 for result in bad), [r.stdout + r.stderr for r in bad]

    marked = ravao(database, "health", "mark", "--phone", "0912 345 678", "--mark", "f1")
    assert marked.returncode == 0, marked.stderr
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("SELECT COUNT(*) FROM zones").fetchone()[0] == 1, "refused commands must change nothing"
        assert db.execute("SELECT person_id, mark, cleared_at FROM person_marks").fetchall() == [(person, "F1", None)]

    cleared = ravao(database, "health", "mark", "--phone", "0912345678", "--mark", "clear")
    assert cleared.returncode == 0, cleared.stderr
    with closing(sqlite3.connect(db_path)) as db:
        assert db.execute("SELECT COUNT(*) FROM person_marks WHERE cleared_at IS NULL").fetchone()[0] == 0
