"""Citizens and health status (H1–H6) in a real browser.

A citizen signs in on the phone, fills in the profile and declares a cough; the home page turns red and
keeps the personal QR for offline display (the test stops the server and reloads the page). The citizen
adds a grandmother without a phone and prints her QR card; the card's QR, decoded from a screenshot with
zbarimg, is a token. Then a guard at an office gate scans both at the station: the citizen's QR turns the
screen orange ("check further") with "Bất thường — ho", the grandmother's card is accepted and recorded under her own record.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser/test_citizen.py
"""

from __future__ import annotations

import shutil
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

import test_kiosk
from conftest import page_replaced
from test_kiosk import restartable as server  # noqa: F401 — the kiosk test's stop/start-able server fixture

CITIZEN_PHONE, CITIZEN_E164 = "0914 222 333", "+84914222333"
GUARD_PHONE, GUARD_E164 = "0915 444 555", "+84915444555"
DA_NANG = "48"


def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def text(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def submit(driver: WebDriver, button_id: str) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, button_id).click()
    wait(driver).until(page_replaced(old))


def sign_in(driver: WebDriver, runner: test_kiosk.RavaoServer, start: str, phone: str, e164: str) -> None:
    driver.get(runner.url(start))
    wait(driver).until(lambda d: urlparse(d.current_url).path == "/signin", f"{start} needs a session")
    before = len(runner.messages())
    wait(driver).until(EC.visibility_of_element_located((By.ID, "phone"))).send_keys(phone)
    submit(driver, "send-code")
    code = runner.wait_for_code(e164, after=before)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "code"))).send_keys(code)
    submit(driver, "verify")
    wait(driver).until(lambda d: urlparse(d.current_url).path == start, f"back on {start} after sign-in, not {driver.current_url}")


def fill_profile(driver: WebDriver, name: str, birth: str, gender: str) -> None:
    driver.find_element(By.ID, "name").clear()
    driver.find_element(By.ID, "name").send_keys(name)
    # A date input's typing order depends on the locale; the value is what the form sends.
    driver.execute_script("document.getElementById('birthDate').value = arguments[0];", birth)
    Select(driver.find_element(By.ID, "gender")).select_by_value(gender)


