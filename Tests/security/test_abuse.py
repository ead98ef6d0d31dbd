"""Trust rule 8: abuse resistance through the real server, on SQLite and PostgreSQL — per-IP limits use
the address the deployment trusts, /metrics is not public, the server secret is not in the database,
logs carry no codes above debug, and SMS to people who did not ask carry no text a user typed.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security
"""

from __future__ import annotations

import json
import re

from trust import Server, database, ravao_bin, server  # noqa: F401


def test_a_forged_forwarded_for_does_not_escape_the_per_ip_limit(ravao_bin, database, tmp_path):
    s = Server(binary=ravao_bin, database=database, workdir=tmp_path, extra_args=["--trusted-proxies", "127.0.0.1,::1"])
    s.start()
    try:
        limited = None
        for i in range(40):
            # Each request pretends to come from another client on the left; the proxy (us, on
            # loopback) appended the real address on the right.
            reply = s.call("POST", "/api/v1/auth/otp", {"phone": f"0915{i:06d}"},
                           headers={"X-Forwarded-For": f"10.{i}.{i}.{i}, 203.0.113.50"})
            if reply.status == 429:
                limited = i
                break
            assert reply.status == 202, reply.body
        assert limited == 30, f"the 31st code from one address must be refused (got to {limited})"
        # Another real client behind the same proxy is not affected.
        other = s.call("POST", "/api/v1/auth/otp", {"phone": "0915999999"}, headers={"X-Forwarded-For": "203.0.113.51"})
        assert other.status == 202, other.body
    finally:
        s.stop()


def test_metrics_are_not_public(ravao_bin, database, tmp_path):
    s = Server(binary=ravao_bin, database=database, workdir=tmp_path, extra_args=["--metrics-token", "s3cret-scrape"])
    s.start()
    try:
        citizen = s.actor()
        assert s.call("GET", "/metrics").status == 404
        assert citizen.call("GET", "/metrics").status == 404
        assert s.call("GET", "/metrics", token="wrong").status == 404
        ok = s.call("GET", "/metrics", token="s3cret-scrape")
        assert ok.status == 200 and b"# TYPE" in ok.body
    finally:
        s.stop()


def test_without_a_token_metrics_answer_only_loopback_without_proxy_headers(server: Server):
    assert server.call("GET", "/metrics").status == 200  # Prometheus on this machine
    assert server.call("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status == 404  # through a proxy


def test_the_secret_is_not_in_the_database_and_codes_are_not_logged(server: Server):
    secret = (server.workdir / "ravao-secret").read_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", secret)
    assert (server.workdir / "ravao-secret").stat().st_mode & 0o077 == 0, "the secret file is readable by others"
    if server.database.engine == "sqlite":
        import sqlite3
        with sqlite3.connect(server.database.sqlite_path) as db:
            assert db.execute("SELECT COUNT(*) FROM settings WHERE key = 'server_secret'").fetchone()[0] == 0
            dump = "\n".join(db.iterdump())
    else:
        assert server.database.psql(f"SELECT COUNT(*) FROM \"{server.database.schema}\".settings WHERE key = 'server_secret'").strip() == "0"
        dump = server.database.psql(f"SELECT string_agg(value, ' ') FROM \"{server.database.schema}\".settings")
    assert secret not in dump
    server.actor()
    codes = [m for line in server.outbox.read_text().splitlines() for m in re.findall(r"\b\d{6}\b", json.loads(line)["text"])]
    assert codes
    log = server.log_path().read_text()
    assert not any(code in log for code in codes), "a sign-in code reached the log at info level"


def test_a_secret_file_that_is_not_text_stops_the_server_with_a_clear_message(ravao_bin, database, tmp_path):
    """A damaged secret file (here: bytes that are not UTF-8) must not be taken for a missing one:
    the server stops at once and says which file to restore, rather than hang or mint a new secret."""
    import os
    import subprocess
    (tmp_path / "ravao-secret").write_bytes(bytes(range(128, 192)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}
    result = subprocess.run([str(ravao_bin), "serve", "--port", "0", "--database", database.url], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode != 0
    assert "does not hold a server secret" in result.stdout + result.stderr, result.stdout + result.stderr


def test_an_invitation_sms_carries_nothing_the_sharer_typed(server: Server):
    owner = server.actor()
    place = server.create_place(owner.token, name="CLICK http://evil.example to WIN")
    shared = owner.call("POST", f"/api/v1/places/{place}/shares", {"phones": "0916123456", "role": "controller"})
    assert shared.status in (200, 201), shared.body
    texts = [json.loads(line)["text"] for line in server.outbox.read_text().splitlines() if json.loads(line)["to"] == "+84916123456"]
    assert texts, "the invitee got a code"
    assert all("evil" not in t and "CLICK" not in t and "http" not in t for t in texts), texts


def test_a_nul_character_is_a_clear_400_not_a_database_error(server: Server):
    """Found by the schema fuzz: PostgreSQL cannot store NUL, so a "\\u0000" in any field gave a 500."""
    owner = server.actor()
    for path, body in (("/api/v1/orgs", {"name": "Công ty\u0000A"}), ("/api/v1/me", {"name": "A\u0000", "birthDate": "1990-01-01", "gender": "male"})):
        reply = owner.call("POST" if path.endswith("orgs") else "PUT", path, body)
        assert reply.status == 400 and reply.json["error"]["code"] == "nul_character", (path, reply.status, reply.body)
    assert owner.call("GET", "/api/v1/places?q=a%00b").status == 400
