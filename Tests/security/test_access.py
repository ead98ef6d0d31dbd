"""Trust rule 6: access never outlives its grant nor widens through structure; a retry never returns
another place's (or person's) visit. Through the real server, on SQLite and PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import uuid

from trust import Server, database, ravao_bin, server  # noqa: F401

CCCD = "079185001234|123456789|Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024"


def test_a_client_id_is_no_key_to_someone_elses_visit(server: Server):
    owner, stranger = server.actor(), server.actor()
    place, other_place = server.create_place(owner.token), server.create_place(stranger.token, name="Quán khác")
    client_id = str(uuid.uuid4())
    first = owner.call("POST", "/api/v1/scans", {"placeId": place, "payload": CCCD, "clientId": client_id})
    assert first.status == 201, first.body
    assert first.json["person"]["displayName"].startswith("Trần Thị")

    # The same client id from another place: refused, and nothing about the visitor in the answer.
    replay = stranger.call("POST", "/api/v1/scans", {"placeId": other_place, "payload": "0912345678", "clientId": client_id})
    assert replay.status == 409, replay.body
    assert b"Tr\\u1ea7n" not in replay.body and "Trần".encode() not in replay.body and first.json["person"]["id"].encode() not in replay.body

    # The owner's own retry is still a duplicate of the same check-in.
    again = owner.call("POST", "/api/v1/scans", {"placeId": place, "payload": CCCD, "clientId": client_id})
    assert again.status == 200 and again.json["duplicate"] is True and again.json["checkInId"] == first.json["checkInId"]

    # A citizen's check-in id cannot be claimed by another citizen at the same poster.
    code = owner.call("GET", f"/api/v1/places/{place}").json["code"]
    citizen, other = server.actor(), server.actor()
    mine = citizen.call("POST", "/api/v1/checkins", {"placeCode": code, "clientId": client_id})
    assert mine.status == 409, f"a client id used at the door cannot be reused by a citizen: {mine.status} {mine.body!r}"
    own_id = str(uuid.uuid4())
    mine = citizen.call("POST", "/api/v1/checkins", {"placeCode": code, "clientId": own_id})
    assert mine.status == 201, mine.body
    theirs = other.call("POST", "/api/v1/checkins", {"placeCode": code, "clientId": own_id})
    assert theirs.status == 409, theirs.body
    assert citizen.call("POST", "/api/v1/checkins", {"placeCode": code, "clientId": own_id}).status == 200


def test_an_officer_whose_unit_is_unknown_has_no_access(ravao_bin, database, tmp_path):
    """Trust rule 7: jurisdiction fails closed. A district of the 2021 list means nothing after the
    switch to the 2025 list; the officer gets nothing until an administrator maps the unit."""
    s = Server(binary=ravao_bin, database=database, workdir=tmp_path)
    s.console("import-units", "2021")
    national, e164 = s.fresh_phone()
    s.console("officer", "add", "--phone", national, "--unit", "001", "--functions", "statistics,health")
    # 00070 was Phường Hàng Trống in 2021; in 2025 the code names Phường Hoàn Kiếm, a larger ward.
    ward_phone, ward_e164 = s.fresh_phone()
    s.console("officer", "add", "--phone", ward_phone, "--unit", "00070", "--functions", "statistics,health")
    # Hà Nội (01) is the same unit in both lists: it carries over.
    city_phone, city_e164 = s.fresh_phone()
    s.console("officer", "add", "--phone", city_phone, "--unit", "01", "--functions", "statistics")
    switched = s.console("import-units", "2025")
    assert "00070" in switched.stdout and "001" in switched.stdout, switched.stdout
    s.start()
    try:
        officer = s.sign_in(national, e164)
        for path in ("/api/v1/stats", "/api/v1/risk", "/api/v1/cases"):
            reply = s.call("GET", path, token=officer)
            assert reply.status == 403 and reply.json["error"]["code"] == "unit_unmapped", (path, reply.status, reply.body)
        reused = s.call("GET", "/api/v1/stats", token=s.sign_in(ward_phone, ward_e164))
        assert reused.status == 403 and reused.json["error"]["code"] == "unit_unmapped", reused.body
        assert s.call("GET", "/api/v1/stats", token=s.sign_in(city_phone, city_e164)).status == 200
        # Mapped to a 2025 unit, the officer works again, inside it only.
        s.console("officer", "add", "--phone", national, "--unit", "01", "--functions", "statistics,health")
        assert s.call("GET", "/api/v1/stats", token=officer).status == 200
        assert s.call("GET", "/api/v1/stats?unit=48", token=officer).status == 403
    finally:
        s.stop()


def test_an_open_live_view_ends_when_the_role_is_removed(server: Server):
    """Trust rule 6: access never outlives its grant — not even an open live stream."""
    import http.client
    import time

    owner = server.actor()
    place = server.create_place(owner.token)
    manager = server.actor()
    shared = owner.call("POST", f"/api/v1/places/{place}/shares", {"phones": manager.phone, "role": "manager"})
    assert shared.status == 201, shared.body
    share_id = shared.json["shares"][0]["id"]
    code = server.last_code("+84" + manager.phone[1:])
    confirmed = manager.call("POST", f"/api/v1/shares/{share_id}/confirm", {"code": code})
    assert confirmed.status == 200, confirmed.body

    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", f"/places/{place}/live/events", headers={"Authorization": f"Bearer {manager.token}"})
    stream = conn.getresponse()
    assert stream.status == 200
    head = b""
    for _ in range(12):  # raw chunked lines: sizes, "retry", then the first snapshot
        head += stream.fp.readline()
        if b"event: snapshot" in head:
            break
    assert b"event: snapshot" in head, head

    members = owner.call("GET", f"/api/v1/places/{place}/shares").json["members"]
    account = next(m["accountId"] for m in members if m["phone"].endswith(manager.phone[-3:]) and m["role"] == "manager")
    removed_at = time.monotonic()
    assert owner.call("DELETE", f"/api/v1/places/{place}/members/{account}").status == 204
    seen = b""
    while b"event: revoked" not in seen:
        line = stream.fp.readline()
        assert line, f"the stream closed without saying why: {seen[-300:]!r}"
        seen += line
        assert time.monotonic() - removed_at < 15, "the live view went on for 15 s after the role was removed"
    ended_after = time.monotonic() - removed_at
    assert ended_after < 10, ended_after
    conn.close()


def test_nobody_extends_their_own_access_through_a_share(server: Server):
    """Trust rule 6: a manager whose role ends cannot hand out a longer one, nor re-share to themselves."""
    import datetime
    owner = server.actor()
    place = server.create_place(owner.token)
    manager = server.actor()
    until = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    shared = owner.call("POST", f"/api/v1/places/{place}/shares", {"phones": manager.phone, "role": "manager", "expiresAt": until})
    assert shared.status == 201, shared.body
    code = server.last_code("+84" + manager.phone[1:])
    assert manager.call("POST", f"/api/v1/shares/{shared.json['shares'][0]['id']}/confirm", {"code": code}).status == 200

    # To themselves: refused.
    again = manager.call("POST", f"/api/v1/places/{place}/shares", {"phones": manager.phone, "role": "manager"})
    assert again.status == 422 and again.json["error"]["code"] == "share_with_yourself", again.body
    # Beyond their own end: refused; without an end: given theirs.
    later = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    friend = server.fresh_phone()[0]
    beyond = manager.call("POST", f"/api/v1/places/{place}/shares", {"phones": friend, "role": "controller", "expiresAt": later})
    assert beyond.status == 422 and beyond.json["error"]["code"] == "expiry_beyond_own", beyond.body
    open_ended = manager.call("POST", f"/api/v1/places/{place}/shares", {"phones": friend, "role": "controller"})
    assert open_ended.status == 201, open_ended.body
    assert open_ended.json["shares"][0]["expiresAt"] is not None, "an open-ended invitation gets the sharer's own end"
    # And never ownership.
    assert manager.call("POST", f"/api/v1/places/{place}/shares", {"phones": friend, "role": "owner"}).status == 403
