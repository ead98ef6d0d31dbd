"""Fixtures for the system tests: a real `ravao serve` process that a test may kill and start again on
the same database, and a small stdlib HTTP client. Nothing is built here.

Test modules import the fixtures from here (`from ravao_system import ...`). This is deliberately not
a conftest.py: Tests/browser's modules do `from conftest import ...`, and two conftest modules would
collide when both directories run in one pytest session.

Environment:
  RAVAO_BIN            the server binary (default: .build/debug/ravao under the repo root)
  RAVAO_TEST_POSTGRES  postgres://user:pass@host:port/db — when set, every test also runs on
                       PostgreSQL, in a fresh schema that is dropped afterwards (with psql)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

class _Report:
    """Lines the tests want shown after the run even when pytest captures their output (-q)."""

    def __init__(self):
        self.lines: list[str] = []

    def pytest_terminal_summary(self, terminalreporter):
        if self.lines:
            terminalreporter.section("system test report")
            for line in self.lines:
                terminalreporter.write_line(line)


def _engines() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get("RAVAO_TEST_POSTGRES") else ["sqlite"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_query(url: str, **params: str) -> str:
    extra = "&".join(f"{k}={v}" for k, v in params.items())
    return url + ("&" if "?" in url else "?") + extra


# --- HTTP ------------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int
    body: bytes

    @property
    def json(self):
        return json.loads(self.body or b"null")


def call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None,
         timeout: float = 30, headers: dict | None = None) -> Reply:
    """One request on a fresh connection; `headers` are added to the JSON and bearer ones."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        extra = headers or {}
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers.update(extra)
        conn.request(method, path, body=json.dumps(body).encode() if body is not None else None, headers=headers)
        response = conn.getresponse()
        return Reply(response.status, response.read())
    finally:
        conn.close()


# --- Databases -------------------------------------------------------------------------------------

@dataclass
class Database:
    """Where the server keeps its data, and a way to read the check-ins behind its back."""

    engine: str
    url: str                      # the --database argument
    sqlite_path: Path | None = None
    postgres_url: str | None = None
    schema: str | None = None

    def checkins(self) -> list[tuple[str, str]]:
        """Every (client_id, id) row of `checkins`, client ids upper-case."""
        if self.engine == "sqlite":
            import sqlite3
            db = sqlite3.connect(str(self.sqlite_path), timeout=30)
            try:
                rows = db.execute("SELECT client_id, id FROM checkins").fetchall()
            finally:
                db.close()
        else:
            out = self.psql(f'SELECT client_id, id FROM "{self.schema}".checkins')
            rows = [tuple(line.split("|")) for line in out.splitlines() if line]
        return [(c.upper(), i.upper()) for c, i in rows]

    def rows(self, sql: str) -> list[tuple[str, ...]]:
        """The rows of a query, every value as text (NULL as ''), in the order the query gives."""
        if self.engine == "sqlite":
            import sqlite3
            db = sqlite3.connect(str(self.sqlite_path), timeout=30)
            try:
                return [tuple("" if v is None else str(v) for v in row) for row in db.execute(sql).fetchall()]
            finally:
                db.close()
        out = self.psql(f'SET search_path TO "{self.schema}"; {sql}')
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def integrity(self) -> str:
        if self.engine == "sqlite":
            import sqlite3
            db = sqlite3.connect(str(self.sqlite_path), timeout=30)
            try:
                return db.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                db.close()
        return "ok"

    def psql(self, sql: str) -> str:
        result = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", self.postgres_url, "-c", sql],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise AssertionError(f"psql failed: {result.stderr}")
        return result.stdout


