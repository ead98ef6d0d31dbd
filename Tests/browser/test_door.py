"""At the door (issue 17): the station as a guard needs it, camera scanning without BarcodeDetector, and
the citizen's phone, in a real browser at 360 px (a phone) and 1366 px (a PC).

1. A fake camera films a citizen's personal QR; the station, with BarcodeDetector deleted, reads it
   through our decoder in the module worker and records the check-in once (checked in the database).
2. Severity at 360 px: a known case (F0) and a close contact (F1) are red alerts that never say
   "normal"; a cough is orange; no declaration is yellow and normal is green (two different colours);
   an unreadable code is a blue "scan again". The result stays; name, birth year and today's counters
   show; the direction returns to "in" after an exit unless locked; a double read is shown once as
   "already scanned"; a mistyped phone stays for correction; guard mode puts the field and the camera
   first. Then the same station at 1366 px.
3. An outage: the server stops, the guard keeps scanning, the scans are kept (pending count), a double
   read is not queued twice, and after the restart every scan is in the database exactly once.
4. The citizen's /me: the QR first, framed in the status colour, alerts below; "scan a place's QR" reads
   a poster through the same decoder, refuses another site's code, and opens the check-in page.

SQLite only (the test reads the database and marks people F0/F1 with the `ravao health` console command).
Screenshots go to test-output/door-*.png.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser/test_door.py
"""

from __future__ import annotations

import sqlite3
import subprocess
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

import fake_camera
from test_citizen import sign_in
from test_kiosk import RestartableServer, api_token
from test_kiosk import restartable  # noqa: F401 — the stop/start-able SQLite server fixture

DA_NANG = "48"
GUARD = ("0915 100 200", "+84915100200")
NORMAL = ("0915 100 301", "+84915100301", "Trần Văn Bình")
COUGH = ("0915 100 302", "+84915100302", "Lê Thị Cúc")
CASE = ("0915 100 303", "+84915100303", "Phạm Văn Dũng")
CONTACT = ("0915 100 304", "+84915100304", "Võ Thị Em")
CITIZEN = ("0915 100 305", "+84915100305", "Đỗ Văn Phúc")
CCCD = "001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Phố Huế, Hà Nội|01012021"
CCCD_2 = "079185001234||Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024||||"
CCCD_3 = "048090004321|987654321|Lê Thị Cúc|05051990|Nữ|Số 3 Bạch Đằng, Đà Nẵng|01012022"
GARBAGE = "xin chao 12345"

