"""Trust rule 4: masking is masking everywhere. A place that sees "0913555***" cannot learn the hidden
digits by searching, filtering or counting. Through the real server, on SQLite and PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import uuid

from trust import Server, database, ravao_bin, server  # noqa: F401


def test_a_search_reveals_no_hidden_digit(server: Server):
    owner = server.actor()
    place = server.create_place(owner.token)
    code = owner.call("GET", f"/api/v1/places/{place}").json["code"]
    for phone in ("0913555111", "0913555222"):
        visitor = server.actor(phone)
        assert visitor.call("POST", "/api/v1/checkins", {"placeCode": code, "clientId": str(uuid.uuid4())}).status == 201

    def found(q: str) -> set[str]:
        reply = owner.call("GET", f"/api/v1/places/{place}/scans?q={q}")
        assert reply.status == 200, reply.body
        return {item["phone"] for item in reply.json["items"]}

    both = found("0913555")
    assert both == {"0913555***"}, both
    assert len(owner.call("GET", f"/api/v1/places/{place}/scans?q=0913555").json["items"]) == 2
    # The full number of one visitor, or the hidden digits alone, tell nothing apart.
    for q in ("0913555111", "111", "5111", "913555111"):
        reply = owner.call("GET", f"/api/v1/places/{place}/scans?q={q}")
        items = reply.json["items"]
        assert len(items) in (0, 2), f"q={q} singled out {len(items)} of 2 visitors: {items}"
        assert reply.json["counts"]["people"] in (0, 2), reply.json
    csv = owner.call("GET", f"/api/v1/places/{place}/scans.csv?q=0913555111")
    assert csv.status == 200
    assert csv.body.count(b"0913555***") in (0, 2) and b"111" not in csv.body.replace(b"0913555***", b"")


def test_an_officers_trace_is_in_every_traced_persons_who_saw_my_data(server: Server):
    """Every disclosure of a person's data is logged where that person can see it: a trace shows the
    case and the contacts in full to a health officer, so each of them finds it in "who saw my data"."""
    import datetime
    guard = server.actor()
    place = server.create_place(guard.token)
    # The contact never opened the app before the trace: what was seen of the check-ins recorded under
    # their phone reaches them when the phone is proven (the sign-in's SMS code and the first /me).
    case, contact, elsewhere = server.actor(), server.actor(), server.actor()
    assert case.call("GET", "/api/v1/me").status == 200
    for person in (case, contact):
        reply = guard.call("POST", "/api/v1/scans", {"placeId": place, "payload": person.phone, "clientId": str(uuid.uuid4())})
        assert reply.status == 201, reply.body
    officer = server.officer(unit="48", functions="statistics,health")
    now = datetime.datetime.now(datetime.timezone.utc)
    traced = officer.call("POST", "/api/v1/tracing", {"person": {"phone": case.phone}, "from": (now - datetime.timedelta(hours=2)).isoformat(),
                                                       "to": (now + datetime.timedelta(minutes=1)).isoformat(), "depth": 1})
    assert traced.status == 200, traced.body
    assert traced.json["contacts"], traced.body
    for person in (case, contact):
        views = person.call("GET", "/api/v1/me/views").json["items"]
        assert any(v["reason"] == "officer:tracing" and v["viewer"] for v in views), views
    assert not any(v["reason"].startswith("officer:") for v in elsewhere.call("GET", "/api/v1/me/views").json["items"])
