"""Trust rule 5: identity is proven before history moves. A name and a card number are no proof: only the
card's own QR, matching what a gate read from the real card, moves a card's history to an account, with
few attempts; an SMS code proves a phone, a typed number does not; a hand-over re-issues the QR. Through
the real server, on SQLite and PostgreSQL.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security/test_identity.py
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from trust import Server, database, ravao_bin, server  # noqa: F401

NUMBER = "079185004321"
NAME = "Trần Thị Bình"


def card(birth: str = "01021990", address: str = "Phường 1, Quận 3, TP. Hồ Chí Minh", issued: str = "15082024") -> str:
    return f"{NUMBER}|123456789|{NAME}|{birth}|Nữ|{address}|{issued}"


def scan(actor, place: str, payload: str):
    return actor.call("POST", "/api/v1/scans", {"placeId": place, "payload": payload, "clientId": str(uuid.uuid4())})


def history(actor) -> list:
    reply = actor.call("GET", "/api/v1/me/checkins")
    assert reply.status == 200, reply.body
    return reply.json["items"]


def test_a_name_and_a_number_claim_no_strangers_history(server: Server):
    guard = server.actor()
    place = server.create_place(guard.token)
    # The stranger's card was scanned at the gate twice before she had an account.
    for _ in range(2):
        assert scan(guard, place, card()).status == 201

    # The attacker knows her name and CCCD number and puts them on a profile.
    attacker = server.actor()
    saved = attacker.call("PUT", "/api/v1/me", {"name": NAME, "birthDate": "1990-02-01", "gender": "female", "cccd": NUMBER})
    assert saved.status == 200, saved.body
    assert saved.json["cccdVerified"] is False
    assert history(attacker) == []
    # Her next scan is not the attacker's either.
    assert scan(guard, place, card()).status == 201
    assert history(attacker) == []

    # A QR built from the name and the number, the rest guessed, is refused; five wrong a day, then 429.
    for day in range(2, 7):
        wrong = attacker.call("POST", "/api/v1/me/cards/claim", {"payload": card(birth=f"{day:02d}021990")})
        assert wrong.status == 422 and wrong.json["error"]["code"] == "card_not_proven", (wrong.status, wrong.body)
    limited = attacker.call("POST", "/api/v1/me/cards/claim", {"payload": card()})
    assert limited.status == 429 and limited.json["error"]["code"] == "too_many_card_claims", (limited.status, limited.body)
    assert history(attacker) == []
    assert NAME.encode() not in limited.body

    # The real holder proves the card with its own QR: her three scans are hers now.
    holder = server.actor()
    proven = holder.call("POST", "/api/v1/me/cards/claim", {"payload": card()})
    assert proven.status == 200, proven.body
    assert proven.json["moved"] == 3 and proven.json["profile"]["cccdVerified"] is True
    assert len(history(holder)) == 3
    assert history(attacker) == []


def test_a_number_typed_first_shadows_nobody(server: Server):
    # No gate has read this card yet; an attacker types its number on a profile before its holder does.
    number = "079185009876"
    real = f"{number}|123456789|{NAME}|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024"
    attacker = server.actor()
    typed = attacker.call("PUT", "/api/v1/me", {"name": NAME, "birthDate": "1990-02-01", "gender": "female", "cccd": number})
    assert typed.status == 200 and typed.json["cccdVerified"] is False, typed.body
    guard = server.actor()
    place = server.create_place(guard.token)
    scanned = scan(guard, place, real)
    assert scanned.status == 201, scanned.body
    assert scanned.json["person"]["id"] != typed.json["id"]
    assert history(attacker) == []
    # The holder is not refused for being second, proves the card, and her scans follow her.
    holder = server.actor()
    saved = holder.call("PUT", "/api/v1/me", {"name": NAME, "birthDate": "1990-02-01", "gender": "female", "cccd": number})
    assert saved.status == 200, saved.body
    proven = holder.call("POST", "/api/v1/me/cards/claim", {"payload": real})
    assert proven.status == 200 and proven.json["moved"] == 1, proven.body
    assert scan(guard, place, real).json["person"]["id"] == saved.json["id"]
    assert len(history(holder)) == 2
    assert history(attacker) == []


def test_card_proof_attempts_are_exact_under_concurrency(server: Server):
    guard = server.actor()
    place = server.create_place(guard.token)
    assert scan(guard, place, card()).status == 201
    attacker = server.actor()
    guesses = [card(issued=f"{d:02d}082024") for d in range(1, 13)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(lambda p: attacker.call("POST", "/api/v1/me/cards/claim", {"payload": p}), guesses))
    statuses = sorted(r.status for r in replies)
    assert statuses.count(422) == 5 and statuses.count(429) == 7, [(r.status, r.body[:200]) for r in replies]
    assert history(attacker) == []


def test_a_typed_phone_shadows_nobody_and_an_sms_code_claims_it(server: Server):
    guard = server.actor()
    place = server.create_place(guard.token)
    national, e164 = server.fresh_phone()
    # A guard types a phone number whose owner has no account yet.
    assert scan(guard, place, national).status == 201
    # The owner proves the phone by SMS: the check-in made under it is hers, and so are later typed scans.
    owner = server.actor(national)
    assert len(history(owner)) == 1
    assert scan(guard, place, national).status == 201
    assert len(history(owner)) == 2


def test_a_hand_over_invalidates_the_old_qr(server: Server):
    guard = server.actor()
    place = server.create_place(guard.token)
    guardian = server.actor()
    created = guardian.call("POST", "/api/v1/me/dependents", {"name": "Phạm Văn Con", "birthDate": "2005-03-02", "gender": "male"})
    assert created.status == 201, created.body
    child, printed = created.json["id"], created.json["token"]
    assert scan(guard, place, printed).status == 201

    national, _ = server.fresh_phone()
    assert guardian.call("POST", f"/api/v1/me/dependents/{child}/handover", {"phone": national}).status == 204
    new_owner = server.actor(national)
    assert new_owner.call("POST", f"/api/v1/me/handovers/{child}/accept").status == 200
    old = scan(guard, place, printed)
    assert old.status == 422 and old.json["error"]["code"] == "token_revoked", (old.status, old.body)
    current = new_owner.call("GET", "/api/v1/me/token").json["token"]
    assert current != printed and scan(guard, place, current).status == 201


class Browser:
    """A cookie-keeping form poster, enough for the poster's guest form (CSRF token from the page)."""

    def __init__(self, server: Server):
        self.server, self.cookies, self.page = server, {}, ""

    def request(self, method: str, path: str, form: dict | None = None):
        import http.client
        import re
        import urllib.parse
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            csrf = re.search(r'name="_csrf" value="([^"]+)"', self.page)
            body = urllib.parse.urlencode({**form, **({"_csrf": csrf.group(1)} if csrf else {})}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";")[0].partition("=")
                self.cookies[name] = value
            if response.getheader("Content-Type", "").startswith("text/html"):
                self.page = text
            return response.status, response.getheader("Location"), text
        finally:
            conn.close()


