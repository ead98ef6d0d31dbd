"""The unattended kiosk (C5) in a real browser, through a real outage.

An owner creates a device key for a canteen with the API and opens `/kiosk#key=…` on the kiosk. It
scans online; then the server goes down (the process is stopped), the kiosk keeps scanning and says
each scan is saved; the server comes back on the same port and database and the kiosk uploads the
queue by itself. A second outage includes a reload of the kiosk page while the server is down (served by the kiosk's
service worker). Every
scan must be in the database exactly once, with the time it was scanned, not the time it arrived.
Finally the key is revoked: the kiosk says so, keeps the scan it could not send, and uploads it with
a new key.

SQLite only: the test reads the database file the server writes.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser/test_kiosk.py
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import REPO_ROOT, RavaoServer, _free_port

OWNER_E164 = "+84914000111"
DA_NANG = "48"
PLACE = "Căng tin Khu A"

CCCD = "001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Phố Huế, Hà Nội|01012021"
BHYT = ("GD4797932345678|4e677579e1bb856e2056c4836e2041|15/08/1985|1|53e1bb91203132204cc3aa204ce1bba3692c205068c6b0e1bb9d6e"
        "672042e1babf6e204e6768c3a92c2054502e2048e1bb93204368c3ad204d696e68|79 - 001|01/01/2021|31/12/2021|01/01/2021|"
        "79014797932345|-|4|01/01/2025|0a1b2c3d4e5f6071-2021|$")
CCCD_2 = "079185001234||Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024||||"
CCCD_3 = "048090004321|987654321|Lê Thị Cúc|05051990|Nữ|Số 3 Bạch Đằng, Đà Nẵng|01012022"
PHONE = "0914 222 333"

# A kiosk without WebAudio must still work: the page gets no AudioContext at all. Page errors are collected.
PAGE_PROBE = """
delete window.AudioContext;
delete window.webkitAudioContext;
window.__errors = [];
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => window.__errors.push('rejection: ' + String(e.reason)));
"""

READ_QUEUE = """
const done = arguments[arguments.length - 1];
const open = indexedDB.open('ravao-kiosk');
open.onerror = () => done({error: String(open.error)});
open.onsuccess = () => {
  const db = open.result;
  if (!db.objectStoreNames.contains('queue')) { done({error: 'no queue store'}); return; }
  const all = db.transaction('queue').objectStore('queue').getAll();
  all.onsuccess = () => { done({records: all.result}); db.close(); };
  all.onerror = () => done({error: String(all.error)});
};
"""


class RestartableServer:
    """`ravao serve` that the test may stop and start again on the same port and SQLite file."""

    def __init__(self, workdir: Path):
        binary = Path(os.environ.get("RAVAO_BIN") or REPO_ROOT / ".build" / "debug" / "ravao")
        self.binary = binary if binary.is_absolute() else (REPO_ROOT / binary).resolve()
        if not self.binary.exists():
            pytest.fail(f"server binary {self.binary} does not exist; run `swift build` or set RAVAO_BIN")
        self.workdir = workdir
        self.database = workdir / "ravao.sqlite"
        self.port = _free_port()
        self.log_file = open(workdir / "server.log", "ab")
        self.server = RavaoServer(engine="sqlite", base_url=f"http://127.0.0.1:{self.port}", outbox=workdir / "sms.jsonl",
                                  log=workdir / "server.log", process=None)

    def start(self) -> None:
        cmd = [str(self.binary), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--database", f"sqlite:{self.database}",
               "--sms", f"outbox:{self.server.outbox}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAVAO_")}
        self.server.process = subprocess.Popen(cmd, cwd=self.workdir, stdout=self.log_file, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while True:
            if self.server.process.poll() is not None:
                pytest.fail(f"ravao serve exited with {self.server.process.returncode}:\n{self.server.log_tail()}")
            try:
                if requests.get(self.server.url("/healthz"), timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ravao serve did not answer /healthz within 60 s:\n{self.server.log_tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        process = self.server.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        # The port must really be closed: the kiosk has to see an outage, not a slow answer.
        with pytest.raises(requests.ConnectionError):
            requests.get(self.server.url("/healthz"), timeout=2)


@pytest.fixture
def restartable(tmp_path_factory):
    runner = RestartableServer(tmp_path_factory.mktemp("ravao-kiosk"))
    runner.start()
    try:
        yield runner
    finally:
        runner.stop()
        runner.log_file.close()


def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def page_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except Exception:
        return ""


def result_state(driver: WebDriver) -> dict:
    return driver.execute_script("""
        const r = document.getElementById('result');
        const t = (c) => r.querySelector('.result-' + c).textContent.trim();
        return {hidden: r.hidden, outcome: r.dataset.outcome || '', title: t('title'), name: t('name'), reason: t('reason')};
    """)


def queue_count(driver: WebDriver) -> str:
    return driver.find_element(By.ID, "queue-count").text.strip()


def wait_queue(driver: WebDriver, expected: int, what: str, timeout: float = 10) -> None:
    try:
        wait(driver, timeout).until(lambda d: queue_count(d) == str(expected))
    except Exception:
        raise AssertionError(f"{what}: #queue-count should be {expected}, it is {queue_count(driver)!r}; "
                             f"queue {queued(driver)}; result {result_state(driver)}") from None


def queued(driver: WebDriver) -> list[dict]:
    answer = driver.execute_async_script(READ_QUEUE)
    assert "records" in answer, f"reading the kiosk's IndexedDB queue: {answer}"
    return answer["records"]


def scan(driver: WebDriver, payload: str) -> None:
    """Types into whatever has the focus, as the kiosk's scanner does."""
    active = driver.execute_script("return document.activeElement && document.activeElement.id")
    assert active == "scan-input", f"the kiosk's scanner would type into {active!r}, not #scan-input; page: {page_text(driver)[:300]!r}"
    driver.switch_to.active_element.send_keys(payload + Keys.ENTER)


