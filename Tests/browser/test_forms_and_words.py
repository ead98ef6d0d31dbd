"""Forms, data tables, words and exports as people use them (issue 18, items 4 and 5), in Chromium.

- A citizen on a 360 px phone: the district select of the 2025 list stays hidden, each checkbox sits
  right beside its words, a refused declaration comes back with the ticked answers, and a
  self-declared dose is deleted from the page while the health officer's stays without a button.
- An owner reads the scans: kinds named in Vietnamese, count tiles that follow the name search, a
  table that sorts by a header and turns into cards on a phone; the XLSX opened with openpyxl has
  real date cells in Vietnam time, a filter row, column widths and who scanned (guard or kiosk).
- An officer's dashboard hides the all-zero wards, names its chart's second scale and, at a ward,
  lists the ward's places under a breadcrumb back up.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser/test_forms_and_words.py
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from urllib.parse import urlparse

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import RavaoServer, page_replaced
from test_every_page import Actor, emulate, sign_in

DA_NANG = "48"


def wait(driver: WebDriver, timeout: float = 15) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def submit(driver: WebDriver, element) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait(driver).until(page_replaced(old))


def rect(driver: WebDriver, element) -> dict:
    return driver.execute_script("const r = arguments[0].getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width};", element)


def no_horizontal_scroll(driver: WebDriver) -> bool:
    return driver.execute_script("return document.scrollingElement.scrollWidth <= innerWidth")


def test_a_citizen_declares_and_deletes_on_a_phone(ravao: RavaoServer, driver: WebDriver, output_dir):
    citizen = Actor(ravao, "0977200001")
    ward = citizen.call("GET", "/api/v1/units", params={"parent": DA_NANG}).json()[0]["code"]
    me = citizen.call("PUT", "/api/v1/me", json={"name": "Đỗ Thị Hạnh", "birthDate": "1988-03-14", "gender": "female", "wardCode": ward}).json()
    officer_phone = "0977200009"
    ravao.console("officer", "add", "--phone", officer_phone, "--unit", "VN", "--functions", "health")
    officer = Actor(ravao, officer_phone)
    officer.call("POST", f"/api/v1/people/{me['id']}/vaccinations", json={"vaccine": "AstraZeneca", "date": "2021-07-01"})

    emulate(driver, "360")
    sign_in(driver, ravao, citizen.token)
    driver.get(ravao.url("/me/declare"))
    district = driver.find_element(By.CSS_SELECTOR, "label.district-level")
    assert not district.is_displayed(), "the 2025 list has no districts: the hidden district select must not show"
    box = driver.find_element(By.ID, "symptom-cough")
    words = driver.find_element(By.CSS_SELECTOR, "label[for='symptom-cough'], label:has(#symptom-cough)")
    b, w = rect(driver, box), rect(driver, words)
    assert b["width"] < 40 and b["left"] - w["left"] < 24, f"the checkbox must sit at the start of its label, not stretched: {b} in {w}"
    assert w["bottom"] - w["top"] >= 43.5, "the label is the tap target and at least 44 px high"
    assert no_horizontal_scroll(driver)

    # A refused declaration (no answer about contact; the browser's own check is lifted to reach the
    # server's) comes back with the ticked symptoms.
    box.click()
    driver.find_element(By.ID, "symptom-fever").click()
    driver.execute_script("document.querySelectorAll('[required]').forEach(e => e.required = false)")
    submit(driver, driver.find_element(By.ID, "send-declaration"))
    assert driver.find_element(By.CSS_SELECTOR, "p.error[role=alert]").is_displayed()
    assert driver.find_element(By.ID, "symptom-cough").is_selected() and driver.find_element(By.ID, "symptom-fever").is_selected()
    assert not driver.find_element(By.ID, "symptom-breath").is_selected()

    # Doses: the citizen adds one, sees a delete button on it only, and deletes it.
    driver.get(ravao.url("/me/health"))
    driver.find_element(By.CSS_SELECTOR, "#dose-form input[name=vaccine]").send_keys("Pfizer-BioNTech")
    driver.execute_script("document.querySelector('#dose-form input[name=date]').value = '2021-10-01'")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#dose-form button"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#doses tbody tr")
    assert len(rows) == 2, [r.text for r in rows]
    own = next(r for r in rows if "Pfizer" in r.text)
    official = next(r for r in rows if "AstraZeneca" in r.text)
    assert "01/10/2021" in own.text and "01/07/2021" in official.text, "dates as dd/mm/yyyy"
    assert not official.find_elements(By.CSS_SELECTOR, "form.delete-record"), "a health officer's dose has no delete button"
    driver.save_screenshot(str(output_dir / "forms-health-360.png"))
    button = own.find_element(By.CSS_SELECTOR, "form.delete-record button")
    assert rect(driver, button)["bottom"] - rect(driver, button)["top"] >= 43.5
    old = driver.find_element(By.TAG_NAME, "html")
    button.click()
    wait(driver).until(EC.alert_is_present()).accept()
    wait(driver).until(page_replaced(old))
    rows = driver.find_elements(By.CSS_SELECTOR, "#doses tbody tr")
    assert [r.text for r in rows if "Pfizer" in r.text] == [] and any("AstraZeneca" in r.text for r in rows)
    assert no_horizontal_scroll(driver)


def test_an_owner_reads_scans_and_the_excel_export(ravao: RavaoServer, driver: WebDriver, output_dir):
    owner = Actor(ravao, "0977300001")
    guard = Actor(ravao, "0977300002")
    ward = owner.call("GET", "/api/v1/units", params={"parent": DA_NANG}).json()[0]["code"]
    place = owner.call("POST", "/api/v1/places", json={"name": "Bệnh viện Đa khoa Liên Chiểu — cổng chính số 1", "type": "office",
                                                        "wardCode": ward, "registrantName": "Lý Thị Thu"}).json()
    before = len(ravao.messages())
    share = owner.call("POST", f"/api/v1/places/{place['id']}/shares", json={"phones": guard.phone, "role": "controller"}).json()
    guard.call("POST", f"/api/v1/shares/{share['shares'][0]['id']}/confirm", json={"code": ravao.wait_for_code(guard.e164, after=before)})
    kiosk = owner.call("POST", f"/api/v1/places/{place['id']}/devices", json={"name": "Máy quét cổng sau"}).json()
    card = "0790850{:05d}|123456789|{}|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"
    people = ["Nguyễn Văn Trường Giang", "Trần Thị Bích Ngọc", "Phạm Minh Khôi"]
    for n, name in enumerate(people):
        guard.call("POST", "/api/v1/scans", json={"placeId": place["id"], "payload": card.format(n, name), "clientId": str(uuid.uuid4())})
    kiosk_api = ravao.session()
    kiosk_api.headers["Authorization"] = f"Bearer {kiosk['key']}"
    answer = kiosk_api.post(ravao.url("/api/v1/scans"), json={"placeId": place["id"], "payload": "0912345671", "direction": "out",
                                                             "clientId": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text

    sign_in(driver, ravao, owner.token)
    emulate(driver, "1366")
    driver.get(ravao.url(f"/places/{place['id']}/scans"))
    kinds = {c.text for c in driver.find_elements(By.CSS_SELECTOR, "tr.scan-row td[data-kind]")}
    assert kinds == {"thẻ CCCD", "số điện thoại"}, kinds
    options = [o.text for o in Select(driver.find_element(By.ID, "filter-kind")).options]
    assert "thẻ BHYT" in options and "bhyt" not in options, options
    assert driver.find_element(By.ID, "count-scans").text == "4"

    # The name search narrows the tiles as well as the rows.
    driver.find_element(By.ID, "filter-q").send_keys("Trần")
    submit(driver, driver.find_element(By.ID, "filter-submit"))
    assert len(driver.find_elements(By.CSS_SELECTOR, "tr.scan-row")) == 1
    assert driver.find_element(By.ID, "count-scans").text == "1" and driver.find_element(By.ID, "count-people").text == "1"

    # Sorting by a header, then the same table as cards on a phone.
    driver.get(ravao.url(f"/places/{place['id']}/scans"))
    header = driver.find_element(By.CSS_SELECTOR, "#scans th:nth-child(3) button.sort")
    header.click()
    names = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "td.scan-name")]
    assert names == sorted(names, key=str.lower), names
    assert driver.find_element(By.CSS_SELECTOR, "#scans th:nth-child(3)").get_attribute("aria-sort") == "ascending"
    header.click()
    assert [c.text for c in driver.find_elements(By.CSS_SELECTOR, "td.scan-name")] == list(reversed(names))
    emulate(driver, "360")
    driver.get(ravao.url(f"/places/{place['id']}/scans"))
    assert no_horizontal_scroll(driver)
    first = driver.find_element(By.CSS_SELECTOR, "tr.scan-row td.scan-name")
    assert first.get_attribute("data-label") == "Họ tên"
    assert driver.execute_script("return getComputedStyle(arguments[0], '::before').content", first) == '"Họ tên"'
    assert driver.execute_script("return getComputedStyle(arguments[0]).display", driver.find_element(By.CSS_SELECTOR, "tr.scan-row")) == "block"
    driver.save_screenshot(str(output_dir / "scans-cards-360.png"))

    # The XLSX, opened by a real reader.
    href = driver.find_element(By.ID, "download-xlsx").get_attribute("href")
    workbook = owner.api.get(href)
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Thời gian (UTC+7)", "Thời gian (ISO 8601)", "Địa điểm", "Họ tên", "Số điện thoại", "Chiều", "Loại mã", "Người quét"]
    assert len(rows) == 5
    assert sheet.auto_filter.ref == "A1:H5"
    assert sheet.column_dimensions["C"].width >= 20 and sheet.column_dimensions["A"].width >= 15
    for row in rows[1:]:
        assert isinstance(row[0], dt.datetime), f"the time is a date cell, not text: {row[0]!r}"
        utc = dt.datetime.fromisoformat(row[1].replace("Z", "+00:00"))
        assert abs((row[0] - utc.replace(tzinfo=None)) - dt.timedelta(hours=7)) < dt.timedelta(seconds=1), (row[0], row[1])
    assert sheet["A2"].number_format == "dd/mm/yyyy hh:mm"
    by = {r[3]: r[7] for r in rows[1:]}
    assert {r[6] for r in rows[1:]} == {"thẻ CCCD", "số điện thoại"}
    assert by["Nguyễn Văn Trường ***"] == guard.phone, by
    assert "Kiosk: Máy quét cổng sau" in by.values(), by

    # The CSV says the same in text.
    exported = owner.api.get(href.replace("scans.xlsx", "scans.csv"))
    text = exported.content.decode("utf-8-sig")
    assert "Người quét" in text.splitlines()[0] and "Kiosk: Máy quét cổng sau" in text and "thẻ CCCD" in text


def test_an_officer_dashboard_hides_empty_wards_and_drills_to_places(ravao: RavaoServer, driver: WebDriver, output_dir):
    owner = Actor(ravao, "0977400001")
    wards = owner.call("GET", "/api/v1/units", params={"parent": DA_NANG}).json()
    ward = wards[0]
    place = owner.call("POST", "/api/v1/places", json={"name": "Chợ Hòa Khánh", "type": "market", "wardCode": ward["code"],
                                                        "registrantName": "Lê Văn Tám"}).json()
    owner.call("POST", "/api/v1/scans", json={"placeId": place["id"], "payload": "0912345672", "clientId": str(uuid.uuid4())})
    officer_phone = "0977400009"
    ravao.console("officer", "add", "--phone", officer_phone, "--unit", DA_NANG, "--functions", "statistics")
    officer = Actor(ravao, officer_phone)

    sign_in(driver, ravao, officer.token)
    emulate(driver, "1366")
    driver.get(ravao.url("/authorities"))
    rows = driver.find_elements(By.CSS_SELECTOR, "#children tbody tr")
    assert len(rows) == len(wards) > 10
    hide = driver.find_element(By.CSS_SELECTOR, "input.hide-empty")
    assert hide.is_selected()
    shown = [r for r in rows if r.is_displayed()]
    assert [r.find_element(By.TAG_NAME, "td").text for r in shown] == [ward["name"]], "only the ward with a place stays"
    driver.find_element(By.CSS_SELECTOR, "label:has(input.hide-empty)").click()
    assert all(r.is_displayed() for r in rows)
    chart = driver.find_element(By.ID, "daily-chart")
    assert chart.find_elements(By.CSS_SELECTOR, ".right-scale"), "the line's scale is drawn"
    assert "thang bên phải" in driver.find_element(By.TAG_NAME, "main").text

    # Drill down to the ward: its places, and a breadcrumb back to the province.
    link = driver.find_element(By.LINK_TEXT, ward["name"])
    submit(driver, link)
    places = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#unit-places tbody td:first-child")]
    assert "Chợ Hòa Khánh" in places, places
    crumbs = driver.find_elements(By.CSS_SELECTOR, "#breadcrumbs li")
    assert len(crumbs) == 2 and crumbs[-1].text == ward["name"]
    emulate(driver, "360")
    driver.refresh()
    assert no_horizontal_scroll(driver)
    driver.save_screenshot(str(output_dir / "dashboard-ward-360.png"))
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#breadcrumbs li:first-child a"))
    assert urlparse(driver.current_url).query.startswith("unit=48")
