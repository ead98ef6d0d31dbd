"""Issue 18 through the pages, in Chromium: each role lands on its work with a menu of its own
(item 1); officers pick places by name and units by name (item 2); tracing names the case, groups
contacts by person, reviews before marking and marks F0 (item 3); HR merges or replaces a roster
seeing who would go, and an invitee retries a wrong code (item 6).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import RavaoServer
from test_foundation import csrf_token, submit_and_wait, text, wait, wait_for_path


def e164(national: str) -> str:
    return "+84" + national[1:]


def sign_in(driver: WebDriver, ravao: RavaoServer, phone: str) -> str:
    """Signs in through the forms without asking for a page; returns the path the person lands on."""
    driver.delete_all_cookies()
    driver.get(ravao.url("/signin"))
    before = len(ravao.messages())
    wait(driver).until(EC.visibility_of_element_located((By.ID, "phone"))).send_keys(phone)
    submit_and_wait(driver, "#send-code")
    code = ravao.wait_for_code(e164(phone), after=before)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "code"))).send_keys(code)
    submit_and_wait(driver, "#verify")
    wait(driver).until(lambda d: urlparse(d.current_url).path != "/signin/verify")
    return urlparse(driver.current_url).path


def menu(driver: WebDriver) -> set[str]:
    return {a.get_attribute("id") for a in driver.find_elements(By.CSS_SELECTOR, ".topbar nav a[id^='nav-']") if a.get_attribute("id") != "nav-new-place"}


def browser_api(driver: WebDriver, ravao: RavaoServer) -> requests.Session:
    api = ravao.session()
    for cookie in driver.get_cookies():
        api.cookies.set(cookie["name"], cookie["value"])
    api.headers["X-CSRF-Token"] = csrf_token(driver)
    return api


def api_sign_in(ravao: RavaoServer, phone: str) -> requests.Session:
    """An API client with a bearer token, for setting up a world without a browser."""
    api = ravao.session()
    before = len(ravao.messages())
    assert api.post(ravao.url("/api/v1/auth/otp"), json={"phone": phone}).status_code == 202
    code = ravao.wait_for_code(e164(phone), after=before)
    token = api.post(ravao.url("/api/v1/auth/verify"), json={"phone": phone, "code": code}).json()["token"]
    api.headers["Authorization"] = f"Bearer {token}"
    return api


def make_place(api: requests.Session, ravao: RavaoServer, name: str, ward: str, kind: str = "restaurant") -> dict:
    made = api.post(ravao.url("/api/v1/places"), json={"name": name, "type": kind, "wardCode": ward, "address": "8 Trần Phú",
                                                       "registrantName": "Trần Thị Ba"})
    assert made.status_code == 201, made.text
    return made.json()


def cccd(n: int, name: str) -> str:
    return f"0790851{n:05d}|123456789|{name}|15081985|Nam|Số 12 Lê Lợi, Đà Nẵng|10052021"


def scan(api: requests.Session, ravao: RavaoServer, place: str, payload: str, direction: str, hours_ago: float) -> None:
    at = (datetime.now(timezone.utc) - timedelta(hours=hours_ago)).isoformat(timespec="seconds")
    done = api.post(ravao.url("/api/v1/scans"), json={"placeId": place, "payload": payload, "direction": direction,
                                                       "clientId": str(uuid.uuid4()), "scannedAt": at})
    assert done.status_code == 201, done.text


def wards(ravao: RavaoServer, province: str) -> list[str]:
    return [u["code"] for u in requests.get(ravao.url(f"/api/v1/units?parent={province}"), timeout=30).json()]


def roster_count_is(driver: WebDriver, n: str) -> None:
    """The roster page reloads itself after an import; the count is read from whichever page is there."""
    WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.ID, "roster-count").text == n)


def test_each_role_lands_on_its_work_with_its_own_menu(ravao: RavaoServer, driver: WebDriver):
    # A citizen: their own page, no owner pages in the menu (only the way to register a place).
    assert sign_in(driver, ravao, "0955100001") == "/me"
    assert menu(driver) == {"nav-me"}, menu(driver)
    assert driver.find_element(By.ID, "nav-new-place").is_displayed()

    # The same person registers a place: from then on "/" is their places, with the station one tap away.
    api = browser_api(driver, ravao)
    place = make_place(api, ravao, "Quán Bún Bò Mụ Rớt", wards(ravao, "48")[0])
    driver.get(ravao.url("/"))
    wait_for_path(driver, "/places", "an owner's landing")
    assert {"nav-places", "nav-station", "nav-me"} <= menu(driver), menu(driver)
    assert driver.find_element(By.ID, "nav-station").get_attribute("href").endswith(f"/places/{place['id']}/station")

    # A guard given the place as entry controller lands on its station.
    before = len(ravao.messages())
    shared = api.post(ravao.url(f"/api/v1/places/{place['id']}/shares"), json={"phones": "0977100001", "role": "controller"})
    assert shared.status_code == 201, shared.text
    code = ravao.wait_for_code(e164("0977100001"), after=before)
    assert api.post(ravao.url(f"/api/v1/shares/{shared.json()['shares'][0]['id']}/confirm"), json={"code": code}).status_code == 200
    assert sign_in(driver, ravao, "0977100001") == f"/places/{place['id']}/station"

    # An officer lands on the dashboard and has the authorities in the menu.
    ravao.console("officer", "add", "--phone", "0933100001", "--unit", "48", "--functions", "statistics,health,zones")
    assert sign_in(driver, ravao, "0933100001") == "/authorities"
    assert "nav-authorities" in menu(driver) and "nav-places" not in menu(driver), menu(driver)
    assert text(driver, "main h1").startswith("Thống kê")


def test_officer_picks_places_by_name_and_units_by_name(ravao: RavaoServer, driver: WebDriver):
    owner = api_sign_in(ravao, "0911100002")
    danang = wards(ravao, "48")
    near = make_place(owner, ravao, "Nhà hàng Sen Vàng", danang[0])
    make_place(owner, ravao, "Nhà hàng Sen Hồng", danang[1])
    far = make_place(owner, ravao, "Nhà hàng Sen Xa", wards(ravao, "01")[0])
    scan(owner, ravao, near["id"], cccd(1, "Lê Văn Khách"), "in", 2)
    ravao.console("officer", "add", "--phone", "0933100002", "--unit", "48", "--functions", "health,zones")
    sign_in(driver, ravao, "0933100002")

    # The place alert: type part of the name, pick from what the server finds in the jurisdiction.
    driver.get(ravao.url("/authorities/alert"))
    driver.find_element(By.ID, "place-search").send_keys("sen")
    wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#place-results .place-result")) == 2)
    names = [b.find_element(By.TAG_NAME, "strong").text for b in driver.find_elements(By.CSS_SELECTOR, "#place-results .place-result")]
    assert sorted(names) == ["Nhà hàng Sen Hồng", "Nhà hàng Sen Vàng"], names
    next(b for b in driver.find_elements(By.CSS_SELECTOR, "#place-results .place-result") if "Vàng" in b.text).click()
    assert driver.find_element(By.ID, "place-id").get_attribute("value") == near["id"]
    driver.find_element(By.CSS_SELECTOR, "#alert-form input[name='notify']").click()  # no texts in this test
    submit_and_wait(driver, "#alert-submit")
    assert "Nhà hàng Sen Vàng" in text(driver, "main h2") and text(driver, "#alert-count") == "1"

    # A pasted poster link of a place in another province finds nothing.
    driver.get(ravao.url("/authorities/alert"))
    driver.find_element(By.ID, "place-search").send_keys(far["checkinUrl"])
    wait(driver).until(lambda d: "Không tìm thấy" in d.find_element(By.ID, "place-results").text)
    submit_and_wait(driver, "#alert-submit")
    assert driver.find_elements(By.ID, "alert-error") and not driver.find_elements(By.ID, "alert-count")

    # Zones: province, then ward, by name.
    driver.get(ravao.url("/authorities/zones"))
    Select(driver.find_element(By.ID, "zone-province")).select_by_value("48")
    wait(driver).until(lambda d: len(Select(d.find_element(By.ID, "zone-ward")).options) > 1)
    ward = Select(driver.find_element(By.ID, "zone-ward"))
    ward.select_by_value(danang[1])
    ward_name = ward.first_selected_option.text
    submit_and_wait(driver, "#zone-form button[type='submit']")
    assert ward_name in text(driver, "#zones") and danang[1] in text(driver, "#zones")

    # The risk list filters by a unit picked the same way.
    driver.get(ravao.url("/authorities/risk"))
    assert driver.find_element(By.ID, "risk-province").tag_name == "select"
    assert not driver.find_elements(By.CSS_SELECTOR, "input[name='unit']")


def test_tracing_names_the_case_groups_contacts_reviews_then_marks(ravao: RavaoServer, driver: WebDriver):
    owner = api_sign_in(ravao, "0911100003")
    danang = wards(ravao, "48")
    market = make_place(owner, ravao, "Chợ Cồn", danang[2], "market")
    cafe = make_place(owner, ravao, "Cà phê Góc", danang[3])
    case, neighbour, friend = cccd(11, "Nguyễn Ca Bệnh"), cccd(12, "Trần Hàng Xóm"), cccd(13, "Lê Bạn Bè")
    scan(owner, ravao, market["id"], case, "in", 6)
    scan(owner, ravao, market["id"], neighbour, "in", 5.9)
    scan(owner, ravao, cafe["id"], case, "in", 4)
    scan(owner, ravao, cafe["id"], neighbour, "in", 3.9)
    scan(owner, ravao, cafe["id"], friend, "in", 3.8)
    ravao.console("officer", "add", "--phone", "0933100003", "--unit", "48", "--functions", "health")
    assert sign_in(driver, ravao, "0933100003") == "/authorities/tracing"

    driver.find_element(By.CSS_SELECTOR, "#trace-form input[name='cccd']").send_keys("079085100011")
    submit_and_wait(driver, "#trace-form button[type='submit']")
    assert text(driver, "#case-name") == "Nguyễn Ca Bệnh" and text(driver, "#case-cccd") == "079085100011"
    people = driver.find_elements(By.CSS_SELECTOR, "#contacts .contact-person")
    visits = {p.find_element(By.CSS_SELECTOR, ".contact-name").text: int(p.get_attribute("data-visits")) for p in people}
    assert visits == {"Trần Hàng Xóm": 2, "Lê Bạn Bè": 1}, visits
    assert "CCCD 079085100012" in text(driver, "#contacts"), "a contact known only by card shows its number"

    # The CSV has the same grouping: one row per person.
    api = browser_api(driver, ravao)
    rows = list(csv.reader(io.StringIO(api.get(driver.find_element(By.ID, "trace-export").get_attribute("href")).content.decode("utf-8-sig"))))
    assert [r[2] for r in rows if r and r[0] == "F1"] == ["Lê Bạn Bè", "Trần Hàng Xóm"], rows

    # First click: a review; nothing is marked or sent.
    sent = len(ravao.messages())
    submit_and_wait(driver, "#mark-review")
    review = {r.get_attribute("data-mark") + " " + r.find_elements(By.TAG_NAME, "td")[1].text for r in driver.find_elements(By.CSS_SELECTOR, "#review .review-row")}
    assert review == {"F1 Trần Hàng Xóm", "F1 Lê Bạn Bè"}, review
    assert "2 người sẽ được đánh dấu" in text(driver, "#review-summary")
    assert len(ravao.messages()) == sent, "nothing is sent before the officer confirms"
    submit_and_wait(driver, "#mark-confirm")
    assert "Đã đánh dấu 2 người" in text(driver, "#mark-done")
    assert len(ravao.messages()) > sent, "the owner is told once confirmed"

    # The case itself becomes F0 from the page (after the browser's own confirmation).
    driver.find_element(By.CSS_SELECTOR, "#mark-done + p a").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "mark-f0"))).click()
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "case-marked")))


def test_hr_merges_then_replaces_seeing_who_goes_and_an_invitee_retries_a_code(ravao: RavaoServer, driver: WebDriver, tmp_path):
    hr = "0988100004"
    assert sign_in(driver, ravao, hr) == "/me"
    api = browser_api(driver, ravao)
    org = api.post(ravao.url("/api/v1/orgs"), json={"name": "Công ty Dệt Hòa Khánh"}).json()["id"]
    driver.get(ravao.url("/"))
    wait_for_path(driver, f"/orgs/{org}", "HR of one company lands on it")

    def upload(content: str, mode: str) -> None:
        path = tmp_path / f"roster-{mode}-{uuid.uuid4().hex[:6]}.csv"
        path.write_text(content, encoding="utf-8")
        driver.get(ravao.url(f"/orgs/{org}/roster"))
        assert Select(driver.find_element(By.ID, "roster-mode")).first_selected_option.get_attribute("value") == "merge"
        Select(driver.find_element(By.ID, "roster-mode")).select_by_value(mode)
        driver.find_element(By.ID, "roster-file").send_keys(str(path))
        driver.find_element(By.ID, "roster-preview").click()
        wait(driver).until(EC.visibility_of_element_located((By.ID, "roster-plan")))

    upload("Mã NV,Họ tên,SĐT\nA1,Phan Thị Một,0912100001\nA2,Hồ Văn Hai,0912100002\nA3,Đặng Thị Ba,0912100003\n", "merge")
    driver.find_element(By.ID, "roster-confirm").click()
    roster_count_is(driver, "3")
    # Merging a file with one changed row and one new row keeps everybody.
    upload("Mã NV,Họ tên,SĐT\nA2,Hồ Văn Hai,0912100022\nA4,Vương Văn Bốn,0912100004\n", "merge")
    assert "1 thêm mới, 1 cập nhật" in text(driver, "#roster-plan")
    driver.find_element(By.ID, "roster-confirm").click()
    roster_count_is(driver, "4")
    assert "0912100022" in text(driver, "#roster-table"), "HR sees the numbers it uploaded"
    # Replace: the people who would go are listed before anything happens.
    upload("Mã NV,Họ tên,SĐT\nA1,Phan Thị Một,0912100001\n", "replace")
    removed = text(driver, "#roster-removed-table")
    assert all(n in removed for n in ("Hồ Văn Hai", "Đặng Thị Ba", "Vương Văn Bốn")) and "Phan Thị Một" not in removed, removed
    assert "3" in driver.find_element(By.ID, "roster-confirm").text
    assert text(driver, "#roster-count") == "4", "the preview removed nobody"
    driver.find_element(By.ID, "roster-confirm").click()
    roster_count_is(driver, "1")

    # A place owner invites a manager. The only owner is not offered "leave".
    assert sign_in(driver, ravao, "0911100004") == "/me"
    owner = browser_api(driver, ravao)
    place = make_place(owner, ravao, "Xưởng Dệt Số 2", wards(ravao, "48")[0], "factory")
    driver.get(ravao.url(f"/places/{place['id']}"))
    assert driver.find_element(By.ID, "only-owner").is_displayed()
    mine = [li for li in driver.find_elements(By.CSS_SELECTOR, "#members .member") if "0911100004" in li.text]
    assert mine and not mine[0].find_elements(By.CSS_SELECTOR, "form.member-remove"), "no leave button for the only owner"
    before = len(ravao.messages())
    assert owner.post(ravao.url(f"/api/v1/places/{place['id']}/shares"), json={"phones": "0977100004", "role": "manager"}).status_code == 201
    code = ravao.wait_for_code(e164("0977100004"), after=before)

    # The invitee's next sign-in opens the invitation; a wrong code can be typed again.
    assert sign_in(driver, ravao, "0977100004") == "/shares"
    assert "Xưởng Dệt Số 2" in text(driver, "#invitations")
    wrong = "000000" if code != "000000" else "111111"
    driver.find_element(By.ID, "invitation-code").send_keys(wrong)
    submit_and_wait(driver, "#invitation-accept")
    assert driver.find_element(By.ID, "invitation-error").is_displayed()
    driver.find_element(By.ID, "invitation-code").send_keys(code)
    submit_and_wait(driver, "#invitation-accept")
    wait_for_path(driver, f"/places/{place['id']}", "accepting the invitation")
