"""Trust rule 9 (P4): personal rows older than the retention period are deleted — nightly by the
server, on demand by `ravao purge` — unless an open tracing case holds them; the case's hold ends when
the officer closes it. Through the real server and console, on SQLite and PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import datetime
import uuid

from trust import VIETNAM, Server, database, ravao_bin, server  # noqa: F401


def cccd(n: int, name: str) -> str:
    return f"0791850012{n:02d}|123456789|{name}|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024"


def count(server: Server, sql: str) -> int:
    if server.database.engine == "sqlite":
        import sqlite3
        with sqlite3.connect(server.database.sqlite_path) as db:
            return db.execute(sql).fetchone()[0]
    return int(server.database.psql(f'SET search_path TO "{server.database.schema}"; {sql}').strip().splitlines()[-1])


def test_old_rows_go_unless_an_open_case_holds_them(server: Server):
    owner = server.actor()
    place = server.create_place(owner.token)
    now = datetime.datetime.now(VIETNAM).replace(microsecond=0)
    people = {}
    for n, (name, days) in enumerate([("Lê Văn Cũ", 5), ("Trần Thị Giữ", 3), ("Phạm Văn Mới", 0)]):
        at = (now - datetime.timedelta(days=days)).isoformat()
        reply = owner.call("POST", "/api/v1/scans", {"placeId": place, "payload": cccd(n, name), "clientId": str(uuid.uuid4()), "scannedAt": at})
        assert reply.status == 201, reply.body
        people[name] = reply.json["person"]["id"]
    assert count(server, "SELECT COUNT(*) FROM checkins") == 3

    officer = server.officer()
    held = {"personId": people["Trần Thị Giữ"], "from": (now - datetime.timedelta(days=3, hours=1)).isoformat(),
            "to": (now - datetime.timedelta(days=3) + datetime.timedelta(hours=1)).isoformat(), "note": "F0 ngày 3"}
    case = officer.call("POST", "/api/v1/cases", held)
    assert case.status == 201, case.body
    # Not a citizen's business to open one.
    assert owner.call("POST", "/api/v1/cases", held).status == 403

    purged = server.console("purge", "--retention-days", "1")
    assert "checkins: 1" in purged.stdout, purged.stdout
    remaining = count(server, "SELECT COUNT(*) FROM checkins")
    assert remaining == 2, "the 5-day-old check-in went; the held and the new one stayed"
    assert count(server, f"SELECT COUNT(*) FROM checkins WHERE person_id = '{people['Lê Văn Cũ']}'") == 0
    assert count(server, f"SELECT COUNT(*) FROM stays WHERE person_id = '{people['Lê Văn Cũ']}'") == 0

    # Another officer of another province cannot close it; the one who opened it can.
    stranger = server.officer(unit="01")
    assert stranger.call("POST", f"/api/v1/cases/{case.json['id']}/close", {}).status == 404
    assert officer.call("POST", f"/api/v1/cases/{case.json['id']}/close", {}).status == 204
    server.console("purge", "--retention-days", "1")
    assert count(server, "SELECT COUNT(*) FROM checkins") == 1
    assert count(server, f"SELECT COUNT(*) FROM checkins WHERE person_id = '{people['Phạm Văn Mới']}'") == 1


def test_a_case_holds_only_its_officers_jurisdiction(server: Server):
    """A ward or province officer's case keeps the check-ins it could trace, not the whole country's."""
    owner = server.actor()
    danang = server.create_place(owner.token)
    hanoi_ward = server.call("GET", "/api/v1/units?parent=01").json[0]["code"]
    hanoi = owner.call("POST", "/api/v1/places", {"name": "Quán Hà Nội", "type": "restaurant", "wardCode": hanoi_ward,
                                                 "address": "1 Tràng Tiền", "registrantName": "Chủ"}).json["id"]
    at = (datetime.datetime.now(VIETNAM).replace(microsecond=0) - datetime.timedelta(days=3)).isoformat()
    seen = {}
    for n, (place, name) in enumerate([(hanoi, "Vũ Văn Bắc"), (danang, "Hồ Thị Nam")]):
        reply = owner.call("POST", "/api/v1/scans", {"placeId": place, "payload": cccd(20 + n, name), "clientId": str(uuid.uuid4()), "scannedAt": at})
        assert reply.status == 201, reply.body
        seen[name] = reply.json["person"]["id"]
    hanoi_officer = server.officer(unit="01")
    three_days = datetime.datetime.fromisoformat(at)
    case = hanoi_officer.call("POST", "/api/v1/cases", {"personId": seen["Vũ Văn Bắc"],
                                                        "from": (three_days - datetime.timedelta(hours=1)).isoformat(),
                                                        "to": (three_days + datetime.timedelta(hours=1)).isoformat()})
    assert case.status == 201, case.body
    server.console("purge", "--retention-days", "1")
    assert count(server, f"SELECT COUNT(*) FROM checkins WHERE person_id = '{seen['Vũ Văn Bắc']}'") == 1, "held: inside the case's unit"
    assert count(server, f"SELECT COUNT(*) FROM checkins WHERE person_id = '{seen['Hồ Thị Nam']}'") == 0, "not held: another province"