def scan_and_expect(driver: WebDriver, payload: str, what: str, outcome: str, title: str) -> dict:
    # The previous result may still show the same outcome; forget it so only the new one can match.
    driver.execute_script("document.getElementById('result').removeAttribute('data-outcome')")
    scan(driver, payload)
    try:
        state = wait(driver).until(lambda d: (s := result_state(d)) and not s["hidden"] and s["outcome"] == outcome and s)
    except Exception:
        raise AssertionError(f"{what}: expected a {outcome!r} result, got {result_state(driver)}") from None
    assert title in state["title"], f"{what}: the result should say {title!r}: {state}"
    return state


def api_token(server: RavaoServer, e164: str) -> str:
    sent_before = len(server.messages())
    answer = requests.post(server.url("/api/v1/auth/otp"), json={"phone": e164}, timeout=10)
    assert answer.status_code == 202, f"OTP: {answer.status_code} {answer.text}"
    code = server.wait_for_code(e164, after=sent_before)
    answer = requests.post(server.url("/api/v1/auth/verify"), json={"phone": e164, "code": code}, timeout=10)
    assert answer.status_code == 200, f"verify: {answer.status_code} {answer.text}"
    return answer.json()["token"]


def new_device(server: RavaoServer, auth: dict, place_id: str, name: str) -> dict:
    answer = requests.post(server.url(f"/api/v1/places/{place_id}/devices"), headers=auth, json={"name": name}, timeout=10)
    assert answer.status_code == 201, f"creating a device: {answer.status_code} {answer.text}"
    device = answer.json()
    assert device.get("key") and device.get("id"), f"a new device answers its id and key once: {device}"
    return device


