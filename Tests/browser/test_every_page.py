"""Every page, as each of its users opens it, on a 360 px phone and a 1366 px laptop (issue 18, item 7).

One small world is made through the API (a place with a guard, a company with a roster and a board
member, a citizen with a declaration, a dose and a check-in, officers of a ward and of the province),
then every role signs in in Chromium and opens every page it may open, at 360×800 (device-metrics
emulation: Chromium will not make a window narrower than 500 px) and at 1366×768. On each page:

- no horizontal scroll at 360 px (the page must fit a phone),
- no serious or critical axe-core 4.x violation,
- every visible form control has a visible label next to it (a checkbox's text right beside it),
- nothing carrying `hidden` is displayed (author CSS must not undo the attribute),
- no internal code (snake_case status, API call) among the words shown,
- tap targets (buttons, selects, inputs, navigation and table links) at least 44 px high,
- a screenshot in test-output/every-page/.

PAGES below is the list to extend when a page is added: its path (with {placeholders} from the world),
the roles that open it, and optionally an element to wait for.

Run: RAVAO_BIN=.build/debug/ravao python3 -m pytest -q Tests/browser/test_every_page.py
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import RavaoServer

# Roles and the phone each one signs in with.
PHONES = {
    "citizen": "0977100001",
    "guard": "0977100002",
    "owner": "0977100003",
    "hr": "0977100004",
    "board": "0977100005",
    "ward_officer": "0977100006",
    "province_officer": "0977100007",
}
ROLES = ["anonymous", *PHONES]
SIGNED_IN = tuple(PHONES)
OFFICERS = ("ward_officer", "province_officer")
DA_NANG = "48"


@dataclass(frozen=True)
class Page:
    """One page to check: `path` may hold {place}, {code}, {org}, {employee}, {dependent}, {receipt}, {ward}."""

    name: str
    path: str
    roles: tuple[str, ...]
    ready: str | None = None  # a CSS selector that is present once the page has drawn itself


PAGES: list[Page] = [
    # Everyone
    Page("home", "/", ROLES),
    Page("signin", "/signin", ("anonymous",), "#phone"),
    Page("poster-landing", "/c/{code}", ("anonymous", "citizen")),
    Page("receipt", "{receipt}", ("anonymous",)),
    Page("kiosk", "/kiosk", ("anonymous",)),
    # Citizens (every signed-in person is one)
    Page("me", "/me", SIGNED_IN),
    Page("me-profile", "/me/profile", ("citizen",)),
    Page("me-declare", "/me/declare", ("citizen",)),
    Page("me-health", "/me/health", ("citizen",)),
    Page("me-checkins", "/me/checkins", ("citizen",)),
    Page("me-card", "/me/card", ("citizen",)),
    Page("me-dependents", "/me/dependents", ("citizen",)),
    Page("me-dependent-new", "/me/dependents/new", ("citizen",)),
    Page("me-dependent", "/me/dependents/{dependent}", ("citizen",)),
    Page("me-dependent-profile", "/me/dependents/{dependent}/profile", ("citizen",)),
    Page("me-dependent-declare", "/me/dependents/{dependent}/declare", ("citizen",)),
    Page("me-dependent-health", "/me/dependents/{dependent}/health", ("citizen",)),
    Page("shares", "/shares", ("citizen", "guard", "owner")),
    Page("work", "/work", ("guard", "owner")),
    # Places: owners and guards
    Page("places", "/places", ("citizen", "guard", "owner", "hr")),
    Page("place-new", "/places/new", ("owner",)),
    Page("place-add", "/places/add", ("owner",)),
    Page("place", "/places/{place}", ("guard", "owner")),
    Page("place-edit", "/places/{place}/edit", ("owner",)),
    Page("place-history", "/places/{place}/history", ("owner",)),
    Page("place-poster", "/places/{place}/poster", ("owner",)),
    Page("place-sheet", "/places/{place}/sheet", ("owner",)),
    Page("place-scans", "/places/{place}/scans", ("guard", "owner")),
    Page("station-chooser", "/station", ("guard", "owner")),
    Page("station", "/places/{place}/station", ("guard",)),
    # Companies: HR and the board
    Page("orgs", "/orgs", ("hr", "board")),
    Page("org", "/orgs/{org}", ("hr", "board")),
    Page("org-roster", "/orgs/{org}/roster", ("hr",)),
    Page("org-employee-edit", "/orgs/{org}/employees/{employee}/edit", ("hr",)),
    Page("org-coverage", "/orgs/{org}/coverage", ("hr", "board")),
    Page("org-buses", "/orgs/{org}/buses", ("hr",)),
    Page("board", "/board", ("board", "hr")),
    # Authorities
    Page("dashboard", "/authorities", OFFICERS),
    Page("dashboard-ward", "/authorities?unit={ward}", OFFICERS),
    Page("tracing", "/authorities/tracing", OFFICERS),
    Page("tracing-result", "/authorities/tracing?phone={citizen_phone}", OFFICERS),
    Page("risk", "/authorities/risk", OFFICERS),
    Page("alert", "/authorities/alert", OFFICERS),
    Page("zones", "/authorities/zones", OFFICERS),
    Page("officers", "/authorities/officers", OFFICERS),
    Page("privilege", "/authorities/privilege", OFFICERS),
]

VIEWPORTS = {"360": (360, 800, True), "1366": (1366, 768, False)}


# --- the world -------------------------------------------------------------------------------------

class Actor:
    """One account driving the API with a bearer token."""

    def __init__(self, ravao: RavaoServer, phone: str):
        self.phone = phone
        self.e164 = "+84" + phone[1:]
        self.api = ravao.session()
        self.ravao = ravao
        before = len(ravao.messages())
        answer = self.api.post(ravao.url("/api/v1/auth/otp"), json={"phone": self.e164})
        assert answer.status_code == 202, answer.text
        code = ravao.wait_for_code(self.e164, after=before)
        answer = self.api.post(ravao.url("/api/v1/auth/verify"), json={"phone": self.e164, "code": code})
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["token"]
        self.api.headers["Authorization"] = f"Bearer {self.token}"

    def call(self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201, 204), **kwargs) -> requests.Response:
        answer = self.api.request(method, self.ravao.url(path), **kwargs)
        expected = (expect,) if isinstance(expect, int) else expect
        assert answer.status_code in expected, f"{method} {path}: {answer.status_code} {answer.text[:400]}"
        return answer


def make_world(ravao: RavaoServer) -> dict:
    actors = {role: Actor(ravao, phone) for role, phone in PHONES.items()}
    owner, hr, citizen = actors["owner"], actors["hr"], actors["citizen"]
    ward = owner.call("GET", "/api/v1/units", params={"parent": DA_NANG}).json()[0]["code"]

    place = owner.call("POST", "/api/v1/places", json={
        "name": "Siêu thị Hòa Khánh", "type": "supermarket", "wardCode": ward, "address": "12 Âu Cơ",
        "registrantName": "Phan Văn Đức"}).json()
    guard = actors["guard"]
    before = len(ravao.messages())
    shared = owner.call("POST", f"/api/v1/places/{place['id']}/shares", json={"phones": PHONES["guard"], "role": "controller"})
    code = ravao.wait_for_code(guard.e164, after=before)
    guard.call("POST", f"/api/v1/shares/{shared.json()['shares'][0]['id']}/confirm", json={"code": code})

    citizen.call("PUT", "/api/v1/me", json={"name": "Nguyễn Thị Mai", "birthDate": "1990-04-02", "gender": "female",
                                             "wardCode": ward, "address": "5 Nguyễn Lương Bằng"})
    citizen.call("POST", "/api/v1/me/declarations", json={"symptoms": ["cough"], "contact": False})
    citizen.call("POST", "/api/v1/me/vaccinations", json={"vaccine": "Pfizer", "date": (date.today() - timedelta(days=90)).isoformat()})
    citizen.call("POST", "/api/v1/me/tests", json={"kind": "rapid", "result": "negative", "date": (date.today() - timedelta(days=2)).isoformat()})
    dependent = citizen.call("POST", "/api/v1/me/dependents", json={"name": "Trần Thị Lụa", "birthDate": "1941-01-09", "gender": "female"}).json()
    for payload, direction in ((citizen.e164, "in"), ("0912345670", "in"), (citizen.e164, "out")):
        guard.call("POST", "/api/v1/scans", json={"placeId": place["id"], "payload": payload, "direction": direction,
                                                  "clientId": str(uuid.uuid4())})

    gate = hr.call("POST", "/api/v1/places", json={"name": "Cổng chính Nhà máy Sông Đà", "type": "factory", "wardCode": ward,
                                                   "registrantName": "Đoàn Thu Trang"}).json()
    org = hr.call("POST", "/api/v1/orgs", json={"name": "Công ty May Sông Đà"}).json()
    hr.call("POST", f"/api/v1/orgs/{org['id']}/places", json={"placeId": gate["id"]})
    hr.call("POST", f"/api/v1/orgs/{org['id']}/roster", headers={"Content-Type": "text/csv"},
            data="Họ tên,Số điện thoại,Phòng ban\nNguyễn Văn An,0912000201,May\nLê Thị Bình,0912000202,Cắt\n".encode())
    hr.call("POST", f"/api/v1/orgs/{org['id']}/members", json={"phone": PHONES["board"], "role": "board"})
    hr.call("POST", "/api/v1/scans", json={"placeId": gate["id"], "payload": "0912000201", "clientId": str(uuid.uuid4())})
    employees = hr.call("GET", f"/api/v1/orgs/{org['id']}/employees").json()["items"]

    ravao.console("officer", "add", "--phone", PHONES["ward_officer"], "--unit", ward, "--functions", "statistics,health,zones")
    ravao.console("officer", "add", "--phone", PHONES["province_officer"], "--unit", DA_NANG, "--functions", "statistics,health,zones")

    # A guest checks in at the poster, which gives the receipt page.
    guest = ravao.session()
    landing = guest.get(ravao.url(f"/c/{place['code']}"))
    csrf = re.search(r'name="_csrf" value="([^"]+)"', landing.text).group(1)
    client = re.search(r'name="clientId" value="([^"]+)"', landing.text).group(1)
    receipt = guest.post(ravao.url(f"/c/{place['code']}/guest"), data={"_csrf": csrf, "clientId": client, "name": "Võ Văn Kiệt",
                                                                        "phone": "0905123456"}, allow_redirects=False)
    assert receipt.status_code == 303, receipt.text[:300]

    return {"place": place["id"], "code": place["code"], "org": org["id"], "employee": employees[0]["id"],
            "dependent": dependent["id"], "receipt": receipt.headers["Location"], "ward": ward,
            "citizen_phone": PHONES["citizen"], "tokens": {role: actor.token for role, actor in actors.items()}}


# --- the checks run inside the page ---------------------------------------------------------------

PAGE_CHECKS = r"""
const problems = [];
const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '')
  + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '')
  + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
