"""The foundation story (issue 2) in a real browser, on every available database engine.

A venue owner signs in with the SMS code, registers "Quán Cơm Bà Ba" in a ward of Đà Nẵng, finds it
in "My places" without typing diacritics, edits it, adds a workshop inside a company, registers a
shuttle bus by its plate, prints the A4 poster — and the QR on the poster opens the place's
check-in page. Artefacts land in test-output/ (poster.png, poster.pdf, poster-qr.png).

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser
"""

from __future__ import annotations

import base64
import uuid
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import requests
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import REPO_ROOT, RavaoServer, page_replaced

PHONE_TYPED = "0912 345 678"
PHONE_E164 = "+84912345678"
PHONE_NATIONAL = "0912345678"
DA_NANG = "48"
RESTAURANT = "Quán Cơm Bà Ba"
COMPANY = "Công ty May Hòa Khánh"
WORKSHOP = "Phân xưởng Cắt"
REGISTRANT = "Nguyễn Thị Ba"
# 15 cm at the CSS reference resolution (96 px per inch).
MIN_QR_CSS_PX = 15 / 2.54 * 96
UUID_PATH = re.compile(r"^/places/[0-9A-Fa-f-]{36}$")


# ---------------------------------------------------------------------------------------------
# Small helpers: explicit waits only.

def wait(driver: WebDriver, timeout: float = 10) -> WebDriverWait:
    return WebDriverWait(driver, timeout)


def path_of(driver: WebDriver) -> str:
    return urlparse(driver.current_url).path


def wait_for_path(driver: WebDriver, expected, what: str) -> str:
    """Waits until the URL path equals `expected` (str) or matches it (compiled regex)."""
    def matches(d):
        p = path_of(d)
        return p if (expected.match(p) if isinstance(expected, re.Pattern) else p == expected) else False
    try:
        return wait(driver).until(matches)
    except Exception:
        raise AssertionError(f"{what}: expected path {getattr(expected, 'pattern', expected)!r}, "
                             f"still at {driver.current_url} — page says: {page_text(driver)[:600]!r}") from None


def page_text(driver: WebDriver) -> str:
    try:
        return driver.find_element(By.TAG_NAME, "body").text
    except Exception:
        return ""


def submit_and_wait(driver: WebDriver, button_css: str) -> None:
    """Clicks a submit button and waits until the browser has left the page it was on."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, button_css).click()
    wait(driver).until(page_replaced(old))


def text(driver: WebDriver, css: str) -> str:
    return wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css))).text.strip()


def detail_value(driver: WebDriver, label: str) -> str:
    """The <dd> after the <dt> whose text starts with `label` on a place page."""
    elements = driver.find_elements(By.XPATH, f"//dt[starts-with(normalize-space(), '{label}')]/following-sibling::dd[1]")
    assert elements, f"the place page has no '{label}' entry; page says: {page_text(driver)[:600]!r}"
    return elements[0].text.strip()


def html_lang(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "html").get_attribute("lang")


def fill_place_form(driver: WebDriver, *, type_code: str, name: str | None, ward_name: str,
                    address: str | None = None, parent_id: str | None = None, plate: str | None = None) -> None:
    """Fills the register form, choosing Đà Nẵng and then a ward from the cascaded select."""
    wait(driver).until(EC.presence_of_element_located((By.ID, "place-form")))
    Select(driver.find_element(By.ID, "type")).select_by_value(type_code)
    if plate is not None:
        plate_input = wait(driver).until(EC.visibility_of_element_located((By.ID, "plate")),
                                         "choosing the vehicle type must reveal the licence-plate field")
        plate_input.clear()
        plate_input.send_keys(plate)
    if name is not None:
        driver.find_element(By.ID, "name").send_keys(name)

    province = Select(driver.find_element(By.ID, "province"))
    province.select_by_value(DA_NANG)
    assert "Đà Nẵng" in province.first_selected_option.text, \
        f"province code {DA_NANG} should be Đà Nẵng, the select shows {province.first_selected_option.text!r}"
    ward_select = driver.find_element(By.ID, "ward")
    wait(driver).until(lambda d: len(Select(ward_select).options) > 1,
                       "the ward select was not filled with Đà Nẵng's wards (GET /api/v1/units?parent=48 from app.js)")
    ward_names = [o.text for o in Select(ward_select).options]
    assert ward_name in ward_names, f"{ward_name!r} is not among Đà Nẵng's wards: {ward_names[:10]}…"
    Select(ward_select).select_by_visible_text(ward_name)

    if address is not None:
        driver.find_element(By.ID, "address").send_keys(address)
    if parent_id is not None:
        parent = Select(driver.find_element(By.ID, "parentId"))
        values = [o.get_attribute("value") for o in parent.options]
        assert parent_id in values, f"the parent select should offer the company {parent_id}; it offers {values}"
        parent.select_by_value(parent_id)
    registrant = driver.find_element(By.ID, "registrantName")
    if not registrant.get_attribute("value"):
        registrant.send_keys(REGISTRANT)


def open_new_place_form(driver: WebDriver, ravao: RavaoServer) -> None:
    driver.get(ravao.url("/places"))
    old = driver.find_element(By.TAG_NAME, "html")
    wait(driver).until(EC.element_to_be_clickable((By.ID, "new-place"))).click()
    wait(driver).until(page_replaced(old))
    wait_for_path(driver, "/places/new", "the 'Register a place' button")


def register_place(driver: WebDriver, ravao: RavaoServer, expected_name: str, **form) -> str:
    """Registers a place through the form; returns the place page's path."""
    open_new_place_form(driver, ravao)
    fill_place_form(driver, **form)
    submit_and_wait(driver, "#save-place")
    path = wait_for_path(driver, UUID_PATH, f"registering {expected_name!r}")
    assert text(driver, "#place-name") == expected_name, f"#place-name should show {expected_name!r}"
    return path