def test_a_guest_with_someone_elses_phone_learns_nothing_of_them(server: Server):
    owner = server.actor()
    place = server.create_place(owner.token)
    code = owner.call("GET", f"/api/v1/places/{place}").json["code"]
    victim = server.actor()
    assert victim.call("GET", "/api/v1/me").status == 200  # her record exists and holds her phone
    # Before she has a name, a stranger's guest check-in with her phone does not give her record theirs.
    stranger = Browser(server)
    stranger.request("GET", f"/c/{code}")
    status, _, _ = stranger.request("POST", f"/c/{code}/guest", {"clientId": str(uuid.uuid4()), "name": "Lê Thị Hoa", "phone": victim.phone})
    assert status == 303
    assert victim.call("GET", "/api/v1/me").json["name"] in ("", None)
    # Once she has one, the stranger's receipt shows only the name they typed.
    assert victim.call("PUT", "/api/v1/me", {"name": "Vũ Thị Mai", "birthDate": "1990-02-01", "gender": "female"}).status == 200
    stranger.request("GET", f"/c/{code}")
    status, receipt, _ = stranger.request("POST", f"/c/{code}/guest", {"clientId": str(uuid.uuid4()), "name": "Lê Thị Hoa", "phone": victim.phone})
    assert status == 303 and receipt
    status, _, page = stranger.request("GET", receipt)
    assert status == 200 and "Lê Thị ***" in page and "Vũ Thị" not in page