def checkins(runner: RestartableServer, place_id: str) -> dict[str, dict]:
    with closing(sqlite3.connect(f"file:{runner.database}?mode=ro", uri=True, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT client_id, kind, direction, scanned_at, recorded_at, device_id FROM checkins WHERE place_id = ?",
                          (place_id,)).fetchall()
        counts = db.execute("SELECT client_id, COUNT(*) FROM checkins WHERE place_id = ? GROUP BY client_id HAVING COUNT(*) > 1",
                            (place_id,)).fetchall()
    assert not counts, f"a scan was recorded twice: {[tuple(c) for c in counts]}"
    return {row["client_id"].lower(): dict(row) for row in rows}


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def assert_uploaded_once(runner: RestartableServer, place_id: str, records: list[dict], device_id: str,
                         went_down: float, came_back: float, what: str) -> None:
    rows = checkins(runner, place_id)
    for record in records:
        row = rows.get(record["clientId"].lower())
        assert row, f"{what}: the queued scan {record['clientId']} ({record['payload'][:20]}…) never reached the database"
        assert row["scanned_at"] == epoch(record["scannedAt"]), \
            f"{what}: the check-in must carry the time of the scan {record['scannedAt']}, it has {row['scanned_at']}"
        assert int(went_down) - 1 <= row["scanned_at"] <= came_back, \
            f"{what}: the scan was made while the server was down ({went_down:.0f}–{came_back:.0f}), scanned_at is {row['scanned_at']}"
        assert row["recorded_at"] >= int(came_back), f"{what}: it can only have been recorded after the restart: {row}"
        assert (row["device_id"] or "").lower() == device_id.lower(), f"{what}: the check-in should name the kiosk {device_id}: {row}"


# ---------------------------------------------------------------------------------------------

def test_kiosk_keeps_every_scan_through_an_outage(restartable: RestartableServer, driver: WebDriver, output_dir: Path):
    server = restartable.server
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PAGE_PROBE})

    # 1. The owner registers the canteen and creates a kiosk key with the API.
    token = api_token(server, OWNER_E164)
    auth = {"Authorization": f"Bearer {token}"}
    ward = requests.get(server.url("/api/v1/units"), params={"parent": DA_NANG}, timeout=10).json()[0]["code"]
    place = requests.post(server.url("/api/v1/places"), headers=auth, timeout=10,
                          json={"name": PLACE, "type": "restaurant", "wardCode": ward, "registrantName": "Phạm Văn Đức"})
    assert place.status_code == 201, place.text
    place_id = place.json()["id"]
    device = new_device(server, auth, place_id, "Kiosk cổng chính")

    # 2. The kiosk opens with the key in the fragment: it keeps the key and clears the address bar.
    driver.get(server.url("/kiosk#key=" + device["key"]))
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-place").text.strip() == PLACE,
                       f"the kiosk should show its place's name; page says {page_text(driver)[:300]!r}")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    assert urlparse(driver.current_url).fragment == "" and device["key"] not in driver.current_url, \
        f"the key must leave the address bar: {driver.current_url}"
    assert driver.execute_script("return localStorage.getItem('ravao.kiosk.key')") == device["key"]
    driver.save_screenshot(str(output_dir / "kiosk.png"))

    # 3. Online: the scan is recorded at once, and nothing waits in the queue.
    scan_and_expect(driver, CCCD, "an online scan", "unknown", "Chưa khai báo y tế")
    assert result_state(driver)["name"] == "Nguyễn Văn ***"
    wait_queue(driver, 0, "after an online scan")
    online_rows = checkins(restartable, place_id)
    assert len(online_rows) == 1 and next(iter(online_rows.values()))["kind"] == "cccd", online_rows

    # 4. The server goes down; three people scan. Each is told the scan is saved.
    restartable.stop()
    went_down = time.time()
    for n, payload in enumerate([BHYT, CCCD_2, PHONE], start=1):
        scan_and_expect(driver, payload, f"offline scan {n}", "queued", "Đã lưu, sẽ gửi khi có mạng")
        wait_queue(driver, n, f"after offline scan {n}")
    driver.save_screenshot(str(output_dir / "kiosk-saved-offline.png"))
    records = queued(driver)
    assert len(records) == 3, records
    for record in records:
        assert set(record) >= {"clientId", "placeId", "payload", "direction", "scannedAt", "tries"}, record
        assert record["placeId"].lower() == place_id.lower() and record["direction"] == "in", record
    assert sorted(r["payload"] for r in records) == sorted([BHYT, CCCD_2, PHONE.strip()])
    assert driver.find_element(By.ID, "network-state").get_attribute("data-state") == "offline"
    time.sleep(5)  # at least one retry round fails while the server is down; nothing may be dropped by it
    wait_queue(driver, 3, "after a failed retry round")

    # 5. The server comes back on the same port and database; the kiosk uploads by itself.
    restartable.start()
    came_back = time.time()
    wait_queue(driver, 0, "after the server came back", timeout=30)
    assert_uploaded_once(restartable, place_id, records, device["id"], went_down, came_back, "first outage")
    assert len(checkins(restartable, place_id)) == 4

    # 6. Second outage, with a reload of the kiosk while the server is down.
    restartable.stop()
    went_down = time.time()
    for n, payload in enumerate([CCCD_3, CCCD], start=1):
        scan_and_expect(driver, payload, f"offline scan {n} (second outage)", "queued", "Đã lưu")
        wait_queue(driver, n, f"second outage, scan {n}")
    records = queued(driver)
    assert len(records) == 2, records
    # The service worker brings the kiosk page back although the server is down, queue intact.
    driver.get(server.url("/kiosk"))
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-place").text.strip() == PLACE,
                       f"reloaded during the outage, the kiosk should come up from its cache; page says {page_text(driver)[:300]!r}")
    wait_queue(driver, 2, "after reloading during the outage")
    scan_and_expect(driver, CCCD_3, "offline scan after the reload", "queued", "Đã lưu")
    wait_queue(driver, 3, "after a scan on the reloaded kiosk")
    records = queued(driver)
    assert len(records) == 3, records
    restartable.start()
    came_back = time.time()
    driver.get(server.url("/kiosk"))  # no key in the URL this time: it comes from localStorage
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-place").text.strip() == PLACE,
                       f"after the reload the kiosk should know its key and place; page says {page_text(driver)[:300]!r}")
    wait_queue(driver, 0, "after reloading the kiosk", timeout=30)
    assert_uploaded_once(restartable, place_id, records, device["id"], went_down, came_back, "reload while down")
    assert len(checkins(restartable, place_id)) == 7

    # 7. The owner revokes the key: the next scan is not lost, the kiosk says the key no longer works.
    revoked = requests.delete(server.url(f"/api/v1/places/{place_id}/devices/{device['id']}"), headers=auth, timeout=10)
    assert revoked.status_code == 204, revoked.text
    scan(driver, CCCD_2)
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-revoked").is_displayed(),
                       f"after revocation the kiosk should say its key is invalid; page says {page_text(driver)[:300]!r}")
    assert "thu hồi" in driver.find_element(By.ID, "kiosk-revoked").text
    kept = queued(driver)
    assert [r["payload"] for r in kept] == [CCCD_2], f"the scan refused for the key stays queued: {kept}"
    driver.get(server.url("/kiosk"))
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-revoked").is_displayed(), "a reload with a revoked key shows the same screen")

    # 8. A new key, pasted into the setup form, uploads what the old one could not.
    replacement = new_device(server, auth, place_id, "Kiosk cổng chính (mới)")
    driver.find_element(By.ID, "key-replace").click()
    key_input = wait(driver).until(EC.visibility_of_element_located((By.ID, "key-input")))
    key_input.send_keys(replacement["key"])
    driver.find_element(By.ID, "key-save").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-place").is_displayed(), "a valid key opens the scan screen")
    wait_queue(driver, 0, "after the new key", timeout=20)
    rows = checkins(restartable, place_id)
    assert len(rows) == 8 and rows[kept[0]["clientId"].lower()]["device_id"].lower() == replacement["id"].lower(), rows

    assert device["key"] not in server.log.read_text(encoding="utf-8", errors="replace"), "a device key must never reach the server log"
    errors = driver.execute_script("return window.__errors")
    assert not errors, f"the kiosk page raised errors (it has no AudioContext here): {errors}"