# Page errors are collected; BarcodeDetector is removed before any page script runs, as on Safari,
# Firefox and desktop Linux.
PROBE = """
delete window.BarcodeDetector;
window.__vibrations = [];
navigator.vibrate = (pattern) => { window.__vibrations.push(pattern); return true; };
window.__tones = [];
if (window.OscillatorNode) {
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones.push(this.frequency.value); return start.apply(this, args); };
}
window.__errors = [];
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => window.__errors.push('rejection: ' + String(e.reason)));
"""


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
        const t = (c) => { const e = r.querySelector('.result-' + c); return e && !e.hidden ? e.textContent.trim() : ''; };
        return {hidden: r.hidden, outcome: r.dataset.outcome || '', severity: r.dataset.severity || '', repeat: r.dataset.repeat || '',
                title: t('title'), name: t('name'), year: t('year'), meta: t('meta'), health: t('health'), reason: t('reason'),
                note: t('note'), today: t('today'), background: getComputedStyle(r).backgroundColor};
    """)


def forget_result(driver: WebDriver) -> None:
    driver.execute_script("const r = document.getElementById('result'); r.removeAttribute('data-outcome'); r.hidden = true;")


def dismiss(driver: WebDriver) -> None:
    """A tap on the result clears it, as a guard does before touching the controls underneath."""
    if not result_state(driver)["hidden"]:
        driver.find_element(By.ID, "result").click()


def wait_result(driver: WebDriver, what: str, outcome: str, timeout: float = 10, **expected: str) -> dict:
    try:
        state = wait(driver, timeout).until(lambda d: (s := result_state(d)) and not s["hidden"] and s["outcome"] == outcome and s)
    except Exception:
        raise AssertionError(f"{what}: expected a {outcome!r} result, the overlay is {result_state(driver)}; "
                             f"page: {page_text(driver)[:300]!r}") from None
    for name, value in expected.items():
        assert value in state[name], f"{what}: the result's {name} should contain {value!r}: {state}"
    return state


def scan(driver: WebDriver, payload: str) -> None:
    """Types into whatever has the focus, as a keyboard-wedge scanner does."""
    wait(driver, 3).until(lambda d: d.execute_script("return document.activeElement && document.activeElement.id") == "scan-input",
                          "the scanner would type into something else than #scan-input")
    forget_result(driver)
    driver.switch_to.active_element.send_keys(payload + Keys.ENTER)


def checkins(runner: RestartableServer, place_id: str) -> list[dict]:
    with closing(sqlite3.connect(f"file:{runner.database}?mode=ro", uri=True, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT c.client_id, c.kind, c.direction, c.person_id, p.full_name FROM checkins c JOIN people p ON p.id = c.person_id "
                          "WHERE c.place_id = ? ORDER BY c.recorded_at, c.scanned_at", (place_id,)).fetchall()
    return [dict(r) for r in rows]


def ward(runner: RestartableServer) -> str:
    return requests.get(runner.server.url("/api/v1/units"), params={"parent": DA_NANG}, timeout=10).json()[0]["code"]


def citizen(runner: RestartableServer, who: tuple, symptoms: list[str] | None, auth: dict | None = None,
            cookies: dict | None = None) -> dict:
    """A citizen with a profile (born 1985) and, unless `symptoms` is None, a declaration; answers token,
    id and the headers to act as them (a bearer token, or a browser's cookie with its CSRF token)."""
    server = runner.server
    if auth is None:
        auth = {"Authorization": f"Bearer {api_token(server, who[1])}"}
    requests_kwargs = {"cookies": cookies} if cookies else {}
    saved = requests.put(server.url("/api/v1/me"), headers=auth, timeout=10, **requests_kwargs, json={
        "name": who[2], "birthDate": "1985-08-15", "gender": "male", "wardCode": ward(runner), "address": "12 Lê Lợi"})
    assert saved.status_code == 200, saved.text
    if symptoms is not None:
        declared = requests.post(server.url("/api/v1/me/declarations"), headers=auth, timeout=10, **requests_kwargs,
                                 json={"symptoms": symptoms, "contact": False, "visitedWards": []})
        assert declared.status_code == 201, declared.text
    qr = requests.get(server.url("/api/v1/me/token"), headers=auth, timeout=10, **requests_kwargs).json()["token"]
    return {"token": qr, "id": saved.json()["id"], "auth": auth, "cookies": cookies}


def mark(runner: RestartableServer, phone_e164: str, value: str) -> None:
    done = subprocess.run([str(runner.binary), "health", "mark", "--database", f"sqlite:{runner.database}", "--phone", phone_e164,
                           "--mark", value], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"ravao health mark: {done.stdout} {done.stderr}"


def guard_place(driver: WebDriver, runner: RestartableServer, name: str) -> str:
    """Signs the guard in at /station and registers a place with the browser's session; answers its id."""
    server = runner.server
    sign_in(driver, server, "/station", GUARD[0], GUARD[1])
    api = requests.Session()
    api.cookies.set("ravao_session", driver.get_cookie("ravao_session")["value"])
    csrf = driver.find_element(By.CSS_SELECTOR, "input[name=_csrf]").get_attribute("value")
    created = api.post(server.url("/api/v1/places"), headers={"X-CSRF-Token": csrf}, timeout=10,
                       json={"name": name, "type": "factory", "wardCode": ward(runner), "registrantName": "Lê Văn Bảo"})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def open_station(driver: WebDriver, runner: RestartableServer, place_id: str) -> None:
    driver.get(runner.server.url(f"/places/{place_id}/station"))
    wait(driver).until(lambda d: d.execute_script("return document.activeElement && document.activeElement.id") == "scan-input")


def errors(driver: WebDriver) -> list:
    return driver.execute_script("return window.__errors || []")


@pytest.fixture
def camera_file(tmp_path: Path) -> Path:
    # A placeholder, so that the browser finds a camera file at start; tests rewrite it before filming.
    return fake_camera.write_y4m(tmp_path / "camera.y4m", "https://example.com/nothing")


@pytest.fixture
def browser(camera_file: Path):
    driver = fake_camera.camera_browser(camera_file)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})
    try:
        yield driver
    finally:
        driver.quit()


