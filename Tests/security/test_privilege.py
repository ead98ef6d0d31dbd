"""Trust rule 2: privilege is granted, not chosen. Full names at a hospital or checkpoint come from a
health officer's grant (recorded, revocable), never from the type an owner picks, and a grant never
unmasks scans taken before it. Through the real server, on SQLite and PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import time
import uuid

from trust import Server, database, ravao_bin, server  # noqa: F401


def cccd(n: int, name: str) -> str:
    return f"0791850013{n:02d}|123456789|{name}|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024"


def test_full_names_only_after_an_officers_grant_and_only_forward(server: Server):
    owner = server.actor()
    wards = server.call("GET", "/api/v1/units?parent=48").json
    created = owner.call("POST", "/api/v1/places", {"name": "Bệnh viện Tự Xưng", "type": "hospital", "wardCode": wards[0]["code"],
                                                    "address": "1 Lê Lợi", "registrantName": "Chủ"})
    assert created.status == 201 and created.json["privileged"] is False, created.body
    place = created.json["id"]

    def scan(n: int, name: str) -> str:
        reply = owner.call("POST", "/api/v1/scans", {"placeId": place, "payload": cccd(n, name), "clientId": str(uuid.uuid4())})
        assert reply.status == 201, reply.body
        return reply.json["person"]["displayName"]

    assert scan(1, "Lê Văn Trước") == "Lê Văn ***", "choosing the hospital type unmasks nothing"

    stranger = server.officer(unit="01")  # Hà Nội: outside this place's jurisdiction
    assert stranger.call("POST", f"/api/v1/places/{place}/privilege", {"note": "x"}).status == 404
    assert owner.call("POST", f"/api/v1/places/{place}/privilege", {"note": "x"}).status == 403
    officer = server.officer(unit="48")
    granted = officer.call("POST", f"/api/v1/places/{place}/privilege", {"note": "Bệnh viện tuyến tỉnh"})
    assert granted.status == 201 and granted.json["privileged"] is True, granted.body
    assert granted.json["grants"][0]["note"] == "Bệnh viện tuyến tỉnh"

    time.sleep(1.1)  # times are whole seconds; a scan in the grant's own second stays masked
    assert scan(2, "Trần Thị Sau") == "Trần Thị Sau"
    items = owner.call("GET", f"/api/v1/places/{place}/scans").json["items"]
    names = {item["name"] for item in items}
    assert names == {"Lê Văn ***", "Trần Thị Sau"}, f"the scan before the grant stays masked: {names}"
    # A phone-style search cannot reach the masked, earlier scans either.
    assert all(i["name"] != "Lê Văn Trước" for i in owner.call("GET", f"/api/v1/places/{place}/scans?q=le%20van").json["items"])

    history = owner.call("GET", f"/api/v1/places/{place}/history").json
    actions = [entry["action"] for entry in history["items"]]
    assert "privilege_granted" in actions, actions

    assert officer.call("DELETE", f"/api/v1/places/{place}/privilege").status == 204
    assert scan(3, "Phạm Văn Nữa") == "Phạm Văn ***"
    assert {i["name"] for i in owner.call("GET", f"/api/v1/places/{place}/scans").json["items"]} == {"Lê Văn ***", "Trần Thị ***", "Phạm Văn ***"}

    # Editing the type back and forth grants nothing either.
    edited = owner.call("PATCH", f"/api/v1/places/{place}", {"type": "checkpoint"})
    assert edited.status == 200 and edited.json["privileged"] is False, edited.body


def test_the_officer_grants_from_the_page_by_poster_code(server: Server):
    """The grant flow on the officers' page, in Vietnamese: find by the poster's link, grant, revoke."""
    import re
    owner = server.actor()
    wards = server.call("GET", "/api/v1/units?parent=48").json
    created = owner.call("POST", "/api/v1/places", {"name": "Trạm y tế Hải Châu", "type": "hospital", "wardCode": wards[0]["code"],
                                                    "address": "2 Lê Duẩn", "registrantName": "Chủ"})
    place = created.json
    officer = server.officer(unit="48")
    cookie = {"Cookie": f"ravao_session={officer.token}"}
    page = server.call("GET", "/authorities/privilege?code=" + place["checkinUrl"].replace(":", "%3A").replace("/", "%2F"), headers=cookie)
    assert page.status == 200, page.body
    text = page.body.decode()
    assert "Trạm y tế Hải Châu" in text and "Cho phép xem đầy đủ" in text
    csrf = re.search(r'name="_csrf" value="([^"]+)"', text).group(1)
    import urllib.parse
    form = urllib.parse.urlencode({"_csrf": csrf, "code": place["code"], "action": "grant", "note": "Bệnh viện tuyến quận"})
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/authorities/privilege", body=form, headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
    reply = conn.getresponse()
    body = reply.read().decode()
    conn.close()
    assert reply.status == 200 and "Đã cho phép" in body and "Bệnh viện tuyến quận" in body, body[-2000:]
    assert owner.call("GET", f"/api/v1/places/{place['id']}").json["privileged"] is True