def listed_places(driver: WebDriver) -> list[str]:
    """The names in the "My places" list."""
    return [e.text.strip() for e in driver.find_elements(By.CSS_SELECTOR, "ul.places li.place-row .place-name")]


def list_diagnosis(driver: WebDriver) -> str:
    main = driver.find_element(By.TAG_NAME, "main").text
    if "<li class=" in main:
        return " — the list's markup is shown as text (HTML-escaped), not rendered: " + main[main.find("<ul"):][:200]
    return " — the page says: " + main[:400]


def csrf_token(driver: WebDriver) -> str:
    fields = driver.find_elements(By.CSS_SELECTOR, "input[name=_csrf]")
    assert fields, "a signed-in page should carry a _csrf field (the sign-out form)"
    return fields[0].get_attribute("value")


# ---------------------------------------------------------------------------------------------
# The story.

def test_owner_registers_places_and_prints_a_scannable_poster(ravao: RavaoServer, driver: WebDriver, output_dir: Path):
    suffix = "" if ravao.engine == "sqlite" else f"-{ravao.engine}"
    # Failures that do not block the rest of the story are collected and reported together at the end.
    problems: list[str] = []

    def check(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    # 1. The home page, in Vietnamese without switching anything.
    driver.get(ravao.url("/"))
    assert html_lang(driver) == "vi", "the interface must be Vietnamese by default"
    sign_in = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "main a[href='/signin']")))
    assert sign_in.text.strip() == "Đăng nhập", f"the home page's sign-in button says {sign_in.text!r}"
    sign_in.click()
    wait_for_path(driver, "/signin", "the home page's sign-in button")

    # 2. Phone number → SMS code → the person's own page (a new account has no places yet, issue 18).
    sent_before = len(ravao.messages())
    wait(driver).until(EC.visibility_of_element_located((By.ID, "phone"))).send_keys(PHONE_TYPED)
    submit_and_wait(driver, "#send-code")
    code_input = wait(driver).until(EC.visibility_of_element_located((By.ID, "code")),
                                    f"the code form did not appear; page says {page_text(driver)[:400]!r}")
    assert PHONE_NATIONAL in page_text(driver), "the code page should name the number the code went to"
    code = ravao.wait_for_code(PHONE_E164, after=sent_before)
    code_input.send_keys(code)
    submit_and_wait(driver, "#verify")
    wait_for_path(driver, "/me", "signing in with the SMS code")
    assert driver.find_element(By.ID, "nav-new-place").is_displayed(), "a new account is offered to register a place"
    assert text(driver, ".who") == PHONE_NATIONAL, "the top bar shows who is signed in"

    session = next((c for c in driver.get_cookies() if c["name"] == "ravao_session"), None)
    assert session is not None, f"no ravao_session cookie after sign-in: {driver.get_cookies()}"
    assert session.get("httpOnly") is True, "the session cookie must be HttpOnly"
    assert session.get("sameSite") in ("Lax", "Strict"), f"the session cookie must be SameSite, got {session.get('sameSite')!r}"

    # 3. Register Quán Cơm Bà Ba in a ward of Đà Nẵng chosen from the official list.
    restaurant_path = register_place(driver, ravao, RESTAURANT, type_code="restaurant", name=RESTAURANT,
                                     ward_name="Phường Hải Châu", address="12 Trần Phú")
    restaurant_id = restaurant_path.rsplit("/", 1)[1]
    address = detail_value(driver, "Số nhà, đường")
    assert "12 Trần Phú" in address and "Phường Hải Châu" in address and "Đà Nẵng" in address, \
        f"the place page should show the full address, got {address!r}"
    assert detail_value(driver, "Loại địa điểm").startswith("Nhà hàng"), "the type is shown by its Vietnamese name"
    checkin_url = text(driver, "#checkin-url")
    assert re.fullmatch(re.escape(ravao.base_url) + r"/c/[A-Za-z0-9]{8,32}", checkin_url), \
        f"the check-in URL should be BASE/c/CODE on the listen address {ravao.base_url}, got {checkin_url!r}"

    # 4. "My places": search without diacritics.
    driver.get(ravao.url("/places"))
    search = wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "form.search input[name=q]")))
    search.send_keys("quan com")
    submit_and_wait(driver, "form.search button[type=submit]")
    wait(driver).until(lambda d: "q=quan" in d.current_url)
    listed = listed_places(driver)
    count = text(driver, "#result-count")
    if not listed and count.startswith("0 "):
        hint = " — a GET form sends the space as '+', which the server must read as a space (the same query with %20 works)"
    else:
        hint = list_diagnosis(driver)
    check(listed == [RESTAURANT], f"searching 'quan com' should list exactly {RESTAURANT!r}, got {listed} at {driver.current_url}{hint}")
    check(count.startswith("1 "), f"searching 'quan com': the result count should be 1, it says {count!r}")

    # 5. Edit it: a new street address.
    old = driver.find_element(By.TAG_NAME, "html")
    row_links = driver.find_elements(By.CSS_SELECTOR, f"ul.places li.place-row a[href='{restaurant_path}']")
    if row_links:
        row_links[0].click()
    else:  # already reported above; carry on from the place's own URL
        driver.get(ravao.url(restaurant_path))
    wait(driver).until(page_replaced(old))
    wait_for_path(driver, restaurant_path, "opening the place from 'My places'")
    old = driver.find_element(By.TAG_NAME, "html")
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"a[href='{restaurant_path}/edit']"))).click()
    wait(driver).until(page_replaced(old))
    wait_for_path(driver, f"{restaurant_path}/edit", "the edit button")
    # The cascade must restore the saved ward before the form can be submitted.
    wait(driver).until(lambda d: Select(d.find_element(By.ID, "ward")).first_selected_option.text == "Phường Hải Châu",
                       "the edit form did not preselect the place's ward")
    assert Select(driver.find_element(By.ID, "province")).first_selected_option.get_attribute("value") == DA_NANG
    address_input = driver.find_element(By.ID, "address")
    assert address_input.get_attribute("value") == "12 Trần Phú"
    address_input.clear()
    address_input.send_keys("14 Bạch Đằng")
    submit_and_wait(driver, "#save-place")
    wait_for_path(driver, restaurant_path, "saving the edit")
    address = detail_value(driver, "Số nhà, đường")
    assert "14 Bạch Đằng" in address and "12 Trần Phú" not in address, f"the edit should show, got {address!r}"
    assert text(driver, "#checkin-url") == checkin_url, "editing must not change the poster's URL"

    # The documented browser alternative to bearer tokens: session cookie + X-CSRF-Token.
    api = ravao.session()
    api.cookies.set("ravao_session", session["value"])
    patch_url = ravao.url(f"/api/v1/places/{restaurant_id}")
    refused = api.patch(patch_url, json={})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed", \
        f"a cookie-authenticated API write without X-CSRF-Token must be refused, got {refused.status_code} {refused.text}"
    accepted = api.patch(patch_url, json={}, headers={"X-CSRF-Token": csrf_token(driver)})
    assert accepted.status_code == 200 and accepted.json()["address"] == "14 Bạch Đằng", \
        f"with the page's CSRF token the same write should work, got {accepted.status_code} {accepted.text}"

    # 6. A company, a workshop inside it, and a shuttle bus named by its plate.
    company_path = register_place(driver, ravao, COMPANY, type_code="factory", name=COMPANY,
                                  ward_name="Phường Hòa Khánh", address="KCN Hòa Khánh, đường số 3")
    company_id = company_path.rsplit("/", 1)[1]
    register_place(driver, ravao, WORKSHOP, type_code="workshop", name=WORKSHOP,
                   ward_name="Phường Hòa Khánh", address="Nhà xưởng B", parent_id=company_id)
    parent_links = driver.find_elements(By.XPATH, "//dt[normalize-space()='Nằm trong địa điểm']/following-sibling::dd[1]/a")
    assert parent_links and parent_links[0].text.strip() == COMPANY \
        and urlparse(parent_links[0].get_attribute("href")).path == company_path, \
        "the workshop's page should link to the company it is inside"
    driver.get(ravao.url(company_path))
    inside = [e.text.strip() for e in driver.find_elements(By.XPATH, "//section[h2[normalize-space()='Địa điểm bên trong']]//li/a")]
    assert inside == [WORKSHOP], f"the company should list the workshop inside it, got {inside}"

    register_place(driver, ravao, "Xe 98C-123.45", type_code="vehicle", name=None, plate="98c12345",
                   ward_name="Phường Hòa Khánh")
    assert detail_value(driver, "Biển số") == "98C-123.45", "the plate is shown in its canonical form"

    # The same bus typed another way is the same bus: the form comes back with the plate marked.
    open_new_place_form(driver, ravao)
    fill_place_form(driver, type_code="vehicle", name=None, plate="98C 123.45", ward_name="Phường Hòa Khánh")
    submit_and_wait(driver, "#save-place")
    plate_errors = [e.text for e in driver.find_elements(By.XPATH, "//input[@id='plate']/following-sibling::*[contains(@class,'field-error')]")]
    check(path_of(driver) == "/places" and driver.find_elements(By.ID, "place-form") and plate_errors,
          f"registering plate 98C 123.45 a second time should re-show the form with an error on the plate; "
          f"got {driver.current_url}: {page_text(driver)[:300]!r}")

    driver.get(ravao.url("/places"))
    everything = sorted(listed_places(driver))
    check(everything == sorted([RESTAURANT, COMPANY, WORKSHOP, "Xe 98C-123.45"]),
          f"'My places' should list the four places, it lists {everything}{list_diagnosis(driver)}")

    # 7. The A4 poster of Quán Cơm Bà Ba.
    driver.get(ravao.url(restaurant_path))
    assert text(driver, "#checkin-url") == checkin_url
    old = driver.find_element(By.TAG_NAME, "html")
    wait(driver).until(EC.element_to_be_clickable((By.ID, "poster-link"))).click()
    wait(driver).until(page_replaced(old))
    wait_for_path(driver, f"{restaurant_path}/poster", "the poster link")
    wait(driver).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#poster-qr svg")), "the poster has no QR <svg>")
    assert text(driver, ".poster-name") == RESTAURANT
    poster_address = text(driver, ".poster-address")
    assert "14 Bạch Đằng" in poster_address and "Đà Nẵng" in poster_address, f"poster address: {poster_address!r}"
    assert text(driver, ".poster-url") == checkin_url, "the poster prints the check-in URL under the code"
    assert "QUÉT MÃ QR" in text(driver, "#poster h1").upper(), "the poster's title is the Vietnamese instruction"
    assert len(driver.find_elements(By.CSS_SELECTOR, ".poster-steps li")) >= 2, "the poster carries instructions"

    qr_rect = driver.execute_script("const r = document.getElementById('poster-qr').getBoundingClientRect();"
                                    "return {x: r.x, y: r.y, width: r.width, height: r.height};")
    assert qr_rect["width"] >= MIN_QR_CSS_PX and qr_rect["height"] >= MIN_QR_CSS_PX, \
        f"the poster QR must be at least 15 × 15 cm ({MIN_QR_CSS_PX:.0f} CSS px), it is {qr_rect['width']:.0f} × {qr_rect['height']:.0f}"
    svg_width = driver.execute_script("return document.querySelector('#poster-qr svg').getBoundingClientRect().width;")
    assert svg_width >= MIN_QR_CSS_PX, f"the QR drawing itself must fill the 15 cm box, it is {svg_width:.0f} px wide"

    # The same measure in print layout, which is what ends up on paper.
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        printed = driver.execute_script("return document.querySelector('#poster-qr svg').getBoundingClientRect().width;")
        topbar_hidden = driver.execute_script("const t = document.querySelector('.topbar');"
                                              "return !t || getComputedStyle(t).display === 'none';")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert printed >= MIN_QR_CSS_PX, f"in print layout the QR is {printed:.0f} px wide, less than 15 cm"
    assert topbar_hidden, "the top bar must not be printed on the poster"

    pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True})
    pdf_bytes = base64.b64decode(pdf["data"])
    pdf_path = output_dir / f"poster{suffix}.pdf"
    pdf_path.write_bytes(pdf_bytes)
    assert pdf_bytes.startswith(b"%PDF"), "Page.printToPDF did not return a PDF"
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf_bytes))
    assert pages == 1, f"the poster should print on exactly one A4 page, it takes {pages} ({pdf_path})"
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf_bytes)
    assert box, f"no MediaBox in {pdf_path}"
    width_pt, height_pt = float(box.group(1)), float(box.group(2))
    assert abs(width_pt - 595.3) < 3 and abs(height_pt - 841.9) < 3, \
        f"the poster page should be A4 (595 × 842 pt), it is {width_pt} × {height_pt} pt"

    # 8. Screenshot the poster, decode its QR with zbarimg, follow it.
    poster = driver.find_element(By.ID, "poster")
    driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", poster)
    png_path = output_dir / f"poster{suffix}.png"
    assert poster.screenshot(str(png_path)), "could not take the poster screenshot"
    decoded, symbol_css_px = decode_qr(driver, png_path, poster, output_dir / f"poster-qr{suffix}.png")
    # What a ruler on the paper measures: the dark modules, finder pattern to finder pattern, not
    # the white quiet zone around them.
    check(symbol_css_px >= MIN_QR_CSS_PX,
          f"the printed QR symbol (its dark modules, without the quiet zone) is {symbol_css_px / 96 * 2.54:.1f} cm wide, "
          f"less than 15 cm; the #poster-qr box is {qr_rect['width'] / 96 * 2.54:.1f} cm but the SVG spends part of it on "
          f"the quiet zone ({png_path})")
    assert decoded == checkin_url, f"the poster's QR decodes to {decoded!r}, the place's check-in URL is {checkin_url!r}"

    driver.get(decoded)
    assert text(driver, "#checkin-place") == RESTAURANT, "the scanned URL should open the place's check-in page"

    # 9. English with the language link.
    driver.get(ravao.url("/places"))
    switch = wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "a[hreflang='en']")))
    assert switch.get_attribute("href").endswith("?lang=en"), f"the language link should be ?lang=en, got {switch.get_attribute('href')}"
    assert switch.text.strip() == "English"
    old = driver.find_element(By.TAG_NAME, "html")
    switch.click()
    wait(driver).until(page_replaced(old))
    wait(driver).until(lambda d: html_lang(d) == "en", "the page did not switch to English")
    assert text(driver, "main h1") == "My places"
    assert text(driver, "#new-place") == "Register a place"
    driver.get(ravao.url(restaurant_path))  # the choice sticks (cookie), no ?lang needed
    assert html_lang(driver) == "en" and detail_value(driver, "Street address").startswith("14 Bạch Đằng"), \
        "the English choice should persist to the next page"

    assert not problems, f"{len(problems)} problem(s) on {ravao.engine}:\n- " + "\n- ".join(problems)


