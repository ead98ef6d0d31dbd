"""The poster flow (C1) and the live view (C6) in Chromium.

A guest scans the poster, leaves a name and phone, gets a receipt and checks out; a signed-in citizen
checks in with one tap; the owner's place page shows both, and a scan made elsewhere appears on it
without a reload.
"""

from __future__ import annotations

import uuid

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC

from conftest import RavaoServer
from test_foundation import csrf_token, page_text, submit_and_wait, text, wait, wait_for_path

OWNER = "0912000333"
CITIZEN = "0977000444"


def browser_sign_in(driver: WebDriver, ravao: RavaoServer, phone: str, next_path: str) -> None:
    driver.get(ravao.url(f"/signin?next={next_path}"))
    before = len(ravao.messages())
    wait(driver).until(EC.visibility_of_element_located((By.ID, "phone"))).send_keys(phone)
    submit_and_wait(driver, "#send-code")
    code = ravao.wait_for_code("+84" + phone[1:], after=before)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "code"))).send_keys(code)
    submit_and_wait(driver, "#verify")
    wait_for_path(driver, next_path, "signing in with the SMS code")


def test_guest_and_citizen_check_in_at_the_poster_and_the_owner_sees_it_live(ravao: RavaoServer, driver: WebDriver):
    # The owner signs in on this browser; their page's session also drives the API (cookie + CSRF header).
    browser_sign_in(driver, ravao, OWNER, "/places")
    owner_cookie = next(c for c in driver.get_cookies() if c["name"] == "ravao_session")
    api = requests.Session()
    api.cookies.set("ravao_session", owner_cookie["value"])
    api.headers["X-CSRF-Token"] = csrf_token(driver)
    wards = api.get(ravao.url("/api/v1/units"), params={"parent": "48"}, timeout=30).json()
    place = api.post(ravao.url("/api/v1/places"), timeout=30, json={
        "name": "Cà phê Sông Hàn", "type": "restaurant", "wardCode": wards[0]["code"], "address": "5 Bạch Đằng",
        "registrantName": "Phạm Thu Hà", "defaultStayMinutes": 45}).json()
    assert "code" in place, place
    # Now the same browser is a customer's phone with no account.
    driver.delete_all_cookies()

    # 1. A guest: the phone camera opens the poster URL; no account, so name + phone.
    driver.get(place["checkinUrl"])
    assert text(driver, "#checkin-place") == "Cà phê Sông Hàn"
    driver.find_element(By.CSS_SELECTOR, "details.guest summary").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "guest-name"))).send_keys("Lê Thị Hoa")
    driver.find_element(By.ID, "guest-phone").send_keys("0905 123 456")
    submit_and_wait(driver, "#guest-submit")
    receipt = wait(driver).until(EC.visibility_of_element_located((By.ID, "receipt")))
    assert "Đã khai báo vào" in receipt.text and "Cà phê Sông Hàn" in receipt.text, receipt.text
    assert text(driver, "#receipt-name") == "Lê Thị ***", "a receipt shows the name masked"
    assert "lượt ở được tính đến" in receipt.text, "the receipt says when the stay ends without a check-out"
    # 2. Leaving: one tap on the receipt.
    submit_and_wait(driver, "#checkout")
    assert "Đã khai báo ra" in text(driver, "#receipt"), page_text(driver)[:400]
    assert not driver.find_elements(By.ID, "checkout"), "an exit receipt has no check-out button"

    # 3. A citizen signs in from the poster page and checks in with one tap.
    driver.get(place["checkinUrl"])
    driver.find_element(By.ID, "signin-to-checkin").click()
    browser_sign_in(driver, ravao, CITIZEN, "/c/" + place["code"])
    submit_and_wait(driver, "#checkin-in")
    assert "Đã khai báo vào" in text(driver, "#receipt"), page_text(driver)[:400]

    # 4. The owner's place page: today's counts and the latest scans, live.
    driver.delete_all_cookies()
    driver.add_cookie({"name": "ravao_session", "value": owner_cookie["value"], "path": "/"})
    driver.get(ravao.url("/places/" + place["id"]))
    wait(driver).until(lambda d: d.find_element(By.ID, "live-entries").text == "2",
                       "the live panel should count the guest's and the citizen's entries")
    assert text(driver, "#live-exits") == "1"
    assert text(driver, "#live-present") == "1", "the guest left; the citizen is still inside"
    names = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#live-recent li")]
    assert len(names) == 3 and any("Lê Thị ***" in n for n in names), names
    assert not any("Hoa" in n for n in names), "names are masked on the live view of an ordinary place"

    # 5. A guard scans a card at the gate: it appears without a reload.
    scan = api.post(ravao.url("/api/v1/scans"), timeout=30, json={
        "placeId": place["id"], "clientId": str(uuid.uuid4()),
        "payload": "079085001234|123456789|Trần Quốc Bảo|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"})
    assert scan.status_code == 201, scan.text
    wait(driver, 15).until(lambda d: "Trần Quốc ***" in d.find_element(By.ID, "live-recent").text,
                           "a new scan should appear on the live view without reloading")
    assert text(driver, "#live-entries") == "3"