@pytest.fixture(params=_engines())
def database(request, tmp_path) -> Database:
    engine = request.param
    if engine == "sqlite":
        path = tmp_path / "ravao.sqlite"
        yield Database(engine="sqlite", url=f"sqlite:{path}", sqlite_path=path)
        return
    if not shutil.which("psql"):
        pytest.fail("RAVAO_TEST_POSTGRES is set but psql is not installed (apt-get install postgresql-client)")
    base = os.environ["RAVAO_TEST_POSTGRES"]
    schema = f"sys_{uuid.uuid4().hex[:12]}"
    db = Database(engine="postgres", url=_with_query(base, schema=schema), postgres_url=base.split("?")[0], schema=schema)
    try:
        yield db
    finally:
        subprocess.run(["psql", "-X", "-q", db.postgres_url, "-c", f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)


# --- The server ------------------------------------------------------------------------------------

@dataclass
class RavaoProcess:
    """`ravao serve` that can be SIGKILLed and started again on the same database and port."""

    binary: Path
    database: Database
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    starts: int = 0
    extra_args: list[str] = field(default_factory=list)

    @property
    def outbox(self) -> Path:
        return self.workdir / "sms.jsonl"

    def log_path(self, n: int | None = None) -> Path:
        return self.workdir / f"server-{self.starts if n is None else n}.log"

    def start(self, timeout: float = 180) -> None:  # migrations on a loaded machine can take a minute
        assert self.process is None or self.process.poll() is not None, "the server is already running"
        self.starts += 1
        base = f"http://127.0.0.1:{self.port}"
        cmd = [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database",
               self.database.url, "--sms", f"outbox:{self.outbox}", "--base-url", base, *self.extra_args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}  # flags only
        with open(self.log_path(), "wb") as log:
            self.process = subprocess.Popen(cmd, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"ravao serve exited with {self.process.returncode} before answering:\n{self.log_tail()}")
            try:
                if call(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ravao serve did not answer /healthz within {timeout} s:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, nothing flushed that was not already durable."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path().read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # --- API helpers -----------------------------------------------------------------------------

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> Reply:
        return call(self.port, method, path, body, token)

    def sign_in(self, phone: str = "0912345678", e164: str = "+84912345678") -> str:
        sent = self.call("POST", "/api/v1/auth/otp", {"phone": phone})
        assert sent.status == 202, f"requesting a code: {sent.status} {sent.body!r}"
        code = self._wait_for_code(e164)
        verified = self.call("POST", "/api/v1/auth/verify", {"phone": phone, "code": code})
        assert verified.status == 200, f"verifying: {verified.status} {verified.body!r}"
        return verified.json["token"]

    def _wait_for_code(self, to: str, timeout: float = 10) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.exists():
                for line in self.outbox.read_text(encoding="utf-8").splitlines():
                    try:
                        message = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if message.get("to") == to:
                        codes = re.findall(r"(?<!\d)\d{6}(?!\d)", message.get("text", ""))
                        if codes:
                            return codes[0]
            time.sleep(0.05)
        raise AssertionError(f"no SMS code to {to} in {self.outbox}")

    def create_place(self, token: str, name: str = "Chợ Hàn (system test)") -> str:
        wards = self.call("GET", "/api/v1/units?parent=48").json
        body = {"name": name, "type": "restaurant", "wardCode": wards[0]["code"], "address": "119 Trần Phú",
                "registrantName": "Trần Thị Ba"}
        reply = self.call("POST", "/api/v1/places", body, token)
        assert reply.status == 201, f"creating a place: {reply.status} {reply.body!r}"
        return reply.json["id"]

    def scanning_key(self, token: str, place_id: str) -> tuple[str, str]:
        """A device key for the place, or the owner's token when this build has no device keys."""
        reply = self.call("POST", f"/api/v1/places/{place_id}/devices", {"name": "Cổng chính"}, token)
        if reply.status == 201:
            return reply.json["key"], "device key"
        assert reply.status in (404, 405), f"creating a device key: {reply.status} {reply.body!r}"
        return token, "owner's session token (no device endpoint)"


@pytest.fixture(scope="session")
def report(request) -> list[str]:
    """Lines shown in a "system test report" section after the run, even under -q."""
    # Each module that imports this fixture gets its own copy of it: they share one plugin.
    plugin = request.config.pluginmanager.get_plugin("ravao-system-report")
    if plugin is None:
        plugin = _Report()
        request.config.pluginmanager.register(plugin, "ravao-system-report")
    return plugin.lines


@pytest.fixture(scope="session")
def ravao_bin() -> Path:
    binary = Path(os.environ.get("RAVAO_BIN") or REPO_ROOT / ".build" / "debug" / "ravao")
    if not binary.is_absolute():
        binary = (REPO_ROOT / binary).resolve()
    if not binary.exists():
        pytest.fail(f"server binary {binary} does not exist; run `swift build` or set RAVAO_BIN")
    return binary


@pytest.fixture
def ravao(ravao_bin, database, tmp_path) -> RavaoProcess:
    """A server not yet started: the test starts (and kills) it."""
    server = RavaoProcess(binary=ravao_bin, database=database, workdir=tmp_path)
    try:
        yield server
    finally:
        server.stop()