def test_kiosk_with_a_fast_clock_dates_scans_by_the_server(restartable: RestartableServer, driver: WebDriver):
    """Cheap tablets keep bad time; the server refuses scans dated more than two minutes ahead. A
    kiosk ten minutes fast must still record its scans, dated by the server's clock."""
    server = restartable.server
    skew_ms = 10 * 60 * 1000
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PAGE_PROBE + f"""
        const RealDate = Date;
        class FastDate extends RealDate {{
          constructor(...args) {{ if (args.length) super(...args); else super(RealDate.now() + {skew_ms}); }}
          static now() {{ return RealDate.now() + {skew_ms}; }}
        }}
        window.Date = FastDate;
    """})
    token = api_token(server, OWNER_E164)
    auth = {"Authorization": f"Bearer {token}"}
    ward = requests.get(server.url("/api/v1/units"), params={"parent": DA_NANG}, timeout=10).json()[0]["code"]
    place = requests.post(server.url("/api/v1/places"), headers=auth, timeout=10,
                          json={"name": PLACE, "type": "restaurant", "wardCode": ward, "registrantName": "Phạm Văn Đức"})
    assert place.status_code == 201, place.text
    place_id = place.json()["id"]
    device = new_device(server, auth, place_id, "Kiosk giờ sai")

    driver.get(server.url("/kiosk#key=" + device["key"]))
    wait(driver).until(lambda d: d.find_element(By.ID, "kiosk-place").text.strip() == PLACE)
    assert driver.execute_script("return Date.now() - performance.timeOrigin - performance.now()") > skew_ms - 60_000, \
        "the page's clock should run ten minutes fast in this test"
    scanned = time.time()
    scan_and_expect(driver, CCCD, "a scan on a fast clock", "unknown", "Chưa khai báo y tế")
    wait_queue(driver, 0, "after the scan on a fast clock")
    rows = list(checkins(restartable, place_id).values())
    assert len(rows) == 1 and abs(rows[0]["scanned_at"] - scanned) <= 5, \
        f"the scan should be dated by the server's clock ({scanned:.0f}), not the kiosk's: {rows}"
