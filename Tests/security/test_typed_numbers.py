"""Trust rule 3: no oracle at the door. Typed phone and ID numbers are limited per account and per place
(distinct numbers per hour, a clear 429 past it), a typed number's answer names no one, and every
disclosure to a place is in the person's "who saw my data". Through the real server, on SQLite and
PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import uuid

from trust import Server, database, ravao_bin  # noqa: F401

CCCD = "079185001234|123456789|Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024"


def scan(actor, place: str, payload: str):
    return actor.call("POST", "/api/v1/scans", {"placeId": place, "payload": payload, "clientId": str(uuid.uuid4())})


def test_typed_numbers_are_limited_and_reveal_no_name(ravao_bin, database, tmp_path):
    s = Server(binary=ravao_bin, database=database, workdir=tmp_path, extra_args=["--typed-per-hour", "5"])
    s.start()
    try:
        guard = s.actor()
        place = s.create_place(guard.token)
        citizen = s.actor()
        assert citizen.call("PUT", "/api/v1/me", {"name": "Phạm Văn Long", "birthDate": "1980-05-05", "gender": "male"}).status == 200

        typed = scan(guard, place, citizen.phone)
        assert typed.status == 201, typed.body
        person = typed.json["person"]
        assert person["typed"] is True and person["displayName"] == citizen.phone[:7] + "***"
        assert "Phạm".encode() not in typed.body and b"Long" not in typed.body
        assert "level" in typed.json["status"], "the guard still gets the status to decide"

        for i in range(4):
            assert scan(guard, place, f"0987{i:06d}").status == 201
        # Re-typing a number already counted this hour costs nothing.
        assert scan(guard, place, citizen.phone).status == 201
        refused = scan(guard, place, "0987999999")
        assert refused.status == 429, refused.body
        assert refused.json["error"]["code"] == "too_many_typed_identifiers"
        # Cards and QR codes are not typed numbers: the door keeps working.
        assert scan(guard, place, CCCD).status == 201

        # Every disclosure is in the citizen's "who saw my data", with the place and the time.
        views = citizen.call("GET", "/api/v1/me/views").json["items"]
        assert any(v["reason"] == "scan:phone" and v["place"] for v in views), views
    finally:
        s.stop()
