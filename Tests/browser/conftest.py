"""Fixtures for the browser tests: a real `ravao serve` per database engine, and headless Chromium.

Environment:
  RAVAO_BIN            the server binary (default: .build/debug/ravao under the repo root)
  RAVAO_TEST_POSTGRES  postgres://user:pass@host:port/db — when set, every test also runs on
                       PostgreSQL, in a fresh schema that is dropped afterwards (if psql is installed)
  RAVAO_TEST_HEADFUL   set to 1 to watch the browser instead of running it headless
"""

from __future__ import annotations

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
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
OUTPUT_DIR = REPO_ROOT / "test-output"
CHROMEDRIVER = "/usr/bin/chromedriver"


def _engines() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get("RAVAO_TEST_POSTGRES") else ["sqlite"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_query(url: str, **params: str) -> str:
    extra = "&".join(f"{k}={v}" for k, v in params.items())
    return url + ("&" if "?" in url else "?") + extra


@dataclass
class RavaoServer:
    """A running `ravao serve` and the files it writes."""

    engine: str
    base_url: str
    outbox: Path
    log: Path
    process: subprocess.Popen = field(repr=False)
    binary: Path | None = None
    database: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def console(self, *args: str) -> str:
        """Runs `ravao ARGS --database <this server's database>` (e.g. `officer add`), as an administrator
        would on the server itself, and returns what it printed."""
        done = subprocess.run([str(self.binary), *args, "--database", self.database], capture_output=True, text=True,
                              timeout=120, env={k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")},
                              cwd=self.outbox.parent)
        assert done.returncode == 0, f"ravao {' '.join(args)} exited with {done.returncode}: {done.stdout}{done.stderr}"
        return done.stdout

    def messages(self) -> list[dict]:
        """Every SMS written to the outbox so far (a half-written last line is skipped)."""
        if not self.outbox.exists():
            return []
        out = []
        for line in self.outbox.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                pass
        return out

    def wait_for_code(self, to: str, after: int, timeout: float = 10.0) -> str:
        """The 6-digit code of the first SMS to `to` (E.164) among messages after index `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages()[after:]:
                if message.get("to") == to:
                    codes = re.findall(r"(?<!\d)\d{6}(?!\d)", message.get("text", ""))
                    assert len(codes) == 1, f"the SMS must contain exactly one 6-digit number, got {message!r}"
                    return codes[0]
            time.sleep(0.05)
        raise AssertionError(f"no SMS to {to} appeared in {self.outbox} within {timeout}s; "
                             f"outbox has {self.messages()[after:]!r}")

    def session(self) -> requests.Session:
        """A requests session that, when the server stops answering, says why (exit status, log)."""
        return _DiagnosingSession(self)

    def crash_report(self) -> str:
        status = self.process.poll()
        state = "is still running" if status is None else f"exited with status {status}"
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines() if self.log.exists() else []
        fatal = next((n for n, line in enumerate(lines) if "Fatal error" in line or "Program crashed" in line), None)
        if fatal is None:
            excerpt = lines[-40:]
        else:  # the last request before the crash, the message, and the crashed thread's first frames
            crashed = next((n for n in range(fatal, len(lines)) if lines[n].startswith("Thread") and "crashed:" in lines[n]), None)
            excerpt = lines[max(0, fatal - 2):fatal + 1] + (lines[crashed:crashed + 14] if crashed is not None else [])
        return f"ravao serve ({self.engine}) {state}; server log:\n" + "\n".join(excerpt)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class _DiagnosingSession(requests.Session):
    def __init__(self, server: RavaoServer):
        super().__init__()
        self._server = server

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        try:
            return super().request(method, url, *args, **kwargs)
        except requests.ConnectionError as error:
            raise AssertionError(f"{method} {url} got no answer ({error.__class__.__name__}); "
                                 f"{self._server.crash_report()}") from None


@pytest.fixture(scope="module", params=_engines())
def ravao(request, tmp_path_factory) -> RavaoServer:
    """`ravao serve` on a free port, with a fresh database on the engine under test and a temp SMS outbox."""
    engine = request.param
    binary = Path(os.environ.get("RAVAO_BIN") or REPO_ROOT / ".build" / "debug" / "ravao")
    if not binary.is_absolute():
        binary = (REPO_ROOT / binary).resolve()
    if not binary.exists():
        pytest.fail(f"server binary {binary} does not exist; run `swift build` or set RAVAO_BIN")

    workdir = tmp_path_factory.mktemp(f"ravao-{engine}")
    outbox = workdir / "sms.jsonl"
    log = workdir / "server.log"
    schema = None
    if engine == "sqlite":
        database = f"sqlite:{workdir / 'ravao.sqlite'}"
    else:
        schema = f"e2e_{uuid.uuid4().hex[:12]}"
        database = _with_query(os.environ["RAVAO_TEST_POSTGRES"], schema=schema)

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    # No --base-url: QR codes must then point at the listen address, which the test checks.
    cmd = [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database,
           "--sms", f"outbox:{outbox}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}  # flags only, no surprises
    log_file = open(log, "wb")
    process = subprocess.Popen(cmd, cwd=workdir, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    server = RavaoServer(engine=engine, base_url=base_url, outbox=outbox, log=log, process=process, binary=binary,
                         database=database)
    try:
        deadline = time.monotonic() + 180  # migrations on a loaded machine can take a minute
        while True:
            if process.poll() is not None:
                pytest.fail(f"ravao serve ({engine}) exited with {process.returncode} before answering:\n{server.log_tail()}")
            try:
                if requests.get(server.url("/healthz"), timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ravao serve ({engine}) did not answer /healthz within 180 s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
        if process.poll() is not None:
            pytest.fail(f"the server died during the tests: {server.crash_report()}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log_file.close()
        if schema and shutil.which("psql"):
            subprocess.run(["psql", "-q", os.environ["RAVAO_TEST_POSTGRES"].split("?")[0], "-c",
                            f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30, check=False)


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """`test-output/` under the repo root; CI keeps it."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture
def driver():
    """Headless Chromium whose user prefers Vietnamese, as a phone in Vietnam would."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    if not os.environ.get("RAVAO_TEST_HEADFUL"):
        options.add_argument("--headless=new")
    for argument in ("--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1800", "--lang=vi-VN",
                     "--force-device-scale-factor=1", "--disable-gpu"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    chromium = shutil.which("chromium")
    if chromium:
        options.binary_location = chromium
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


def page_replaced(old):
    """`EC.staleness_of(old)` that also accepts Chrome's "node does not belong to the document": when a
    form's answer replaces the page while the driver is asking about the old node, Chrome reports that
    instead of a stale element, although it means the same thing."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def replaced(_driver) -> bool:
        try:
            old.is_enabled()
            return False
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error) or "No node with given id" in str(error):
                return True
            raise
    return replaced