const gap = (a, b) => [Math.max(0, a.left - b.right, b.left - a.right), Math.max(0, a.top - b.bottom, b.top - a.bottom)];

// 1. Horizontal scroll
const scroller = document.scrollingElement;
if (scroller.scrollWidth > innerWidth) {
  const wide = [...document.querySelectorAll('body *')].filter(e => visible(e) && e.getBoundingClientRect().right > innerWidth + 1)
    .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= innerWidth + 1).slice(0, 4).map(describe);
  problems.push({check: 'horizontal-scroll', detail: `scrollWidth ${scroller.scrollWidth} > ${innerWidth}: ${wide.join(', ')}`});
}

// 2. `hidden` respected
for (const el of document.querySelectorAll('[hidden]')) {
  if (getComputedStyle(el).display !== 'none') problems.push({check: 'hidden-shown', detail: describe(el)});
}

// 3. Labels next to their controls
const textRects = label => {
  const rects = [];
  const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest('select, option, textarea, button')) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    rects.push(...[...range.getClientRects()].filter(r => r.width > 0));
  }
  return rects;
};
for (const el of document.querySelectorAll('input, select, textarea')) {
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type) || !visible(el)) continue;
  const box = el.getBoundingClientRect();
  const labels = [...(el.labels || [])].filter(visible);
  const labelled = (el.getAttribute('aria-labelledby') || '').split(/\s+/).map(id => id && document.getElementById(id)).filter(e => e && visible(e));
  const owners = [...labels, ...labelled];
  const check = el.type === 'checkbox' || el.type === 'radio';
  // A radio drawn as a switch (invisible, its label styled as the button) is its label: nothing to be far from.
  if (check && (getComputedStyle(el).opacity === '0' || box.width <= 2)) continue;
  if (!owners.length) {
    if (!(el.getAttribute('aria-label') && el.getAttribute('placeholder'))) problems.push({check: 'label-missing', detail: describe(el)});
    continue;
  }
  const rects = owners.flatMap(textRects);
  if (!rects.length) { problems.push({check: 'label-empty', detail: describe(el)}); continue; }
  const [dx, dy] = rects.map(r => gap(r, box)).reduce((best, g) => (g[0] + g[1] < best[0] + best[1] ? g : best));
  if (check ? (dx > 16 || dy > 4 || box.width > 48) : (dx > 40 || dy > 16)) {
    problems.push({check: 'label-far', detail: `${describe(el)} is ${Math.round(dx)} px across, ${Math.round(dy)} px down from its label (control ${Math.round(box.width)} px wide)`});
  }
}

