"""The share dialog, the place history and the scan history with exports, in headless Chromium.

An owner shares the place with two guards at once from the place page, types in the code one guard
reads out, revokes the other share in one click, reads the history filtered to revocations, filters
the scans to exits and downloads them; the XLSX is opened with openpyxl and the CSV checked for the
BOM, Vietnamese text and neutralised formulas.
"""

from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import urlparse, parse_qs

import openpyxl
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import RavaoServer, page_replaced

OWNER_PHONE = "0914 222 333"
OWNER_E164 = "+84914222333"
GUARD1_E164 = "+84987000001"
FORMULA_NAME = '=HYPERLINK("http://evil.example","x") Lê Văn'


def wait(driver: WebDriver, timeout: float = 15) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def cccd(n: int, name: str) -> str:
    return f"0790850{n:05d}|123456789|{name}|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"


def sign_in(driver: WebDriver, ravao: RavaoServer) -> None:
    driver.get(ravao.url("/signin?next=/places"))
    sent_before = len(ravao.messages())
    wait(driver).until(EC.visibility_of_element_located((By.ID, "phone"))).send_keys(OWNER_PHONE)
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "send-code").click()
    wait(driver).until(page_replaced(old))
    code = ravao.wait_for_code(OWNER_E164, after=sent_before)
    wait(driver).until(EC.visibility_of_element_located((By.ID, "code"))).send_keys(code)
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.ID, "verify").click()
    wait(driver).until(page_replaced(old))
    wait(driver).until(lambda d: urlparse(d.current_url).path == "/places")


def browser_api(driver: WebDriver, ravao: RavaoServer) -> requests.Session:
    """The browser's own session, for the API calls its scripts would make (cookie + X-CSRF-Token)."""
    api = ravao.session()
    for cookie in driver.get_cookies():
        api.cookies.set(cookie["name"], cookie["value"])
    token = re.search(r'name="_csrf" value="([^"]+)"', driver.page_source).group(1)
    api.headers["X-CSRF-Token"] = token
    return api


def submit(driver: WebDriver, element) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait(driver).until(page_replaced(old))


def share_rows(driver: WebDriver) -> dict[str, str]:
    return {row.get_attribute("data-phone"): row.get_attribute("data-status") for row in driver.find_elements(By.CSS_SELECTOR, "tr.share-row")}


def test_owner_shares_revokes_reads_history_and_exports(ravao: RavaoServer, driver: WebDriver):
    sign_in(driver, ravao)
    api = browser_api(driver, ravao)
    ward = api.get(ravao.url("/api/v1/units?parent=48")).json()[0]["code"]
    made = api.post(ravao.url("/api/v1/places"), json={"name": "Công ty TNHH An Viên", "type": "office", "wardCode": ward,
                                                      "address": "1 Hùng Vương", "registrantName": "Trần Thị Ba"})
    assert made.status_code == 201, made.text
    place = made.json()["id"]
    for n, (name, direction) in enumerate([("Nguyễn Văn An", "in"), ("Trần Thị Bích", "out"), (FORMULA_NAME, "out"), ("Phạm Văn Cường", "in")]):
        scanned = api.post(ravao.url("/api/v1/scans"), json={"placeId": place, "payload": cccd(n, name), "direction": direction,
                                                            "clientId": f"00000000-0000-4000-8000-{n:012d}"})
        assert scanned.status_code == 201, scanned.text

    # The share dialog: two guards at once, as entry controllers.
    driver.get(ravao.url(f"/places/{place}"))
    driver.find_element(By.ID, "share-open").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "share-phones"))).send_keys("0987000001, 0987 000 002")
    Select(driver.find_element(By.ID, "share-role")).select_by_value("controller")
    sent_before = len(ravao.messages())
    submit(driver, driver.find_element(By.ID, "share-submit"))
    assert share_rows(driver) == {"0987000001": "pending", "0987000002": "pending"}, driver.page_source[:2000]

    # Guard 1 reads their code out; the owner types it in.
    code = ravao.wait_for_code(GUARD1_E164, after=sent_before)
    row = driver.find_element(By.CSS_SELECTOR, 'tr.share-row[data-phone="0987000001"]')
    row.find_element(By.NAME, "code").send_keys(code)
    submit(driver, row.find_element(By.CSS_SELECTOR, "form.share-confirm button"))
    assert share_rows(driver)["0987000001"] == "active"

    # Revoke guard 2 in one click.
    row = driver.find_element(By.CSS_SELECTOR, 'tr.share-row[data-phone="0987000002"]')
    submit(driver, row.find_element(By.CSS_SELECTOR, "form.share-revoke button"))
    assert "0987000002" not in share_rows(driver)

    # The history, then filtered to revocations.
    submit(driver, driver.find_element(By.ID, "history-link"))
    actions = [r.get_attribute("data-action") for r in driver.find_elements(By.CSS_SELECTOR, "tr.history-row")]
    assert {"shared", "share_confirmed", "unshared"} <= set(actions), actions
    assert "0914222333" in driver.find_element(By.ID, "history").text and "127.0.0.1" in driver.find_element(By.ID, "history").text
    Select(driver.find_element(By.ID, "history-action")).select_by_value("unshared")
    submit(driver, driver.find_element(By.CSS_SELECTOR, "#history-filter button"))
    actions = [r.get_attribute("data-action") for r in driver.find_elements(By.CSS_SELECTOR, "tr.history-row")]
    assert actions == ["unshared"], actions

    # Scan history filtered to exits: two rows, masked names, download links that keep the filter.
    driver.get(ravao.url(f"/places/{place}/scans"))
    assert driver.find_element(By.ID, "count-scans").text == "4"
    Select(driver.find_element(By.ID, "filter-direction")).select_by_value("out")
    submit(driver, driver.find_element(By.ID, "filter-submit"))
    directions = [r.get_attribute("data-direction") for r in driver.find_elements(By.CSS_SELECTOR, "tr.scan-row")]
    assert directions == ["out", "out"], directions
    names = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "td.scan-name")]
    assert "Trần Thị ***" in names and "Bích" not in driver.page_source
    xlsx_link = driver.find_element(By.ID, "download-xlsx")
    assert parse_qs(urlparse(xlsx_link.get_attribute("href")).query).get("direction") == ["out"]
    xlsx_link.click()
    wait(driver).until(lambda d: d.find_element(By.ID, "download-progress").get_attribute("data-bytes"),
                       "the page should report the streamed download as finished")
    assert int(driver.find_element(By.ID, "download-progress").get_attribute("data-bytes")) > 1000

    # The same export, opened by a real XLSX reader.
    workbook = api.get(xlsx_link.get_attribute("href"))
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Thời gian (UTC+7)", "Thời gian (ISO 8601)", "Địa điểm", "Họ tên"]
    assert len(rows) == 3
    names = {r[3] for r in rows[1:]}
    assert "Trần Thị ***" in names
    assert "'=HYPERLINK(\"http://evil.example\",\"x\") Lê ***" in names
    assert all(r[2] == "Công ty TNHH An Viên" for r in rows[1:])

    exported = api.get(ravao.url(f"/api/v1/places/{place}/scans.csv"))
    assert exported.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(table) == 5
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    assert "Nguyễn Văn ***" in {row[3] for row in table}
