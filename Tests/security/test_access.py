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
