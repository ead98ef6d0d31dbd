"""The staff scanning station (C2, C4) in a real browser.

A guard signs in, picks the place on /station and scans at the door the way a USB scanner in
keyboard-wedge mode does: the payload typed into the page and ended by Enter or Tab, a paste, and a
phone number typed into the "no QR" form. Every result fills the screen with its own colour and
sound, clears itself after the time chosen on the page, and the input keeps the focus throughout —
nobody touches the mouse. The scans are then looked up in the database the server wrote. With the
network down the station keeps the scan and uploads it later (as the kiosk does). Severity colours,
the camera, guard mode at 360 px and a real outage are in test_door.py.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser/test_station.py
"""

from __future__ import annotations

import re
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import urlparse

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import RavaoServer, page_replaced

GUARD_PHONE = "0913 000 111"
GUARD_E164 = "+84913000111"
STRANGER_E164 = "+84913000222"
DA_NANG = "48"
PLACE = "Cổng số 2 — Nhà máy Thép"

CCCD = "001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 Phố Huế, Hà Nội|01012021"
BHYT = ("GD4797932345678|4e677579e1bb856e2056c4836e2041|15/08/1985|1|53e1bb91203132204cc3aa204ce1bba3692c205068c6b0e1bb9d6e"
        "672042e1babf6e204e6768c3a92c2054502e2048e1bb93204368c3ad204d696e68|79 - 001|01/01/2021|31/12/2021|01/01/2021|"
        "79014797932345|-|4|01/01/2025|0a1b2c3d4e5f6071-2021|$")
CCCD_PASTED = "079185001234||Trần Thị Bình|01021990|Nữ|Phường 1, Quận 3, TP. Hồ Chí Minh|15082024||||"
GARBAGE = "xin chao 12345"
PHONE_TYPED = "0913 555 777"

# Collects page errors and the frequency of every tone the page starts, before any page script runs.
PAGE_PROBE = """
window.__errors = [];
window.addEventListener('error', (e) => window.__errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => window.__errors.push('rejection: ' + String(e.reason)));
window.__tones = [];
if (window.OscillatorNode) {
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones.push(this.frequency.value); return start.apply(this, args); };
}
"""


def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def page_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except Exception:
        return ""


def active_id(driver: WebDriver) -> str:
    return driver.execute_script("return document.activeElement && document.activeElement.id") or ""


def assert_scan_input_focused(driver: WebDriver, after: str) -> None:
    # Focus may come back a tick after the result is drawn; it must come back without any click.
    try:
        wait(driver, 3).until(lambda d: active_id(d) == "scan-input")
    except Exception:
        raise AssertionError(f"after {after} the focus should be back on #scan-input without a click, "
                             f"it is on {active_id(driver)!r}") from None


def result_state(driver: WebDriver) -> dict:
    return driver.execute_script("""
        const r = document.getElementById('result');
        const t = (c) => r.querySelector('.result-' + c).textContent.trim();
        return {hidden: r.hidden, outcome: r.dataset.outcome || '', sound: r.dataset.sound || '', code: r.dataset.code || '',
                title: t('title'), name: t('name'), meta: t('meta'), health: r.querySelector('.result-health').hidden ? '' : t('health'),
                reason: t('reason')};
    """)


def tones(driver: WebDriver) -> list[float]:
    return driver.execute_script("const t = window.__tones.slice(); window.__tones.length = 0; return t;")


def wait_for_result(driver: WebDriver, what: str, outcome: str, **expected: str) -> dict:
    """Waits for the overlay to show `outcome`, then checks its fields (substring match)."""
    try:
        state = wait(driver).until(lambda d: (s := result_state(d)) and not s["hidden"] and s["outcome"] == outcome and s)
    except Exception:
        raise AssertionError(f"{what}: expected a full-screen {outcome!r} result, the overlay is {result_state(driver)} "
                             f"— page says {page_text(driver)[:400]!r}") from None
    for name, value in expected.items():
        assert value in state[name], f"{what}: the result's {name} should contain {value!r}, it is {state[name]!r} ({state})"
    return state


