"""Every kind of page at phone width (390 px), in both languages: nothing wider than the
screen (document.scrollingElement.scrollWidth <= innerWidth) for public, resident, partner,
counter and office pages; each page wears its own chrome; tables become labelled cards; the
resident's "who viewed my data" is in words. Screenshots (phone and desktop, both languages,
elder mode) go to $XINYI_SCREENSHOTS (./scripts/screenshots)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.authenticator import SoftAuthenticator

from .harness import (
    PHONE,
    Server,
    assert_accessible,
    catalog,
    shoot,
    shoot_phone,
    watch_console,
)
from .partner_setup import enrol_with_code

pytestmark = pytest.mark.browser

CATALOGS = {"zh-CN": catalog("zh-CN"), "en": catalog("en")}
PUBLIC = ["/scoring", "/no/such/page", "/cases/lookup", "/docs/partner-api", "/partners/apply"]
RESIDENT = ["", "score", "records", "lists", "pass", "offers", "benefits", "access", "passkeys",
            "cases", "inbox", "settings"]  # fmt: skip
STAFF = {
    "officer": ["/office", "/office/dashboard", "/office/occupations", "/office/people",
                "/office/lists", "/office/cases", "/office/cases/file", "/office/staff",
                "/office/enrolment-codes", "/office/partners", "/office/tokens"],
    "auditor": ["/office/audit"],
    "department_submitter": ["/department"],
    "partner_admin": ["/partner", "/counter"],
    "counter_operator": ["/counter"],
}  # fmt: skip
# The pages photographed (phone and desktop) when $XINYI_SCREENSHOTS is set: enough to see each
# chrome in each language, not every page (docs/screenshots stays small).
PICTURED = {"/", "/no/such/page", "", "pass", "score", "access",
            "/office/dashboard", "/office/lists", "/department", "/partner",
            "/counter"}  # fmt: skip
CHROME = {"officer": "office", "auditor": "office", "department_submitter": "department",
          "partner_admin": "partner", "counter_operator": "counter"}  # fmt: skip


def _signed_in(server: Server, role: str) -> httpx.Client:
    """A session made through the API (a software passkey), to hand to a browser context."""
    client = httpx.Client(base_url=server.base_url, timeout=20)
    if role == "resident":
        who = server.credentials["residents"][-1]
        auth = SoftAuthenticator(origin=server.base_url)
        start = client.post(
            "/api/v1/enrolment/start", json={"name": who["name"], "id_number": who["id_number"]}
        )
        assert start.status_code == 200, start.text
        finish = client.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
        assert finish.status_code == 200, finish.text
    else:
        enrol_with_code(client, server.credentials["staff"][role]["enrolment_code"])
    return client


@pytest.fixture(scope="module")
def sessions(server: Server) -> Iterator[dict[str, httpx.Client]]:
    made = {role: _signed_in(server, role) for role in ["resident", *STAFF]}
    yield made
    for client in made.values():
        client.close()


def _context(browser: Any, server: Server, locale: str, session: httpx.Client | None,
             *, elder: bool = False) -> Any:  # fmt: skip
    context = browser.new_context(
        base_url=server.base_url, viewport=PHONE, locale="en-US" if locale == "en" else "zh-CN",
        service_workers="block",
    )  # fmt: skip
    host = server.base_url.split("//", 1)[1].split(":")[0]
    cookies = [{"name": "xinyi_locale", "value": locale, "domain": host, "path": "/"}]
    if elder:
        cookies.append({"name": "xinyi_elder", "value": "1", "domain": host, "path": "/"})
    if session is not None:
        cookies += [
            {"name": c.name, "value": c.value or "", "domain": host, "path": "/"}
            for c in session.cookies.jar
        ]
    context.add_cookies(cookies)
    script = f"localStorage.setItem('xinyi.locale', '{locale}');"
    script += "localStorage.setItem('xinyi.elder', '1');" if elder else ""
    context.add_init_script(f"try {{ {script} }} catch (e) {{}}")
    return context


def _fits(page: Any, label: str) -> None:
    wide = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, window.innerWidth,"
        " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1 && getComputedStyle(e).position !== 'fixed'"
        " && !e.closest('.table-scroll, pre, .visually-hidden, thead'))"
        ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)]"
    )
    assert wide[0] <= wide[1], f"{label}: {wide[0]} px wide at {wide[1]} px: {wide[2]}"


def _name(path: str, locale: str, elder: bool = False) -> str:
    slug = path.strip("/#").replace("/", "-") or "home"
    return f"pages-{slug}-{locale}{'-elder' if elder else ''}"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_public_pages_fit_a_phone_and_wear_the_resident_chrome(
    browser: Any, server: Server, locale: str
) -> None:
    names = CATALOGS[locale]
    context = _context(browser, server, locale, None)
    try:
        page = context.new_page()
        problems = watch_console(page)
        for path in ["/", *PUBLIC]:
            page.goto(path)
            page.wait_for_selector("main h1")
            _fits(page, f"{path} ({locale})")
            if path != "/":
                assert page.locator("form[action='/office/logout']").count() == 0, path
                assert page.locator(".brand").get_attribute("href") == "/", path
                assert names["chrome.office.name"] not in page.title(), path
                assert page.locator("meta[name=description]").get_attribute("content"), path
            if path in PICTURED:
                shoot(page, _name(path, locale))
        page.goto("/no/such/page")
        assert page.locator("details.error-detail").count() == 0  # no English box
        assert_accessible(page, f"404 ({locale})")
        page.goto("/scoring")
        assert page.locator("table.stackable tbody tr").count() > 0  # cards at this width
        assert page.locator("table.stackable td[data-label]").count() > 0
        # A signed-out first load asks nothing that answers 401.
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if "/api/" in r.url else None)
        page.goto("/")
        page.wait_for_selector("#enrol-form")
        assert 401 not in statuses, statuses
        assert not problems, problems
    finally:
        context.close()


@pytest.mark.parametrize(("locale", "elder"), [("zh-CN", False), ("en", False), ("zh-CN", True)])
def test_resident_pages_fit_a_phone(
    browser: Any, server: Server, sessions: dict[str, httpx.Client], locale: str, elder: bool
) -> None:
    names = CATALOGS[locale]
    resident = sessions["resident"]
    # The account's own preferences win over the device's (as in the app): set them first.
    saved = resident.patch(
        "/api/v1/me/preferences",
        json={"locale": locale, "elder_mode": elder},
        headers={"X-CSRF-Token": resident.cookies.get("xinyi_csrf", "")},
    )
    assert saved.status_code == 200, saved.text
    context = _context(browser, server, locale, resident, elder=elder)
    try:
        page = context.new_page()
        problems = watch_console(page)
        for route in RESIDENT:
            page.goto(f"/#/{route}")
            page.wait_for_selector(f"body[data-view] main .view-{route or 'home'} h1")
            page.wait_for_load_state("networkidle")
            _fits(page, f"#/{route} ({locale}{', elder' if elder else ''})")
            if route in PICTURED:
                shoot(page, _name(f"#/{route}", locale, elder))
            if route == "" and locale == "zh-CN" and not elder:
                shoot_phone(page, "home.png")  # the README's picture
        page.goto("/#/")
        page.wait_for_selector("#home-score:not(.pending)")
        score = sessions["resident"].get("/api/v1/me/score").json()
        if score["has_score"]:
            assert str(score["score"]) in page.locator("#home-score").inner_text()
        page.goto("/#/pass")
        page.wait_for_selector("#pass-qr")
        card = page.locator("#pass-card")
        assert card.locator(".list-badge").count() == 0  # nothing sensitive beside the QR
        assert page.locator("#pass-privacy").inner_text() == names["pwa.pass.privacy"]
        assert_accessible(page, f"pass ({locale})")
        assert not problems, problems
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_staff_pages_fit_a_phone_with_their_own_chrome(
    browser: Any, server: Server, sessions: dict[str, httpx.Client], locale: str
) -> None:
    names = CATALOGS[locale]
    for role, paths in STAFF.items():
        context = _context(browser, server, locale, sessions[role])
        try:
            page = context.new_page()
            problems = watch_console(page)
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status == 200, (role, path)
                page.wait_for_selector("main h1")
                _fits(page, f"{path} as {role} ({locale})")
                chrome = "counter" if path == "/counter" else CHROME[role]
                assert page.title().endswith(names[f"chrome.{chrome}.name"]), (path, page.title())
                assert page.locator("form[action='/office/logout']").count() == 1, path
                nav = page.locator("nav.staff-nav a")
                assert nav.count() >= 1, path
                assert page.locator(f"nav.staff-nav a[href='{path}']").count() == 1, (role, path)
                if path in PICTURED:
                    shoot(page, _name(f"{role}{path}", locale))
            assert not problems, (role, problems)
        finally:
            context.close()


def test_who_viewed_my_data_is_in_words_and_groups_repeats(
    browser: Any, server: Server, sessions: dict[str, httpx.Client]
) -> None:
    officer, resident = sessions["officer"], sessions["resident"]
    who = server.credentials["residents"][-1]
    for _ in range(2):  # the officer opens the person page twice in a row: one look for her
        looked = officer.post(
            "/office/people",
            data={"csrf_token": officer.cookies.get("xinyi_csrf", ""),
                  "id_number": who["id_number"], "purpose": "objection", "purpose_detail": ""},
        )  # fmt: skip
        assert looked.status_code == 200, looked.text[:300]
    items = resident.get("/api/v1/me/access-log").json()["items"]
    looks = [i for i in items if i["action"] == "person.viewed"]
    assert len(looks) == 1 and looks[0]["count"] == 2, looks
    staff = server.credentials["staff"]["officer"]
    for locale in ("zh-CN", "en"):
        names = CATALOGS[locale]
        resident.patch(
            "/api/v1/me/preferences", json={"locale": locale, "elder_mode": False},
            headers={"X-CSRF-Token": resident.cookies.get("xinyi_csrf", "")},
        )  # fmt: skip
        context = _context(browser, server, locale, resident)
        try:
            page = context.new_page()
            page.goto("/#/access")
            entry = page.locator("#access-log li[data-action='person.viewed']")
            entry.wait_for()
            assert entry.get_attribute("data-count") == "2"
            assert entry.locator("h2").inner_text() == names["access.action.person.viewed"]
            assert staff["organisation"] in entry.locator(".access-who").inner_text()
            assert names["role.officer"] in entry.locator(".access-who").inner_text()
            assert entry.locator(".access-what").inner_text() == names["access.what.profile"]
            assert entry.locator(".access-why").inner_text() == names["office.purpose.objection"]
            assert names["time.zone.Asia/Shanghai"] in entry.locator(".access-time").inner_text()
            text = page.locator("#access-log").inner_text()
            assert "person.viewed" not in text and "benefit check" not in text  # no codes
            _fits(page, f"access log ({locale})")
            assert_accessible(page, f"access log ({locale})")
            shoot(page, f"pages-access-log-{locale}")
        finally:
            context.close()
