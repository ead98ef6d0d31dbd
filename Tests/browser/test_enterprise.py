"""Enterprises (E1–E3) in Chromium: an HR head creates the company, adds its gate, uploads the workforce
list exported by Excel (UTF-16 "Unicode Text"), sees the preview refuse a bad file and accept a good one,
then opens the day's coverage and exports the missing list.
"""

from __future__ import annotations

import re
import uuid

import jsonschema
import requests
import yaml
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC

from conftest import RavaoServer
from test_foundation import csrf_token, page_text, strict_schema, submit_and_wait, text, wait, wait_for_path
from test_poster_checkin import browser_sign_in

HR = "0912000777"


def utf16_file(path, text: str) -> str:
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return str(path)


def test_import_roster_then_coverage_then_export(ravao: RavaoServer, driver: WebDriver, tmp_path):
    browser_sign_in(driver, ravao, HR, "/orgs")
    driver.find_element(By.ID, "org-name").send_keys("Công ty May Bắc Giang")
    submit_and_wait(driver, "#create-org")
    org_path = wait_for_path(driver, re.compile(r"^/orgs/[0-9A-Fa-f-]{36}$"), "creating the organisation")
    org_id = org_path.rsplit("/", 1)[1]
    assert text(driver, "#org-title") == "Công ty May Bắc Giang"

    # The gate is registered through the API with the page's own session (cookie + CSRF header) and
    # added to the company through the page's form.
    session = next(c for c in driver.get_cookies() if c["name"] == "ravao_session")
    api = requests.Session()
    api.cookies.set("ravao_session", session["value"])
    api.headers["X-CSRF-Token"] = csrf_token(driver)
    wards = api.get(ravao.url("/api/v1/units"), params={"parent": "48"}, timeout=30).json()
    gate = api.post(ravao.url("/api/v1/places"), timeout=30, json={
        "name": "Cổng số 1", "type": "factory", "wardCode": wards[0]["code"], "registrantName": "Ngô Thị Hằng"}).json()
    driver.refresh()
    driver.find_element(By.CSS_SELECTOR, f"#add-place option[value='{gate['id']}']").click()
    submit_and_wait(driver, "#add-place-button")
    assert "Cổng số 1" in text(driver, "#org-places")

    # Roster: a bad file is previewed with its problems and cannot be confirmed.
    driver.find_element(By.ID, "roster-link").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "roster-file")))
    bad = utf16_file(tmp_path / "bad.txt", "Họ tên\tSố điện thoại\tPhòng ban\r\nAn\t0912\tMay\r\n\t0912000102\tMay\r\n")
    driver.find_element(By.ID, "roster-file").send_keys(bad)
    driver.find_element(By.ID, "roster-preview").click()
    errors = wait(driver).until(EC.visibility_of_element_located((By.ID, "roster-errors")))
    assert "0912" in errors.text and "3" in errors.text, errors.text
    assert not driver.find_element(By.ID, "roster-confirm").is_displayed()

    # A good file: preview, confirm, and the roster lists everyone.
    good = utf16_file(tmp_path / "good.txt",
                      "Mã nhân viên\tHọ tên\tSố điện thoại\tCCCD\tPhòng ban\r\n"
                      "NV01\tNguyễn Thị Lan\t0912000101\t\tMay\r\n"
                      "NV02\tTrần Văn Minh\t0912000102\t\tMay\r\n"
                      "NV03\tLê Thị Ngọc\t0912000103\t079085000103\tCắt\r\n")
    driver.refresh()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "roster-file"))).send_keys(good)
    driver.find_element(By.ID, "roster-preview").click()
    preview = wait(driver).until(EC.visibility_of_element_located((By.ID, "roster-preview-table")))
    assert "Nguyễn Thị Lan" in preview.text and "utf-16le" in text(driver, "#roster-result"), text(driver, "#roster-result")
    wait(driver).until(EC.element_to_be_clickable((By.ID, "roster-confirm"))).click()
    # The page reloads itself after the import: a count read from the old page may go stale under our feet.
    WebDriverWait(driver, 15, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: d.find_element(By.ID, "roster-count").text == "3", "the page reloads with 3 employees")
    assert "Lê Thị Ngọc" in text(driver, "#roster-table")

    # Two of the three are scanned at the gate.
    for phone in ("0912000101", "0912000103"):
        scan = api.post(ravao.url("/api/v1/scans"), timeout=30, json={
            "placeId": gate["id"], "payload": phone, "clientId": str(uuid.uuid4())})
        assert scan.status_code == 201, scan.text

    # Coverage: 2 of 3, the missing one listed with the phone HR uploaded (its own roster's number), the chart drawn.
    driver.get(ravao.url(f"/orgs/{org_id}/coverage"))
    assert text(driver, "#coverage-percent") == "66.7 %", page_text(driver)[:400]
    assert text(driver, "#missing-count") == "1"
    missing = text(driver, "#missing-table")
    assert "Trần Văn Minh" in missing and "0912000102" in missing, missing
    assert driver.execute_script("return document.getElementById('coverage-chart').naturalWidth") > 0, "the SVG chart loads"

    # Export: the link downloads the missing list as Excel-friendly CSV.
    href = driver.find_element(By.ID, "export-link").get_attribute("href")
    exported = api.get(href, timeout=30)
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    body = exported.content.decode("utf-8")
    assert body.startswith("\ufeff") and "Trần Văn Minh" in body and "0912000102" in body and "Nguyễn Thị Lan" not in body, body

    # The answers match the published document.
    spec = yaml.safe_load(api.get(ravao.url("/api/openapi.yaml"), timeout=30).text)

    def conforms(method: str, path: str, response: requests.Response) -> dict:
        documented = spec["paths"][path][method]["responses"][str(response.status_code)]
        schema = documented["content"]["application/json"]["schema"]
        jsonschema.validate(response.json(), strict_schema(spec, schema))
        return response.json()

    coverage = conforms("get", "/api/v1/orgs/{id}/coverage", api.get(ravao.url(f"/api/v1/orgs/{org_id}/coverage"), timeout=30))
    assert coverage["present"] == 2 and coverage["total"] == 3
    csv_headers = {"Content-Type": "text/csv"}
    conforms("post", "/api/v1/orgs/{id}/roster/preview",
             api.post(ravao.url(f"/api/v1/orgs/{org_id}/roster/preview"), data=b"name,phone\nX,1\n", headers=csv_headers, timeout=30))
    refused = conforms("post", "/api/v1/orgs/{id}/roster",
                       api.post(ravao.url(f"/api/v1/orgs/{org_id}/roster"), data=b"name,phone\nX,1\n", headers=csv_headers, timeout=30))
    assert refused["imported"] == 0 and refused["errors"][0]["row"] == 2
    conforms("get", "/api/v1/orgs/{id}/buses/{placeId}/trips",
             api.get(ravao.url(f"/api/v1/orgs/{org_id}/buses/{gate['id']}/trips"), timeout=30))
    conforms("get", "/api/v1/board/coverage", api.get(ravao.url("/api/v1/board/coverage"), timeout=30))