def decode_qr(png: Path) -> str:
    zbarimg = shutil.which("zbarimg")
    assert zbarimg, "zbarimg (zbar-tools) is needed to read the printed card"
    result = subprocess.run([zbarimg, "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"zbarimg could not read {png}: {result.stderr}"
    return result.stdout.strip()


def test_declared_cough_turns_the_gate_red_and_a_printed_card_is_accepted(server, driver: WebDriver, output_dir: Path):
    ravao = server.server

    # 1. The citizen signs in at /me, fills in the profile and sees a personal QR.
    sign_in(driver, ravao, "/me", CITIZEN_PHONE, CITIZEN_E164)
    qr = wait(driver).until(EC.visibility_of_element_located((By.ID, "personal-qr")))
    token = qr.get_attribute("data-token")
    assert token.startswith("RV1.") and qr.find_elements(By.TAG_NAME, "svg"), f"/me should show the personal QR, it shows {text(driver)[:300]!r}"
    assert "Chưa khai báo y tế" in driver.find_element(By.ID, "status").text
    driver.get(ravao.url("/me/profile"))
    fill_profile(driver, "Nguyễn Văn An", "1985-08-15", "male")
    submit(driver, "save-profile")
    assert driver.find_element(By.ID, "person-name").text == "Nguyễn Văn An"

    # 2. A cough this morning.
    driver.find_element(By.ID, "declare-link").click()
    wait(driver).until(EC.element_to_be_clickable((By.ID, "symptom-cough"))).click()
    driver.find_element(By.ID, "contact-no").click()
    submit(driver, "send-declaration")
    status = driver.find_element(By.ID, "status")
    assert "abnormal" in status.get_attribute("class") and "Bất thường — ho" in status.text, f"home status after declaring: {status.text!r}"

    # 3. The QR stays available without a network: the service worker kept the page.
    def kept(d):
        return d.execute_async_script("const done = arguments[0]; caches.match('/me').then((r) => done(!!r)).catch(() => done(false));")
    wait(driver, 15).until(kept, "the service worker should keep /me for offline display")
    driver.get(ravao.url("/me"))  # refreshes the kept copy with the latest status
    wait(driver).until(lambda d: d.execute_script("return !!navigator.serviceWorker.controller"), "the page should be controlled by the worker")
    server.stop()
    driver.get(ravao.url("/me"))
    offline_qr = wait(driver).until(EC.presence_of_element_located((By.ID, "personal-qr")))
    assert offline_qr.get_attribute("data-token") == token, "offline, the same personal QR must show"
    driver.save_screenshot(str(output_dir / "citizen-offline-qr.png"))
    server.start()

    # 4. A grandmother without a phone: a dependent with a printed QR card.
    driver.get(ravao.url("/me/dependents"))
    driver.find_element(By.ID, "add-dependent").click()
    wait(driver).until(EC.presence_of_element_located((By.ID, "profile-form")))
    fill_profile(driver, "Phạm Thị Hoa", "1941-03-02", "female")
    submit(driver, "save-profile")
    dependent_path = urlparse(driver.current_url).path
    assert dependent_path.startswith("/me/dependents/") and driver.find_element(By.ID, "person-name").text == "Phạm Thị Hoa"
    driver.find_element(By.ID, "card-link").click()
    card = wait(driver).until(EC.visibility_of_element_located((By.ID, "qr-card")))
    assert "Phạm Thị Hoa" in card.text
    qr_box = card.find_element(By.CSS_SELECTOR, ".card-qr svg")
    # ≥ 5 × 5 cm on paper: CSS mm at 96 px per inch.
    mm = qr_box.size["width"] * 25.4 / 96
    assert mm >= 50, f"the printed QR must be at least 5 cm wide, it is {mm:.1f} mm"
    png = output_dir / "dependent-card.png"
    card.screenshot(str(png))
    card_token = decode_qr(png)
    assert card_token.startswith("RV1.") and card_token != token, f"the card's QR should hold the dependent's own token, not {card_token!r}"
    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69})
    (output_dir / "dependent-card.pdf").write_bytes(__import__("base64").b64decode(pdf["data"]))

    # 5. Signing out forgets the kept QR (shared phones).
    driver.get(ravao.url("/me"))
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, "form[action='/signout'] button").click()
    wait(driver).until(page_replaced(old))
    assert not driver.execute_async_script("const done = arguments[0]; caches.has('ravao-me-v2').then(done).catch(() => done(false));"), \
        "sign-out should delete the kept personal QR"

    # 6. The guard at the office gate signs in on the station page and registers the gate with that session.
    sign_in(driver, ravao, "/station", GUARD_PHONE, GUARD_E164)
    api = requests.Session()
    api.cookies.set("ravao_session", driver.get_cookie("ravao_session")["value"])
    csrf = driver.find_element(By.CSS_SELECTOR, "input[name=_csrf]").get_attribute("value")
    ward = api.get(ravao.url("/api/v1/units"), params={"parent": DA_NANG}).json()[0]["code"]
    place = api.post(ravao.url("/api/v1/places"), headers={"X-CSRF-Token": csrf},
                     json={"name": "Cổng văn phòng An Viên", "type": "office", "wardCode": ward, "registrantName": "Lê Văn Bảo"})
    assert place.status_code == 201, place.text
    place_id = place.json()["id"]
    driver.get(ravao.url(f"/places/{place_id}/station"))
    wait(driver).until(lambda d: d.execute_script("return document.activeElement && document.activeElement.id") == "scan-input")

    def scan_and_read(payload: str) -> dict:
        driver.switch_to.active_element.send_keys(payload + Keys.ENTER)
        return wait(driver).until(lambda d: d.execute_script("""
            const r = document.getElementById('result');
            if (r.hidden) return null;
            const t = (c) => r.querySelector('.result-' + c).textContent.trim();
            return {outcome: r.dataset.outcome, title: t('title'), name: t('name'), health: t('health')};"""))

    # A cough is an abnormal declaration: orange "check further" (red is kept for F0/F1/F2 and zone alerts).
    red = scan_and_read(token)
    assert red["outcome"] == "abnormal", f"a declared cough must turn the station to 'check further': {red}"
    assert "Bất thường — ho" in red["health"] and red["name"] == "Nguyễn Văn ***", red
    driver.save_screenshot(str(output_dir / "station-red.png"))
    # The result stays until the next scan or a few seconds; a tap dismisses it.
    driver.find_element(By.ID, "result").click()
    wait(driver).until(lambda d: d.execute_script("return document.getElementById('result').hidden"))

    accepted = scan_and_read(card_token)
    assert accepted["outcome"] == "unknown" and accepted["name"] == "Phạm Thị ***", f"the printed card must be accepted: {accepted}"
    assert "Chưa khai báo y tế" in accepted["health"], accepted

    with closing(sqlite3.connect(f"file:{server.database}?mode=ro", uri=True, timeout=10)) as db:
        rows = db.execute("SELECT p.full_name, p.guardian_id IS NOT NULL, c.kind FROM checkins c JOIN people p ON p.id = c.person_id "
                          "WHERE c.place_id = ? ORDER BY c.recorded_at", (place_id,)).fetchall()
    assert rows == [("Nguyễn Văn An", 0, "ravao"), ("Phạm Thị Hoa", 1, "ravao")], f"check-ins at the gate: {rows}"
