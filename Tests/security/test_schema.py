"""The API as its document says, for each kind of caller: schemathesis generates requests from
Sources/RavaoServer/Resources/openapi.yaml as a signed-in citizen, place owner and officer, against the
real server on SQLite and PostgreSQL. No server error; every status, content type and body as
documented. Sign-out is left out (it would end the run's own session).

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/security/test_schema.py
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from trust import Server, database, ravao_bin, server  # noqa: F401

DOCUMENT = Path(__file__).resolve().parents[2] / "Sources" / "RavaoServer" / "Resources" / "openapi.yaml"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def run_schemathesis(server: Server, token: str, workdir: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("schemathesis") or shutil.which("st")
    if binary is None:
        pytest.fail("schemathesis is not installed: pip install -r Tests/security/requirements.txt")
    return subprocess.run([binary, "run", str(DOCUMENT), "--url", f"http://127.0.0.1:{server.port}",
                           "-H", f"Authorization: Bearer {token}", "--exclude-path", "/api/v1/auth/signout",
                           "--checks", CHECKS, "--phases", "examples,fuzzing", "--max-examples", "10",
                           "--seed", "20261206", "--workers", "1", "--no-color"],
                          capture_output=True, text=True, timeout=900, cwd=workdir)


@pytest.mark.parametrize("role", ["citizen", "owner", "officer"])
def test_the_api_answers_as_documented(server: Server, role: str, tmp_path: Path):
    if role == "officer":
        actor = server.officer()
    else:
        actor = server.actor()
        if role == "owner":
            server.create_place(actor.token)
    result = run_schemathesis(server, actor.token, tmp_path)
    summary = result.stdout[result.stdout.find("SUMMARY"):] if "SUMMARY" in result.stdout else result.stdout[-3000:]
    assert result.returncode == 0, f"schemathesis as {role}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert "Tested:" in summary, summary
