"""Trust rule 1: health status has an origin and a rank. What a health officer recorded outranks what
the citizen declares; the citizen can neither clear nor dismiss it, and the status says where each fact
came from. Through the real server, on SQLite and PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import datetime
import uuid

from trust import VIETNAM, Server, database, ravao_bin, server, today  # noqa: F401


def scan(server: Server, staff, place: str, payload: str) -> dict:
    reply = staff.call("POST", "/api/v1/scans", {"placeId": place, "payload": payload, "clientId": str(uuid.uuid4())})
    assert reply.status in (200, 201), f"{reply.status} {reply.body!r}"
    return reply.json["status"]


def test_a_citizen_cannot_clear_what_an_officer_recorded(server: Server):
    owner = server.actor()
    place = server.create_place(owner.token)
    citizen = server.actor()
    ward = server.ward()
    saved = citizen.call("PUT", "/api/v1/me", {"name": "Lê Thị Thu", "birthDate": "1990-01-02", "gender": "female", "wardCode": ward})
    assert saved.status == 200, saved.body
    person = saved.json["id"]
    qr = citizen.call("GET", "/api/v1/me/token").json["token"]
    officer = server.officer()

    yesterday = (datetime.datetime.now(VIETNAM).date() - datetime.timedelta(days=1)).isoformat()
    recorded = officer.call("POST", f"/api/v1/people/{person}/tests", {"kind": "pcr", "result": "positive", "date": yesterday})
    assert recorded.status == 201, recorded.body
    status = scan(server, owner, place, qr)
    assert status["level"] == "abnormal" and "positive_test" in status["reasons"]
    assert status["origins"]["positive_test"] == "officer"

    # The citizen declares a negative test and a clean declaration: the red screen stays red.
    assert citizen.call("POST", "/api/v1/me/tests", {"kind": "rapid", "result": "negative", "date": today()}).status == 201
    assert citizen.call("POST", "/api/v1/me/declarations", {"symptoms": [], "contact": False, "visitedWards": []}).status == 201
    status = scan(server, owner, place, qr)
    assert status["level"] == "abnormal", status
    assert "positive_test" in status["reasons"] and status["origins"]["positive_test"] == "officer"
    assert status["test"]["result"] == "positive" and status["test"]["verified"] is True

    # Symptoms declared a minute ago cannot be withdrawn by declaring again.
    other = server.actor()
    assert other.call("POST", "/api/v1/me/declarations", {"symptoms": ["fever"], "contact": False, "visitedWards": []}).status == 201
    assert other.call("POST", "/api/v1/me/declarations", {"symptoms": [], "contact": False, "visitedWards": []}).status == 201
    other_qr = other.call("GET", "/api/v1/me/token").json["token"]
    status = scan(server, owner, place, other_qr)
    assert status["level"] == "abnormal" and status["reasons"] == ["fever"] and status["origins"] == {"fever": "self"}

    # A mark and an exposure from the officer: "seen" does not remove them; a review request is kept.
    assert officer.call("POST", f"/api/v1/people/{person}/marks", {"mark": "F1"}).status == 204
    now = datetime.datetime.now(VIETNAM).replace(microsecond=0)
    window = {"placeId": place, "from": (now - datetime.timedelta(hours=2)).isoformat(), "to": now.isoformat()}
    alert = officer.call("POST", "/api/v1/alerts/place", window)
    assert alert.status == 201, alert.body
    me = citizen.call("GET", "/api/v1/me").json
    assert me["exposures"], "the place alert listed the citizen"
    assert citizen.call("POST", "/api/v1/me/exposures/dismiss", {}).status == 204
    status = scan(server, owner, place, qr)
    assert "f1" in status["alerts"] and "exposure" in status["alerts"], status
    assert status["origins"]["f1"] == "officer" and status["origins"]["exposure"] == "officer"
    assert not status["summaryVi"].startswith("Bình thường")
    exposure = citizen.call("GET", "/api/v1/me").json["exposures"][0]
    assert exposure["acknowledged"] is True
    review = citizen.call("POST", f"/api/v1/me/exposures/{exposure['id']}/review", {"note": "Tôi không ở đó"})
    assert review.status == 204, review.body
    assert citizen.call("GET", "/api/v1/me").json["exposures"][0]["reviewRequestedAt"]
    # Someone else's exposure cannot be touched.
    assert other.call("POST", f"/api/v1/me/exposures/{exposure['id']}/review", {"note": "x"}).status == 404

    # Only the officer clears it.
    assert officer.call("POST", f"/api/v1/people/{person}/marks", {"mark": "none"}).status == 204
    status = scan(server, owner, place, qr)
    assert "f1" not in status["alerts"] and "exposure" not in status["alerts"], status