def decode_qr(driver: WebDriver, screenshot: Path, poster, crop_path: Path) -> tuple[str, float]:
    """Crops #poster-qr out of the poster screenshot (device pixels) and decodes it with zbarimg.

    Returns the decoded text and the width of the symbol's dark modules in CSS px."""
    assert shutil.which("zbarimg"), "zbarimg is missing: apt-get install zbar-tools"
    from PIL import Image

    rects = driver.execute_script(
        "const p = arguments[0].getBoundingClientRect(), q = document.getElementById('poster-qr').getBoundingClientRect();"
        "return {px: p.x, py: p.y, pw: p.width, qx: q.x, qy: q.y, qw: q.width, qh: q.height};", poster)
    with Image.open(screenshot) as image:
        scale = image.width / rects["pw"]  # devicePixelRatio, measured rather than assumed
        box = tuple(round(v * scale) for v in (rects["qx"] - rects["px"], rects["qy"] - rects["py"],
                                                 rects["qx"] - rects["px"] + rects["qw"], rects["qy"] - rects["py"] + rects["qh"]))
        crop = image.convert("RGB").crop(box)
        dark = crop.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
        assert dark, f"the #poster-qr area of {screenshot} is blank"
        symbol_css_px = (dark[2] - dark[0]) / scale
        # A white margin of several modules, in case the drawing has no quiet zone of its own.
        margin = max(40, crop.width // 8)
        framed = Image.new("RGB", (crop.width + 2 * margin, crop.height + 2 * margin), "white")
        framed.paste(crop, (margin, margin))
        framed.save(crop_path)
    result = subprocess.run(["zbarimg", "--raw", "-q", str(crop_path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"zbarimg found no QR code in {crop_path} (exit {result.returncode}): {result.stderr}"
    symbols = result.stdout.strip().splitlines()
    assert len(symbols) == 1, f"expected exactly one QR code on the poster, zbarimg read {symbols}"
    return symbols[0].strip(), symbol_css_px


# ---------------------------------------------------------------------------------------------
# CSRF on forms.

def test_form_post_without_csrf_token_is_refused(ravao: RavaoServer):
    phone = "0987654321"
    browser = ravao.session()
    page = browser.get(ravao.url("/signin"))
    assert page.status_code == 200
    match = re.search(r'name="_csrf" value="([^"]+)"', page.text)
    assert match, "the sign-in form must carry a _csrf field"
    sent_before = len(ravao.messages())

    missing = browser.post(ravao.url("/signin"), data={"phone": phone, "next": "/places"}, allow_redirects=False)
    assert missing.status_code == 403, f"POST /signin without _csrf must be refused with 403, got {missing.status_code}"
    forged = browser.post(ravao.url("/signin"), data={"phone": phone, "_csrf": "x" * 43}, allow_redirects=False)
    assert forged.status_code == 403, f"POST /signin with a forged _csrf must be refused with 403, got {forged.status_code}"
    stranger = ravao.session().post(ravao.url("/signin"), data={"phone": phone, "_csrf": match.group(1)}, allow_redirects=False)
    assert stranger.status_code == 403, \
        f"a _csrf token is bound to its browser; replayed without that browser's cookie it must get 403, got {stranger.status_code}"
    assert len(ravao.messages()) == sent_before, "a refused form must not send an SMS"

    # Control: the same form with its token works, so the 403s above were about the token.
    ok = browser.post(ravao.url("/signin"), data={"phone": phone, "_csrf": match.group(1), "next": "/places"}, allow_redirects=False)
    assert ok.status_code == 200 and 'id="code"' in ok.text, f"with its _csrf the form should ask for the code, got {ok.status_code}"
    ravao.wait_for_code("+84987654321", after=sent_before)


# ---------------------------------------------------------------------------------------------
# The published API contract: the OpenAPI document is served, valid, and matches the answers.

OPENAPI_FILE = REPO_ROOT / "Sources" / "RavaoServer" / "Resources" / "openapi.yaml"
CONTRACT = [  # issue 2, "The API contract"
    ("get", "/healthz"), ("post", "/api/v1/auth/otp"), ("post", "/api/v1/auth/verify"), ("get", "/api/v1/units"),
    ("get", "/api/v1/place-types"), ("post", "/api/v1/places"), ("get", "/api/v1/places"),
    ("get", "/api/v1/places/{id}"), ("patch", "/api/v1/places/{id}"), ("delete", "/api/v1/places/{id}"),
    ("get", "/api/v1/places/{id}/qr.svg"), ("get", "/api/v1/places/{id}/qr.png"),
    # issue 3
    ("post", "/api/v1/scans"), ("post", "/api/v1/checkins"), ("post", "/api/v1/places/{id}/devices"),
    ("delete", "/api/v1/places/{id}/devices/{deviceId}"), ("get", "/api/v1/device"),
]


def strict_schema(spec: dict, schema: dict) -> dict:
    """A JSON Schema for an OpenAPI 3.0 schema, refusing keys the document does not name."""
    if "$ref" in schema:
        return strict_schema(spec, spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if "allOf" in schema:
        return strict_schema(spec, schema["allOf"][0])
    out = {k: v for k, v in schema.items() if k not in ("example", "format", "nullable", "description")}
    if "properties" in schema:
        out["properties"] = {k: strict_schema(spec, v) for k, v in schema["properties"].items()}
        out["additionalProperties"] = False
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = strict_schema(spec, schema["additionalProperties"])
    if "items" in schema:
        out["items"] = strict_schema(spec, schema["items"])
    if schema.get("nullable"):
        out["type"] = [schema["type"], "null"]
    return out


def test_openapi_document_is_served_and_describes_the_answers(ravao: RavaoServer):
    import jsonschema
    from openapi_spec_validator import validate

    api = ravao.session()
    served = api.get(ravao.url("/api/openapi.yaml"))
    assert served.status_code == 200 and served.headers["Content-Type"].startswith("application/yaml"), \
        f"GET /api/openapi.yaml: {served.status_code} {served.headers.get('Content-Type')}"
    assert served.content == OPENAPI_FILE.read_bytes(), \
        f"the server serves a different openapi.yaml than {OPENAPI_FILE} ({len(served.content)} bytes) — rebuild the server"
    spec = yaml.safe_load(served.text)
    validate(spec)
    assert spec["openapi"].startswith("3."), "an OpenAPI 3 document"
    for method, path in CONTRACT:
        assert method in spec["paths"].get(path, {}), f"the document must describe {method.upper()} {path}"

    def conforms(method: str, path: str, response: requests.Response) -> dict | list | None:
        responses = spec["paths"][path][method]["responses"]
        status = str(response.status_code)
        log = f"\nserver log:\n{ravao.log_tail(5)}" if response.status_code >= 500 else ""
        assert status in responses, f"{method.upper()} {path} answered {status}, which the document does not list: {response.text[:300]}{log}"
        documented = responses[status]
        if "$ref" in documented:
            documented = spec["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
        if "content" not in documented:
            assert not response.content, f"{method.upper()} {path} {status} should have no body"
            return None
        kind = response.headers["Content-Type"].split(";")[0]
        assert kind in documented["content"], f"{method.upper()} {path} {status} answered {kind}, documented {list(documented['content'])}"
        if kind != "application/json":
            return None
        body = response.json()
        try:
            jsonschema.validate(body, strict_schema(spec, documented["content"][kind]["schema"]))
        except jsonschema.ValidationError as error:
            raise AssertionError(f"{method.upper()} {path} {status} does not match the document: {error.message}\n{body}") from None
        return body

    conforms("get", "/healthz", api.get(ravao.url("/healthz")))
    sent_before = len(ravao.messages())
    conforms("post", "/api/v1/auth/otp", api.post(ravao.url("/api/v1/auth/otp"), json={"phone": "84977000111"}))
    conforms("post", "/api/v1/auth/otp", api.post(ravao.url("/api/v1/auth/otp"), json={"phone": "0977000111"}))  # 429
    conforms("post", "/api/v1/auth/otp", api.post(ravao.url("/api/v1/auth/otp"), json={"phone": "12"}))  # 422
    conforms("post", "/api/v1/auth/verify", api.post(ravao.url("/api/v1/auth/verify"), data="{"))  # 400
    code = ravao.wait_for_code("+84977000111", after=sent_before)
    token = conforms("post", "/api/v1/auth/verify",
                     api.post(ravao.url("/api/v1/auth/verify"), json={"phone": "+84977000111", "code": code}))["token"]
    auth = {"Authorization": f"Bearer {token}"}
    conforms("get", "/api/v1/units", api.get(ravao.url("/api/v1/units")))
    wards = conforms("get", "/api/v1/units", api.get(ravao.url("/api/v1/units"), params={"parent": DA_NANG}))
    conforms("get", "/api/v1/units", api.get(ravao.url("/api/v1/units"), params={"parent": "nope"}))  # 404
    conforms("get", "/api/v1/place-types", api.get(ravao.url("/api/v1/place-types")))
    places = "/api/v1/places"
    company = conforms("post", places, api.post(ravao.url(places), headers=auth, json={
        "name": "Nhà máy Thử", "type": "factory", "wardCode": wards[0]["code"], "registrantName": "Trần Văn Thử"}))
    bus = conforms("post", places, api.post(ravao.url(places), headers=auth, json={
        "type": "vehicle", "wardCode": wards[0]["code"], "plate": "43B-111.22", "parentId": company["id"], "registrantName": "Trần Văn Thử"}))
    assert bus.get("plate") == "43B-111.22" and bus.get("parentId") == company["id"], bus
    conforms("post", places, api.post(ravao.url(places), headers=auth, json={"type": "vehicle", "wardCode": wards[0]["code"], "plate": "43b11122"}))  # 409
    conforms("post", places, api.post(ravao.url(places), headers=auth, json={"type": "office"}))  # 422
    conforms("post", places, api.post(ravao.url(places), json={"type": "office"}))  # 401
    conforms("get", places, api.get(ravao.url(places), headers=auth, params={"q": "nha may"}))
    one = places + "/{id}"
    conforms("get", one, api.get(ravao.url(f"{places}/{bus['id']}"), headers=auth))
    conforms("patch", one, api.patch(ravao.url(f"{places}/{bus['id']}"), headers=auth, json={"parentId": None}))
    conforms("get", one + "/qr.svg", api.get(ravao.url(f"{places}/{bus['id']}/qr.svg"), headers=auth))
    conforms("get", one + "/qr.png", api.get(ravao.url(f"{places}/{bus['id']}/qr.png"), headers=auth))
    conforms("post", one + "/code", api.post(ravao.url(f"{places}/{bus['id']}/code"), headers=auth))
    conforms("get", one + "/requests", api.get(ravao.url(f"{places}/{bus['id']}/requests"), headers=auth))
    conforms("post", "/api/v1/place-requests", api.post(ravao.url("/api/v1/place-requests"), headers=auth, json={"code": bus["code"]}))  # 404 (rotated)
    # Check-in: staff scans, kiosk devices, a citizen's own check-in, the live view.
    cccd = "079085001234|123456789|Nguyễn Văn An|15081985|Nam|Số 12 Lê Lợi, TP. Hồ Chí Minh|10052021"
    client_id = str(uuid.uuid4())
    first = conforms("post", "/api/v1/scans", api.post(ravao.url("/api/v1/scans"), headers=auth, json={
        "placeId": company["id"], "payload": cccd, "clientId": client_id}))
    assert first["person"]["displayName"] == "Nguyễn Văn ***"
    again = conforms("post", "/api/v1/scans", api.post(ravao.url("/api/v1/scans"), headers=auth, json={
        "placeId": company["id"], "payload": cccd, "clientId": client_id}))
    assert again["duplicate"] is True and again["checkInId"] == first["checkInId"]
    conforms("post", "/api/v1/scans", api.post(ravao.url("/api/v1/scans"), headers=auth, json={
        "placeId": company["id"], "payload": "xin chào", "clientId": str(uuid.uuid4())}))  # 422
    devices = one + "/devices"
    device = conforms("post", devices, api.post(ravao.url(f"{places}/{company['id']}/devices"), headers=auth, json={"name": "Kiosk cổng 1"}))
    conforms("post", devices, api.post(ravao.url(f"{places}/{company['id']}/devices"), headers=auth, json={"name": ""}))  # 422
    conforms("get", devices, api.get(ravao.url(f"{places}/{company['id']}/devices"), headers=auth))
    kiosk = {"Authorization": f"Bearer {device['key']}"}
    conforms("get", "/api/v1/device", api.get(ravao.url("/api/v1/device"), headers=kiosk))
    conforms("post", "/api/v1/scans", api.post(ravao.url("/api/v1/scans"), headers=kiosk, json={
        "placeId": company["id"], "payload": "0905123456", "clientId": str(uuid.uuid4()), "direction": "out"}))
    conforms("post", "/api/v1/checkins", api.post(ravao.url("/api/v1/checkins"), headers=auth, json={
        "placeCode": company["code"], "clientId": str(uuid.uuid4())}))
    conforms("post", "/api/v1/checkins", api.post(ravao.url("/api/v1/checkins"), headers=auth, json={
        "placeCode": "khongcoma2345", "clientId": str(uuid.uuid4())}))  # 404
    live = conforms("get", one + "/live", api.get(ravao.url(f"{places}/{company['id']}/live"), headers=auth))
    assert live["counts"]["entries"] == 2 and live["counts"]["exits"] == 1, live["counts"]
    conforms("delete", devices + "/{deviceId}", api.delete(ravao.url(f"{places}/{company['id']}/devices/{device['id']}"), headers=auth))
    conforms("get", "/api/v1/device", api.get(ravao.url("/api/v1/device"), headers=kiosk))  # 401
    conforms("delete", one, api.delete(ravao.url(f"{places}/{bus['id']}"), headers=auth))
    conforms("get", one, api.get(ravao.url(f"{places}/{bus['id']}"), headers=auth))  # 404
    conforms("post", "/api/v1/auth/signout", api.post(ravao.url("/api/v1/auth/signout"), headers=auth))
    conforms("post", "/api/v1/auth/signout", api.post(ravao.url("/api/v1/auth/signout"), headers=auth))  # 401