# ---------------------------------------------------------------------------------------------

def test_station_reads_a_phone_qr_from_the_camera_through_the_worker(restartable: RestartableServer, browser: WebDriver,
                                                                     camera_file: Path, output_dir: Path):
    person = citizen(restartable, NORMAL, symptoms=[])
    fake_camera.write_y4m(camera_file, person["token"])
    place_id = guard_place(browser, restartable, "Cổng camera")
    fake_camera.phone_screen(browser)  # a guard's own phone
    open_station(browser, restartable, place_id)
    assert browser.execute_script("return 'BarcodeDetector' in window") is False, "the probe should have removed BarcodeDetector"

    # Never again "this browser cannot read QR codes": the camera button is there without BarcodeDetector.
    button = browser.find_element(By.ID, "camera-button")
    assert button.is_displayed(), f"the camera button must show without BarcodeDetector; page: {page_text(browser)[:300]!r}"
    assert not browser.find_element(By.ID, "camera-note").is_displayed()
    button.click()
    wait(browser).until(lambda d: button.get_attribute("data-state") == "on", "the camera should start")
    assert button.get_attribute("data-mode") == "worker", f"frames should go to the module worker, mode is {button.get_attribute('data-mode')!r}"

    shown = wait_result(browser, "the QR filmed by the camera", "ok", timeout=30, title="Đã ghi nhận", name="Trần Văn ***")
    assert "1985" in shown["year"], f"the birth year from the profile should show: {shown}"
    assert "Bình thường" in shown["health"] and "Mã QR Ravao" in shown["meta"], shown
    browser.save_screenshot(str(output_dir / "door-camera-station.png"))

    # The code stays in front of the camera: it is one check-in, not one per frame.
    time.sleep(4)
    rows = checkins(restartable, place_id)
    assert [(r["kind"], r["direction"], r["person_id"].lower()) for r in rows] == [("ravao", "in", person["id"].lower())], \
        f"the camera scan should be recorded exactly once for the citizen: {rows}"
    assert browser.find_element(By.ID, "count-in").text == "1"
    browser.find_element(By.ID, "result").click()  # a tap dismisses the result before the 8 s are up
    video = browser.find_element(By.ID, "camera-video")
    assert video.is_displayed() and video.rect["y"] < 420, f"the camera comes first on a phone: {video.rect}"
    browser.save_screenshot(str(output_dir / "door-camera-360-live.png"))
    button.click()
    wait(browser).until(lambda d: not d.find_element(By.ID, "camera-video").is_displayed(), "stopping hides the video")
    assert not errors(browser), f"page errors: {errors(browser)}"