def wait_until_cleared(driver: WebDriver, what: str, timeout: float = 5) -> None:
    try:
        wait(driver, timeout).until(lambda d: result_state(d)["hidden"])
    except Exception:
        raise AssertionError(f"{what} should clear itself within {timeout} s; it still shows {result_state(driver)}") from None


def scan(driver: WebDriver, payload: str, terminator: str = Keys.ENTER) -> None:
    """Types into whatever has the focus, as a keyboard-wedge scanner does — it cannot click first."""
    assert active_id(driver) == "scan-input", f"the scanner would type into {active_id(driver)!r}, not #scan-input"
    driver.switch_to.active_element.send_keys(payload + terminator)


def recent(driver: WebDriver) -> list[dict]:
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#recent-scans li')).map((li) => ({
            outcome: li.dataset.outcome, checkInId: li.dataset.checkInId || '', code: li.dataset.code || '',
            direction: li.querySelector('.recent-direction').textContent.trim(),
            name: li.querySelector('.recent-name').textContent.trim(), detail: li.querySelector('.recent-detail').textContent.trim()}));
    """)


def sign_in_through(driver: WebDriver, ravao: RavaoServer, start_path: str) -> None:
    """Opens a page that needs sign-in and signs in with the SMS code; the browser comes back to it."""
    driver.get(ravao.url(start_path))
    wait(driver).until(lambda d: urlparse(d.current_url).path == "/signin",
                       f"{start_path} without a session should send the browser to sign-in")
    sent_before = len(ravao.messages())
    wait(driver).until(EC.visibility_of_element_located((By.ID, "phone"))).send_keys(GUARD_PHONE)
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "send-code").click()
    wait(driver).until(page_replaced(old))
    code = ravao.wait_for_code(GUARD_E164, after=sent_before)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "code"))).send_keys(code)
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "verify").click()
    wait(driver).until(page_replaced(old))
    wait(driver).until(lambda d: urlparse(d.current_url).path == start_path,
                       f"after sign-in the browser should return to {start_path}, it is at {driver.current_url}")


def api_token(ravao: RavaoServer, e164: str) -> str:
    api = ravao.session()
    sent_before = len(ravao.messages())
    answer = api.post(ravao.url("/api/v1/auth/otp"), json={"phone": e164})
    assert answer.status_code == 202, f"OTP for {e164}: {answer.status_code} {answer.text}"
    code = ravao.wait_for_code(e164, after=sent_before)
    answer = api.post(ravao.url("/api/v1/auth/verify"), json={"phone": e164, "code": code})
    assert answer.status_code == 200, f"verify {e164}: {answer.status_code} {answer.text}"
    return answer.json()["token"]


def database(ravao: RavaoServer):
    return closing(sqlite3.connect(f"file:{ravao.outbox.parent / 'ravao.sqlite'}?mode=ro", uri=True, timeout=10))


# ---------------------------------------------------------------------------------------------

def test_guard_scans_at_the_door_without_touching_the_mouse(ravao: RavaoServer, driver: WebDriver, output_dir: Path):
    suffix = "" if ravao.engine == "sqlite" else f"-{ravao.engine}"
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PAGE_PROBE})

    # 1. /station needs a session; after sign-in the guard is back on it, with no place yet.
    sign_in_through(driver, ravao, "/station")
    assert driver.find_elements(By.ID, "no-station-places"), f"a new account has no places to scan at: {page_text(driver)[:300]!r}"

    # A place registered through the API with the browser's own session (cookie + the page's CSRF token).
    api = ravao.session()
    api.cookies.set("ravao_session", driver.get_cookie("ravao_session")["value"])
    csrf = driver.find_element(By.CSS_SELECTOR, "input[name=_csrf]").get_attribute("value")
    ward = api.get(ravao.url("/api/v1/units"), params={"parent": DA_NANG}).json()[0]["code"]
    created = api.post(ravao.url("/api/v1/places"), headers={"X-CSRF-Token": csrf},
                       json={"name": PLACE, "type": "factory", "wardCode": ward, "registrantName": "Lê Văn Bảo"})
    assert created.status_code == 201, f"registering the place: {created.status_code} {created.text}"
    place_id = created.json()["id"]
    station_path = f"/places/{place_id}/station"

    # Someone else's place has no station for this guard.
    stranger = api_token(ravao, STRANGER_E164)
    foreign = ravao.session().post(ravao.url("/api/v1/places"), headers={"Authorization": f"Bearer {stranger}"},
                                   json={"name": "Nơi khác", "type": "office", "wardCode": ward, "registrantName": "Người Lạ"})
    assert foreign.status_code == 201, foreign.text
    assert api.get(ravao.url(f"/places/{foreign.json()['id']}/station")).status_code == 404, \
        "the station of a place the account has no role at must not exist for it"

    # 2. /station lists the place and leads to its station.
    driver.get(ravao.url("/station"))
    link = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#station-places a[href='{station_path}']")))
    assert PLACE in link.text, f"the station list should name {PLACE!r}, it shows {link.text!r}"
    old = driver.find_element(By.TAG_NAME, "html")
    link.click()
    wait(driver).until(page_replaced(old))
    assert urlparse(driver.current_url).path == station_path
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"
    assert driver.find_element(By.ID, "station-place").text.strip() == PLACE

    scan_input = driver.find_element(By.ID, "scan-input")
    for attribute, value in {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "lang": "en", "inputmode": "text"}.items():
        assert scan_input.get_dom_attribute(attribute) == value, f"#scan-input should have {attribute}={value!r}"
    overlay = driver.find_element(By.ID, "result")
    assert overlay.get_attribute("role") == "status" and overlay.get_attribute("aria-live"), "the result must be announced"
    assert_scan_input_focused(driver, "opening the station")

    # The camera button shows whether or not the browser has BarcodeDetector (Linux Chromium has none):
    # our own decoder reads the frames then (test_door.py films a QR).
    camera_button = driver.find_element(By.ID, "camera-button")
    wait(driver).until(lambda d: camera_button.is_displayed(), "the camera button must show on any browser with a camera API")
    assert not driver.find_element(By.ID, "camera-note").is_displayed(), "no 'cannot read QR codes' note"
    # The result's time on screen is the guard's choice (default 8 s); this test takes 3 s.
    assert driver.find_element(By.ID, "hold-seconds").get_attribute("value") == "8"
    driver.execute_script("""
        const hold = document.getElementById('hold-seconds');
        hold.value = '3';
        hold.dispatchEvent(new Event('change', {bubbles: true}));""")
    assert_scan_input_focused(driver, "choosing the hold time")
    tones(driver)

    # 3. A CCCD card ended by Enter: recorded, the masked name, kind, direction and time; a card-first
    #    person has no declaration, which is its own (yellow) result, not the green of "normal".
    scan(driver, CCCD)
    first = wait_for_result(driver, "the CCCD scan", "unknown", title="Chưa khai báo y tế", name="Nguyễn Văn ***", meta="Thẻ CCCD")
    assert "Đã ghi nhận" in first["meta"], f"the result says the scan was recorded: {first}"
    assert "An" not in first["name"].split(), f"the given name must be masked: {first['name']!r}"
    assert "Vào" in first["meta"] and re.search(r"\b\d{2}:\d{2}:\d{2}\b", first["meta"]), f"direction and time: {first}"
    # A card-first person has no declaration: the status says so (and that no vaccination is known).
    assert first["health"].startswith("Chưa khai báo y tế"), f"no health status yet: the result should say so, got {first}"
    driver.save_screenshot(str(output_dir / f"station-recorded{suffix}.png"))
    assert_scan_input_focused(driver, "the CCCD result")
    assert scan_input.get_attribute("value") == "", "the input is emptied for the next scan"
    wait_until_cleared(driver, "a result held for the chosen 3 s", timeout=5)
    ok_tones = tones(driver)
    assert ok_tones, "the recorded scan should play a sound (no OscillatorNode.start was called)"

    # 4. The guard turns the switch to "Ra" (out); the focus comes back, and a Tab-ended BHYT card goes out.
    #    After the exit the switch is back on "Vào" by itself (nothing is locked).
    driver.find_element(By.CSS_SELECTOR, "label:has(#direction-out)").click()
    assert driver.find_element(By.ID, "direction-out").is_selected()
    assert_scan_input_focused(driver, "clicking the direction switch")
    scan(driver, BHYT, Keys.TAB)
    wait_for_result(driver, "the Tab-ended BHYT scan", "unknown", name="Nguyễn Văn ***", meta="Thẻ BHYT")
    assert "Ra" in result_state(driver)["meta"], f"the BHYT scan went out: {result_state(driver)}"
    assert_scan_input_focused(driver, "a Tab-ended scan (Tab must not move the focus)")
    assert driver.find_element(By.ID, "direction-in").is_selected(), "after an exit scan the station returns to 'Vào'"
    wait_until_cleared(driver, "the BHYT result")
    driver.find_element(By.CSS_SELECTOR, "label:has(#direction-in)").click()
    assert_scan_input_focused(driver, "clicking the direction switch back")

    # 5. Garbage: a neutral "scan again" (never the red of "do not enter") with the reason, and a sound of its own.
    tones(driver)
    scan(driver, GARBAGE)
    refused = wait_for_result(driver, "an unreadable code", "retry", title="Không đọc được mã", code="unrecognized_payload")
    assert refused["reason"], f"a refusal must say why: {refused}"
    driver.save_screenshot(str(output_dir / f"station-refused{suffix}.png"))
    assert refused["sound"] != first["sound"], "a refusal must sound different from a recorded scan"
    refused_tones = tones(driver)
    assert refused_tones and refused_tones != ok_tones, \
        f"the refusal's tones {refused_tones} must differ from the recorded scan's {ok_tones}"
    assert_scan_input_focused(driver, "the refusal")
    # A refusal stays up longer (the guard reads the reason); a click dismisses it.
    driver.find_element(By.ID, "result").click()
    assert result_state(driver)["hidden"], "a click on the result dismisses it"
    assert_scan_input_focused(driver, "a click on the result")

    # 6. A whole payload pasted is sent at once, no Enter needed.
    driver.execute_script("""
        const input = document.getElementById('scan-input');
        const data = new DataTransfer();
        data.setData('text/plain', arguments[0]);
        input.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    """, CCCD_PASTED)
    wait_for_result(driver, "the pasted CCCD", "unknown", name="Trần Thị ***", meta="Thẻ CCCD")
    assert_scan_input_focused(driver, "the pasted scan")

    # 7. No QR: the phone number typed into its own form.
    wait_until_cleared(driver, "the pasted result")
    phone_input = driver.find_element(By.ID, "phone-input")
    phone_input.click()
    assert active_id(driver) == "phone-input", "clicking the phone field must not be undone by the refocusing"
    phone_input.send_keys(PHONE_TYPED + Keys.ENTER)
    wait_for_result(driver, "the phone number", "unknown", meta="Số điện thoại")
    wait(driver).until(lambda d: phone_input.get_attribute("value") == "", "an accepted phone number clears the field")
    assert_scan_input_focused(driver, "the phone-number result")

    # 8. Clicking the page background gives the focus back to the scanner.
    wait_until_cleared(driver, "the phone-number result")
    driver.find_element(By.ID, "station-place").click()
    assert_scan_input_focused(driver, "a click on the page")

    # 9. The recent list: this session's scans, newest first.
    wait(driver).until(lambda d: all(item["outcome"] != "pending" for item in recent(d)))
    items = recent(driver)
    assert [(i["outcome"], i["direction"]) for i in items] == \
        [("unknown", "Vào"), ("unknown", "Vào"), ("retry", "Vào"), ("unknown", "Ra"), ("unknown", "Vào")], f"recent scans: {items}"
    assert [i["name"] for i in items[1:]] == ["Trần Thị ***", "Không đọc được mã — quét lại", "Nguyễn Văn ***", "Nguyễn Văn ***"], items
    assert "Số điện thoại" in items[0]["detail"] and "Thẻ BHYT" in items[3]["detail"], items
    assert items[2]["code"] == "unrecognized_payload" and items[2]["detail"], items
    driver.save_screenshot(str(output_dir / f"station{suffix}.png"))
    recorded_ids = [i["checkInId"] for i in items if i["outcome"] != "retry"]
    assert all(recorded_ids) and len(set(recorded_ids)) == 4, f"each recorded scan carries its check-in id: {items}"

    # 10. The server has exactly these check-ins, in these directions and kinds, and the refused scan.
    if ravao.engine == "sqlite":
        with database(ravao) as db:
            rows = dict((r[0], (r[1], r[2])) for r in db.execute(
                "SELECT id, kind, direction FROM checkins WHERE place_id = ?", (place_id,)))
            rejected = [r[0] for r in db.execute("SELECT payload FROM rejected_scans WHERE place_id = ?", (place_id,))]
        expected = dict(zip(recorded_ids, [("phone", "in"), ("cccd", "in"), ("bhyt", "out"), ("cccd", "in")]))
        assert rows == expected, f"the database should hold exactly the four recorded scans {expected}, it holds {rows}"
        assert rejected == [GARBAGE], f"the unreadable scan is kept in rejected_scans: {rejected}"

    # 11. The network drops: the station keeps the scan on this device (pending count) and uploads it
    #     once the network is back, as the kiosk does — not "scan again".
    driver.set_network_conditions(offline=True, latency=0, download_throughput=-1, upload_throughput=-1)
    try:
        scan(driver, CCCD)
        wait_for_result(driver, "a scan with the network down", "queued", title="Đã lưu")
        assert_scan_input_focused(driver, "the saved scan")
        assert driver.find_element(By.ID, "queue-count").text == "1", "one scan is pending"
    finally:
        driver.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    assert recent(driver)[0]["outcome"] == "queued"
    wait(driver, 20).until(lambda d: d.find_element(By.ID, "queue-count").text == "0", "the saved scan uploads when the network is back")
    wait(driver).until(lambda d: recent(d)[0]["outcome"] == "unknown", "its line shows the server's answer once uploaded")
    if ravao.engine == "sqlite":
        with database(ravao) as db:
            assert db.execute("SELECT COUNT(*) FROM checkins WHERE place_id = ?", (place_id,)).fetchone()[0] == 5

    # 12. English on request, same station.
    driver.get(ravao.url(station_path + "?lang=en"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "No QR — by phone number" in page_text(driver)
    assert_scan_input_focused(driver, "opening the English station")
    scan(driver, CCCD)
    wait_for_result(driver, "an English scan", "unknown", title="No health declaration", meta="Citizen ID card", health="No current health declaration")
    # The next person does not wait for the green screen to fade: their scan replaces it at once.
    assert not result_state(driver)["hidden"]
    typed = time.monotonic()
    scan(driver, GARBAGE)
    wait_for_result(driver, "a scan while the last result still shows", "retry", title="Code not recognised")
    assert time.monotonic() - typed < 1.2, "the new result must replace the old one at once, not after it fades"

    errors = driver.execute_script("return window.__errors")
    assert not errors, f"the station page raised errors: {errors}"
