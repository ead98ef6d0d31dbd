"""Helpers for the security suite: a started `ravao serve` on SQLite or PostgreSQL (from
Tests/system/ravao_system.py), actors who sign in by SMS, and the console commands an operator runs.

Not a conftest.py, for the same reason as ravao_system: Tests/browser imports its own conftest.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "system"))

from ravao_system import RavaoProcess, Reply, call, database, ravao_bin, report  # noqa: E402,F401

VIETNAM = datetime.timezone(datetime.timedelta(hours=7))


def today() -> str:
    return datetime.datetime.now(VIETNAM).date().isoformat()


@dataclass
class Actor:
    """Someone signed in through the real SMS flow."""

    server: "Server"
    phone: str
    token: str

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> Reply:
        return self.server.call(method, path, body, self.token, headers=headers)


class Server(RavaoProcess):
    """A running server plus the operator's console on the same database."""

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None,
             headers: dict | None = None) -> Reply:
        return call(self.port, method, path, body, token, headers=headers)

    def fresh_phone(self) -> tuple[str, str]:
        n = f"{uuid.uuid4().int % 10**6:06d}"
        return f"0913{n}", f"+84913{n}"

    def actor(self, phone: str | None = None) -> Actor:
        if phone is None:
            national, e164 = self.fresh_phone()
        else:
            national, e164 = phone, "+84" + phone[1:]
        return Actor(self, national, self.sign_in(national, e164))

    def last_code(self, to: str) -> str:
        """The code in the newest SMS to `to` (sign-in codes come first; a share code later)."""
        import json
        import re
        texts = [json.loads(line)["text"] for line in self.outbox.read_text(encoding="utf-8").splitlines() if json.loads(line)["to"] == to]
        codes = re.findall(r"(?<!\d)\d{6}(?!\d)", texts[-1]) if texts else []
        assert codes, f"no SMS code to {to}"
        return codes[0]

    def console(self, *args: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}
        result = subprocess.run([str(self.binary), *args, "--database", self.database.url], capture_output=True, text=True,
                                timeout=120, env=env, cwd=self.workdir)
        assert result.returncode == 0, f"ravao {' '.join(args)}: {result.stdout}{result.stderr}"
        return result

    def officer(self, unit: str = "48", functions: str = "statistics,health,zones") -> Actor:
        national, e164 = self.fresh_phone()
        self.console("officer", "add", "--phone", national, "--unit", unit, "--functions", functions)
        return Actor(self, national, self.sign_in(national, e164))

    def ward(self, province: str = "48") -> str:
        return self.call("GET", f"/api/v1/units?parent={province}").json[0]["code"]


@pytest.fixture
def server(ravao_bin, database, tmp_path) -> Server:
    s = Server(binary=ravao_bin, database=database, workdir=tmp_path)
    s.start()
    try:
        yield s
    finally:
        s.stop()