def test_station_severity_guard_mode_and_the_door_routine(restartable: RestartableServer, browser: WebDriver, output_dir: Path):
    normal = citizen(restartable, NORMAL, symptoms=[])
    cough = citizen(restartable, COUGH, symptoms=["cough"])
    case = citizen(restartable, CASE, symptoms=[])
    contact = citizen(restartable, CONTACT, symptoms=[])
    mark(restartable, CASE[1], "F0")
    mark(restartable, CONTACT[1], "F1")
    marked = time.monotonic()
    place_id = guard_place(browser, restartable, "Cổng số 3")
    # The server remembers a status for 5 s, and the console command is another process.
    time.sleep(max(0.0, 5.5 - (time.monotonic() - marked)))

    # 1. A phone: guard mode puts the scan field and the camera first, no menu above them.
    fake_camera.phone_screen(browser)
    open_station(browser, restartable, place_id)
    assert not browser.find_element(By.CSS_SELECTOR, "header.topbar").is_displayed(), "at 360 px the site menu is folded away"
    geometry = browser.execute_script("""
        const r = (id) => document.getElementById(id).getBoundingClientRect();
        return {input: r('scan-input').top, camera: r('camera-button').bottom, width: document.documentElement.clientWidth,
                scroll: document.documentElement.scrollWidth};""")
    assert geometry["width"] == 360 and geometry["scroll"] <= 360, f"the page must fit 360 px without sideways scrolling: {geometry}"
    assert geometry["input"] < 200 and geometry["camera"] < 320, f"the scan field and the camera come first: {geometry}"
    browser.save_screenshot(str(output_dir / "door-station-360.png"))
    menu = browser.find_element(By.ID, "menu-toggle")
    browser.execute_script("arguments[0].scrollIntoView()", menu)
    menu.click()
    assert browser.find_element(By.CSS_SELECTOR, "header.topbar").is_displayed(), "the Menu button brings the site menu back"
    menu.click()

    # 2. Severity: each result with its own colour; the most serious thing wins.
    colours = {}
    scan(browser, case["token"])
    f0 = wait_result(browser, "a known case (F0)", "alert", title="Cảnh báo dịch tễ", name="Phạm Văn ***")
    assert f0["severity"] == "5" and "Ca bệnh (F0)" in f0["health"] and "Bình thường" not in f0["health"], \
        f"an F0 is the most serious alert and never reads 'normal': {f0}"
    assert "1985" in f0["year"] and "Hôm nay vào 1" in f0["today"], f0
    colours["case"] = f0["background"]
    browser.save_screenshot(str(output_dir / "door-station-360-f0.png"))

    scan(browser, contact["token"])
    f1 = wait_result(browser, "a close contact (F1)", "alert", name="Võ Thị ***")
    assert f1["severity"] == "4" and "F1" in f1["health"] and "Bình thường" not in f1["health"], f1
    colours["contact"] = f1["background"]

    scan(browser, cough["token"])
    abnormal = wait_result(browser, "a declared cough", "abnormal", title="Khai báo bất thường", health="Bất thường — ho")
    colours["abnormal"] = abnormal["background"]
    browser.save_screenshot(str(output_dir / "door-station-360-abnormal.png"))

    scan(browser, CCCD)
    unknown = wait_result(browser, "a card without a declaration", "unknown", title="Chưa khai báo y tế", name="Nguyễn Văn ***")
    assert unknown["year"] == "", f"a card-first person has no birth year on record: {unknown}"
    colours["unknown"] = unknown["background"]

    scan(browser, normal["token"])
    ok = wait_result(browser, "a normal declaration", "ok", title="Đã ghi nhận", health="Bình thường")
    colours["normal"] = ok["background"]
    browser.save_screenshot(str(output_dir / "door-station-360-normal.png"))

    scan(browser, GARBAGE)
    retry = wait_result(browser, "an unreadable code", "retry", title="Không đọc được mã")
    colours["retry"] = retry["background"]
    browser.save_screenshot(str(output_dir / "door-station-360-retry.png"))
    assert len(set(colours.values())) == len(colours), f"every kind of result needs its own colour: {colours}"
    # Each result is heard and felt: six scans, six vibration patterns, an alert's differing from "normal".
    vibrations = browser.execute_script("return window.__vibrations")
    assert len(vibrations) == 6 and vibrations[0] != vibrations[4], f"a vibration per result: {vibrations}"
    assert browser.execute_script("return window.__tones.length") >= 12, "a sound per result"
    red = lambda rgb: (lambda r, g, b: r > 120 and g < 60 and b < 60)(*map(int, rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]))
    assert red(colours["case"]) and red(colours["contact"]), f"alerts are red: {colours}"
    assert not red(colours["retry"]) and not red(colours["abnormal"]), f"'scan again' and 'check further' are not red: {colours}"

    # 3. The result stays (8 s by default), not 1.5 s.
    scan(browser, CCCD_2)
    wait_result(browser, "a second card", "unknown", name="Trần Thị ***")
    time.sleep(3)
    assert not result_state(browser)["hidden"], "the result should still show after 3 s (8 s by default)"

    # 4. The same code again at once: shown as "already scanned", not posted twice.
    scan(browser, CCCD_2)
    again = wait_result(browser, "the same card read twice", "unknown", name="Trần Thị ***")
    assert again["repeat"] == "true" and "Vừa quét" in again["note"], f"a double read is shown as already scanned: {again}"
    assert sum(1 for r in checkins(restartable, place_id) if r["full_name"] == "Trần Thị Bình") == 1, "a double read is recorded once"

    # 5. Out, then back to "in" by itself; with the lock, out stays out.
    dismiss(browser)
    browser.find_element(By.CSS_SELECTOR, "label:has(#direction-out)").click()
    scan(browser, CCCD_3)
    wait_result(browser, "an exit", "unknown", meta="Ra")
    assert browser.find_element(By.ID, "direction-in").is_selected(), "after an exit scan the station returns to 'Vào'"
    dismiss(browser)
    browser.find_element(By.ID, "direction-lock").click()
    browser.find_element(By.CSS_SELECTOR, "label:has(#direction-out)").click()
    scan(browser, CCCD)
    wait_result(browser, "a locked exit", "unknown", meta="Ra")
    assert browser.find_element(By.ID, "direction-out").is_selected(), "locked, the direction stays 'Ra'"
    dismiss(browser)
    browser.find_element(By.ID, "direction-lock").click()
    browser.find_element(By.CSS_SELECTOR, "label:has(#direction-in)").click()

    # 6. A mistyped phone stays in the field for correction.
    phone = browser.find_element(By.ID, "phone-input")
    phone.click()
    phone.send_keys("0915 10" + Keys.ENTER)
    wait(browser).until(lambda d: d.find_element(By.ID, "phone-error").is_displayed(), "a mistyped phone is explained")
    assert phone.get_attribute("value") == "0915 10", "the mistyped phone is kept for correction"
    # Ten digits but no Vietnamese number (01x prefixes were retired): the server says so, the text stays.
    phone.clear()
    phone.send_keys("0123 456 789" + Keys.ENTER)
    wait_result(browser, "a phone the server cannot read", "retry")
    wait(browser).until(lambda d: d.find_element(By.ID, "phone-error").is_displayed(), "the server's reason shows under the field")
    assert phone.get_attribute("value") == "0123 456 789", "a refused phone stays for correction"
    dismiss(browser)
    phone.clear()
    phone.send_keys("0915 100 999")
    phone.send_keys(Keys.ENTER)
    wait_result(browser, "the corrected phone", "unknown", meta="Số điện thoại")
    wait(browser).until(lambda d: phone.get_attribute("value") == "", "an accepted phone clears the field")

    # 7. Today's counters match the database.
    rows = checkins(restartable, place_id)
    ins = sum(1 for r in rows if r["direction"] == "in")
    outs = sum(1 for r in rows if r["direction"] == "out")
    wait(browser).until(lambda d: d.find_element(By.ID, "count-in").text == str(ins) and d.find_element(By.ID, "count-out").text == str(outs),
                        f"the counters should read {ins} in and {outs} out")
    assert outs == 2 and len(rows) == 9, [(r["full_name"], r["direction"]) for r in rows]
    forget_result(browser)
    browser.save_screenshot(str(output_dir / "door-station-360-after.png"))

    # 8. A PC at 1366 px: the menu shows; "full screen" is guard mode there.
    fake_camera.desktop_screen(browser)
    open_station(browser, restartable, place_id)
    assert browser.find_element(By.CSS_SELECTOR, "header.topbar").is_displayed()
    assert (browser.find_element(By.ID, "count-in").text, browser.find_element(By.ID, "count-out").text) == (str(ins), str(outs)), \
        "a station opened later in the day shows the day's counts at once"
    scan(browser, case["token"])
    wait_result(browser, "the F0 again at 1366 px", "alert", title="Cảnh báo dịch tễ")
    browser.save_screenshot(str(output_dir / "door-station-1366-f0.png"))
    dismiss(browser)
    browser.find_element(By.ID, "fullscreen-button").click()
    wait(browser).until(lambda d: not d.find_element(By.CSS_SELECTOR, "header.topbar").is_displayed(), "guard mode hides the menu")
    browser.save_screenshot(str(output_dir / "door-station-1366-guard.png"))
    assert not errors(browser), f"page errors: {errors(browser)}"