// 4. No internal code in the words shown (status: awaiting_sign_in, call: GET /api/..., taste_smell).
const words = document.body.innerText;
for (const code of new Set(words.match(/\b[a-z]+(?:_[a-z]+)+\b|\b(?:GET|POST|PUT|PATCH|DELETE) \/api\/\S*/g) || [])) {
  problems.push({check: 'raw-code', detail: code});
}

// 5. Tap targets: controls, navigation and table/list links (links inside running text are exempt).
const targets = document.querySelectorAll('button, select, input:not([type=hidden]), summary, a.button, header a, nav a, td a, th a, .actions a, a.tap');
for (const el of targets) {
  if (!visible(el) || el.closest('.no-tap-check')) continue;
  let box = el.getBoundingClientRect();
  if (el.type === 'checkbox' || el.type === 'radio') { const label = el.closest('label') || (el.labels || [])[0]; if (label) box = label.getBoundingClientRect(); }
  if (box.height < 43.5) problems.push({check: 'tap-target', detail: `${describe(el)} is ${Math.round(box.height)} px high`});
}
return problems;
"""


def axe_script() -> str:
    """axe-core 4.x: from axe-selenium-python 3 (Python ≥ 3.12) or selenium-axe-python (3.11)."""
    for module, relative in (("axe_selenium_python", "node_modules/axe-core/axe.min.js"), ("selenium_axe_python", "axe-core/axe.min.js")):
        try:
            package = importlib.import_module(module)
        except ImportError:
            continue
        script = Path(package.__file__).parent / relative
        if script.exists():
            source = script.read_text(encoding="utf-8")
            version = re.search(r"axe v(\d+)\.", source[:200])
            if version and int(version.group(1)) >= 4:
                return source
    pytest.fail("axe-core 4.x is needed: pip install -r Tests/browser/requirements.txt")


def emulate(driver: WebDriver, viewport: str) -> None:
    width, height, mobile = VIEWPORTS[viewport]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})


def sign_in(driver: WebDriver, ravao: RavaoServer, token: str) -> None:
    """The browser carries the session the world was made with (a fresh SMS sign-in per role would hit the
    code-resend limit; signing in through the pages is tested in test_foundation and test_station)."""
    driver.get(ravao.url("/healthz"))
    driver.add_cookie({"name": "ravao_session", "value": token, "path": "/"})
    driver.get(ravao.url("/me"))
    assert urlparse(driver.current_url).path == "/me", f"the session cookie did not sign in: {driver.current_url}"


@pytest.fixture(scope="module")
def world(ravao: RavaoServer) -> dict:
    return make_world(ravao)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_a_laptop_and_passes_axe(ravao: RavaoServer, world, driver: WebDriver, output_dir: Path, role: str):
    if ravao.engine != "sqlite":
        pytest.skip("layout and accessibility do not depend on the database engine; checked once, on SQLite")
    shots = output_dir / "every-page"
    shots.mkdir(parents=True, exist_ok=True)
    axe = axe_script()
    if role != "anonymous":
        sign_in(driver, ravao, world["tokens"][role])
    problems: list[str] = []
    visited = []
    for page in PAGES:
        if role not in page.roles:
            continue
        path = page.path.format(**world)
        for viewport in VIEWPORTS:
            emulate(driver, viewport)
            driver.get(ravao.url(path))
            if page.ready:
                WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, page.ready)))
            status = driver.execute_script("return document.title")
            where = f"{role} {page.name} {path} @{viewport}"
            if "Lỗi" in status or "Error" in status:
                problems.append(f"{where}: error page: {driver.find_element(By.TAG_NAME, 'main').text[:200]!r}")
            # The whole page, not just the first screen.
            shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
            (shots / f"{role}-{page.name}-{viewport}.png").write_bytes(base64.b64decode(shot["data"]))
            for found in driver.execute_script(PAGE_CHECKS):
                problems.append(f"{where}: {found['check']}: {found['detail']}")
            driver.execute_script(axe)
            result = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations), e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
            for violation in result:
                if violation["impact"] in ("serious", "critical"):
                    targets = "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"]) for n in violation["nodes"][:4])
                    problems.append(f"{where}: axe {violation['impact']} {violation['id']}: {violation['help']} — {targets}")
        visited.append(f"{page.name} ({path})")
    (shots / f"{role}.json").write_text(json.dumps({"role": role, "pages": visited, "problems": problems}, ensure_ascii=False, indent=1), encoding="utf-8")
    assert visited, f"no page is listed for {role}"
    assert not problems, f"{len(problems)} problems for {role} on {len(visited)} pages:\n" + "\n".join(problems)
