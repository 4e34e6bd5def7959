"""A counter officer enrols at /office/login with a one-time code, issues an enrolment code
for a resident after an ID check, and the resident sees that look in "who viewed my data"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .harness import (
    DESKTOP,
    PHONE,
    Server,
    VirtualAuthenticator,
    api_get,
    assert_accessible,
    assert_no_placeholder_text,
    catalog,
    shoot,
    watch_console,
)

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
PURPOSE = "换手机后现场核验身份"


def at(path: str) -> Callable[[str], bool]:
    return lambda url: urlsplit(url).path == path


class Device:
    def __init__(self, browser: Any, server: Server, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(
            base_url=server.base_url, viewport=viewport, locale="zh-CN"
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.problems = watch_console(self.page)
        self.authenticator = VirtualAuthenticator(self.page)

    def check(self, label: str) -> None:
        assert_accessible(self.page, label)
        assert_no_placeholder_text(self.page, label)
        assert not self.problems, self.problems


@pytest.fixture(scope="module")
def devices(browser: Any, server: Server) -> Iterator[dict[str, Device]]:
    made = {"resident": Device(browser, server, PHONE), "officer": Device(browser, server, DESKTOP)}
    yield made
    for device in made.values():
        device.context.close()


@pytest.fixture(scope="module")
def person(server: Server) -> dict[str, str]:
    return server.credentials["residents"][1]


def enrol_resident(device: Device, person: dict[str, str]) -> None:
    page = device.page
    page.goto("/")
    page.fill("#enrol-form input[name=name]", person["name"])
    page.fill("#enrol-form input[name=id_number]", person["id_number"])
    page.click("#enrol-form button[type=submit]")
    page.wait_for_selector(".view-home .profile")


def test_office_login_page_and_next_guard(devices: dict[str, Device]) -> None:
    page = devices["officer"].page
    page.goto("/office/login")
    assert page.locator("h1").inner_text() == ZH["office.sign_in"]
    devices["officer"].check("office sign-in")
    # Where a successful sign-in may go: console pages only.
    guarded = page.evaluate(
        "() => import('/app/js/office.js').then(m => ["
        "m.safeNext('/office/audit'), m.safeNext('//evil.example/office'),"
        "m.safeNext('https://evil.example/office'), m.safeNext('/elsewhere'), m.safeNext(null)])"
    )
    assert guarded == ["/office/audit", "/office", "/office", "/office", "/office"]


def test_officer_issues_code_and_resident_sees_it(
    devices: dict[str, Device], server: Server, person: dict[str, str]
) -> None:
    resident, officer = devices["resident"], devices["officer"]
    enrol_resident(resident, person)
    resident.page.goto("/#/access")
    resident.page.wait_for_selector("#access-empty")
    resident.check("access log, empty")

    # The officer registers a passkey with the one-time code from the demo seed.
    page = officer.page
    page.goto("/office/login")
    page.fill("#staff-code", server.credentials["officer_code"])
    page.click("#office-enrol button[type=submit]")
    page.wait_for_url(at("/office"))
    staff = server.credentials["staff"]["officer"]
    assert page.locator("h1").inner_text() == ZH["office.welcome"].format(name=staff["name"])
    officer.check("office home")

    # Sign out, then back in with the passkey, landing on the page asked for.
    page.click("form.inline button.link")
    page.wait_for_url(at("/office/login"))
    page.goto("/office/login?next=/office/enrolment-codes")
    page.click("#office-login")
    page.wait_for_url(at("/office/enrolment-codes"))
    assert page.locator("h1").inner_text() == ZH["office.enrolment_codes"]
    officer.check("office enrolment codes")

    page.fill("#name", person["name"])
    page.fill("#id_number", person["id_number"])
    page.fill("#purpose", PURPOSE)
    page.check("input[name=id_card_checked]")
    page.click("main form button[type=submit]")
    code = page.locator("#issued-code")
    code.wait_for()
    assert len(code.inner_text().strip()) >= 6
    officer.check("office enrolment code issued")
    shoot(page, "office-enrolment-code")

    # The resident now sees who looked, from which organisation, when and why.
    resident.page.goto("/#/access")
    resident.page.reload()
    resident.page.wait_for_selector("#access-log li")
    status, log = api_get(resident.page, "/api/v1/me/access-log")
    assert status == 200
    entry = log["items"][0]
    assert entry["action"] == "enrolment_code.issued"
    assert entry["purpose"] == PURPOSE
    assert staff["name"] in entry["who"]
    item = resident.page.locator("#access-log li").first
    assert item.locator("h2").inner_text() == ZH["access.action.enrolment_code.issued"]
    text = item.inner_text()
    assert PURPOSE in text and staff["organisation"] in text
    assert f"{staff['name']}（{ZH['role.officer']}）" in text
    assert item.locator("time").get_attribute("datetime") == entry["at"]
    assert resident.page.locator("#access-log li").count() == len(log["items"])
    resident.check("access log with an entry")
    shoot(resident.page, "access-log")


def test_wrong_code_is_reported_on_the_office_login(devices: dict[str, Device]) -> None:
    page = devices["officer"].page
    page.context.clear_cookies()
    page.goto("/office/login")
    page.fill("#staff-code", "WRONG-CODE-123")
    page.click("#office-enrol button[type=submit]")
    page.wait_for_selector("#office-status.error")
    assert page.locator("#office-status").inner_text() == ZH["error.code_invalid"]
    assert page.locator("#staff-code").get_attribute("aria-invalid") == "true"
    devices["officer"].check("office sign-in with an error")