def test_station_offline_loses_and_doubles_no_scan(restartable: RestartableServer, browser: WebDriver, output_dir: Path):
    place_id = guard_place(browser, restartable, "Cổng mất mạng")
    open_station(browser, restartable, place_id)
    scan(browser, CCCD)
    wait_result(browser, "an online scan", "unknown")
    assert len(checkins(restartable, place_id)) == 1

    restartable.stop()
    went_down = time.time()
    for n, payload in enumerate([CCCD_2, CCCD_3, "0915 222 333"], start=1):
        scan(browser, payload)
        wait_result(browser, f"offline scan {n}", "queued", title="Đã lưu")
        wait(browser).until(lambda d: d.find_element(By.ID, "queue-count").text == str(n), f"pending count {n}")
    # The scanner reads the last card twice: it is not queued twice.
    scan(browser, "0915 222 333")
    repeat = wait_result(browser, "a double read offline", "queued")
    assert repeat["repeat"] == "true", repeat
    assert browser.find_element(By.ID, "queue-count").text == "3"
    assert browser.find_element(By.ID, "network-state").get_attribute("data-state") == "offline"
    browser.save_screenshot(str(output_dir / "door-station-offline.png"))
    queued = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const open = indexedDB.open('ravao-station');
        open.onsuccess = () => { const all = open.result.transaction('queue').objectStore('queue').getAll();
          all.onsuccess = () => done(all.result); all.onerror = () => done(null); };
        open.onerror = () => done(null);""")
    assert queued and len(queued) == 3, f"three scans wait in IndexedDB: {queued}"
    assert len({q["account"] for q in queued}) == 1 and all(q["account"] for q in queued), \
        f"each queued scan names the guard's account, so another guard's session never sends it: {queued}"
    time.sleep(5)  # a retry round fails while the server is down; nothing may be dropped by it
    assert browser.find_element(By.ID, "queue-count").text == "3"

    restartable.start()
    came_back = time.time()
    wait(browser, 30).until(lambda d: d.find_element(By.ID, "queue-count").text == "0", "the queue uploads by itself")
    rows = checkins(restartable, place_id)
    ids = [r["client_id"].lower() for r in rows]
    assert len(ids) == len(set(ids)) == 4, f"every scan exactly once: {rows}"
    assert {q["clientId"].lower() for q in queued} <= set(ids), "each queued scan arrived under its own clientId"
    with closing(sqlite3.connect(f"file:{restartable.database}?mode=ro", uri=True, timeout=10)) as db:
        times = [r[0] for r in db.execute("SELECT scanned_at FROM checkins WHERE place_id = ? AND recorded_at >= ?", (place_id, int(came_back)))]
    assert len(times) == 3 and all(int(went_down) - 1 <= t <= came_back for t in times), \
        f"uploaded scans keep the time they were made ({went_down:.0f}–{came_back:.0f}): {times}"
    # The recent list says what the server answered for the scans made offline.
    wait(browser).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('#recent-scans li')).filter((li) => li.dataset.outcome === 'queued').length") == 0,
        "the queued lines turn into results once uploaded")
    assert not errors(browser), f"page errors: {errors(browser)}"


def test_me_shows_the_qr_first_in_the_status_colour_and_scans_a_place(restartable: RestartableServer, browser: WebDriver,
                                                                      camera_file: Path, output_dir: Path):
    server = restartable.server
    owner = api_token(server, "+84915100999")
    place = requests.post(server.url("/api/v1/places"), headers={"Authorization": f"Bearer {owner}"}, timeout=10,
                          json={"name": "Chợ Hàn", "type": "market", "wardCode": ward(restartable), "registrantName": "Ngô Văn Hải"})
    assert place.status_code == 201, place.text
    poster = place.json()["checkinUrl"]
    code = urlparse(poster).path.rsplit("/", 1)[-1]

    # 1. A phone; the citizen signs in and fills in the profile; an F1 mark is an alert.
    fake_camera.phone_screen(browser)
    sign_in(browser, server, "/me", CITIZEN[0], CITIZEN[1])
    # The API acts with the browser's own session (a second sign-in code would wait a minute).
    cookies = {"ravao_session": browser.get_cookie("ravao_session")["value"]}
    csrf = browser.find_element(By.CSS_SELECTOR, "input[name=_csrf]").get_attribute("value")
    me = citizen(restartable, CITIZEN, symptoms=None, auth={"X-CSRF-Token": csrf}, cookies=cookies)
    browser.get(server.url("/me"))
    frame = browser.find_element(By.CSS_SELECTOR, "#personal-qr .qr-frame")
    assert browser.find_element(By.ID, "personal-qr").get_attribute("data-tone") == "unknown"
    unknown_colour = frame.value_of_css_property("border-top-color")
    requests.post(server.url("/api/v1/me/declarations"), headers=me["auth"], cookies=cookies, timeout=10,
                  json={"symptoms": [], "contact": False, "visitedWards": []}).raise_for_status()
    browser.get(server.url("/me"))
    normal_colour = browser.find_element(By.CSS_SELECTOR, "#personal-qr .qr-frame").value_of_css_property("border-top-color")
    assert browser.find_element(By.ID, "personal-qr").get_attribute("data-tone") == "normal"
    assert normal_colour != unknown_colour, "normal (green) and no declaration (amber) frame the QR differently"
    browser.save_screenshot(str(output_dir / "door-me-360-normal.png"))

    mark(restartable, CITIZEN[1], "F1")
    time.sleep(5.5)  # the server remembers a status for 5 s
    browser.get(server.url("/me"))
    figure = browser.find_element(By.ID, "personal-qr")
    assert figure.get_attribute("data-tone") == "alert", f"an F1 frames the QR as an alert, not {figure.get_attribute('data-tone')!r}"
    status = browser.find_element(By.ID, "status").text
    assert "F1" in status and "Bình thường" not in status, f"the status line never says normal above an alert: {status!r}"
    geometry = browser.execute_script("""
        const q = document.querySelector('#personal-qr svg').getBoundingClientRect();
        const s = document.getElementById('status').getBoundingClientRect();
        return {qrTop: q.top, qrBottom: q.bottom, statusTop: s.top, height: window.innerHeight, width: document.documentElement.clientWidth};""")
    assert geometry["qrBottom"] <= geometry["height"], f"the whole QR is on the first screen at 360×800 with an alert: {geometry}"
    assert geometry["statusTop"] > geometry["qrTop"], f"the alert comes below the QR: {geometry}"
    alert_colour = browser.find_element(By.CSS_SELECTOR, "#personal-qr .qr-frame").value_of_css_property("border-top-color")
    assert alert_colour not in (normal_colour, unknown_colour), alert_colour
    browser.save_screenshot(str(output_dir / "door-me-360-alert.png"))
    fake_camera.desktop_screen(browser)
    browser.get(server.url("/me"))
    browser.save_screenshot(str(output_dir / "door-me-1366-alert.png"))
    fake_camera.phone_screen(browser)
    browser.get(server.url("/me"))

    # 2. "Scan a place's QR": another site's code is refused with a clear message.
    fake_camera.write_y4m(camera_file, f"https://example.com/c/{code}")
    button = wait(browser).until(EC.visibility_of_element_located((By.ID, "scan-place")))
    button.click()
    wait(browser, 30).until(lambda d: d.find_element(By.ID, "place-scan-note").is_displayed(),
                            f"a QR of another site should be refused; page: {page_text(browser)[:300]!r}")
    assert "không phải mã QR địa điểm" in browser.find_element(By.ID, "place-scan-note").text
    assert button.get_attribute("data-mode") == "worker", button.get_attribute("data-mode")
    browser.save_screenshot(str(output_dir / "door-me-360-wrong-qr.png"))
    button.click()  # stop

    # 3. The poster of this server: the phone goes to the place's check-in page, and one tap checks in.
    fake_camera.write_y4m(camera_file, poster)
    button.click()
    wait(browser, 30).until(lambda d: urlparse(d.current_url).path == f"/c/{code}",
                            f"reading the poster should open its check-in page; at {browser.current_url}")
    assert "Chợ Hàn" in page_text(browser)
    browser.save_screenshot(str(output_dir / "door-me-360-place.png"))
    assert not errors(browser), f"page errors: {errors(browser)}"
