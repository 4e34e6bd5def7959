"""The honour roll's consent, end to end: officer A nominates at /office/honours, officer B
(independent) approves, the resident is told in the app's inbox and agrees under My honours,
the public /honours page (no sign-in) shows them masked; the resident withdraws and the
public page no longer does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from .due_process_setup import Desk, Phone, second_officer_code
from .harness import PHONE, Server, assert_accessible, catalog, shoot_phone

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
CITATION = "十年如一日义务照料社区孤寡老人"
YEAR = dt.date.today().year


@pytest.fixture(scope="module")
def officer(browser: Any, server: Server) -> Iterator[Desk]:
    desk = Desk(browser, server)
    desk.sign_in(server.credentials["officer_code"])
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def reviewer(browser: Any, server: Server) -> Iterator[Desk]:
    desk = Desk(browser, server)
    desk.sign_in(second_officer_code(server))
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def phone(browser: Any, server: Server) -> Iterator[Phone]:
    device = Phone(browser, server, server.credentials["residents"][2])
    device.enrol()
    yield device
    device.context.close()


@pytest.fixture(scope="module")
def visitor(browser: Any, server: Server) -> Iterator[Any]:
    """Anyone, not signed in, at phone width."""
    context = browser.new_context(base_url=server.base_url, viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def masked(name: str) -> str:
    return name[0] + "*" * (len(name) - 1)


def test_nominate_approve_consent_publish_withdraw(
    officer: Desk, reviewer: Desk, phone: Phone, visitor: Any
) -> None:
    person = phone.person
    shown = masked(person["name"])

    # Officer A nominates from the console.
    page = officer.page
    page.goto("/office/honours")
    page.fill("#id_number", person["id_number"])
    page.select_option("#title", "integrity_star")
    page.fill("#year", str(YEAR))
    page.fill("#citation_zh", CITATION)
    page.click("#nominate-form button[type=submit]")
    assert page.locator("#honours-done").inner_text() == ZH["programme.office.done.nominated"]
    row = page.locator("#honour-proposals tbody tr").first
    assert ZH["programme.office.waiting"] in row.inner_text()  # not A's to decide
    officer.check("office honours")

    # Officer B approves.
    other = reviewer.page
    other.goto("/office/honours")
    other.locator("#honour-proposals tbody tr").first.locator(
        "form[action$='/decision'] button", has_text=ZH["programme.office.approve"]
    ).click()
    assert other.locator("#honours-done").inner_text() == ZH["programme.office.done.approved"]

    # Not published before the resident says yes.
    visitor.goto("/honours")
    assert shown not in visitor.locator("main").inner_text()

    # The resident: a notice in the inbox, then My honours.
    inbox = phone.visit("inbox", ".notice-item[data-kind=honour]")
    title = ZH["notice.honour.title"].format(title=ZH["programme.title.integrity_star"], year=YEAR)
    assert title in inbox.locator(".notice-item[data-kind=honour]").inner_text()
    view = phone.visit("honours", "#my-honours [data-consent=pending]")
    assert CITATION in view.locator("#my-honours").inner_text()
    assert shown in view.locator("#my-honours").inner_text()  # what would be shown
    phone.check("my honours")
    shoot_phone(view, "honours-consent-zh-CN-phone.png")
    view.click("#my-honours [data-consent=give]")
    view.wait_for_selector("#my-honours [data-consent=given]")

    # The public page shows them, masked, without signing in.
    visitor.goto("/honours")
    roll = visitor.locator("#honour-roll").inner_text()
    assert shown in roll and CITATION in roll and person["name"] not in roll
    assert ZH["programme.title.integrity_star"] in roll
    assert_accessible(visitor, "public honour roll")
    shoot_phone(visitor, "honours-roll-zh-CN-phone.png")

    # Withdrawn in the app: gone from the public page at once.
    view.click("#my-honours [data-consent=withdraw]")
    view.wait_for_selector("#my-honours [data-consent=withdrawn]")
    visitor.goto("/honours")
    assert shown not in visitor.locator("main").inner_text()
    assert visitor.locator("#honour-roll").inner_text() == ZH["programme.honours.empty"]


def test_portal_and_campaigns_pages_are_public(visitor: Any) -> None:
    visitor.goto("/credit")
    assert visitor.locator("h1").inner_text() == ZH["programme.portal.title"]
    for href in ("/scoring", "/honours", "/campaigns"):
        assert visitor.locator(f"main a[href='{href}']").count() == 1
    assert ZH["programme.repair.free"] in visitor.locator("#repair").inner_text()
    assert_accessible(visitor, "credit portal")
    shoot_phone(visitor, "credit-portal-zh-CN-phone.png")
    visitor.goto("/campaigns")
    assert visitor.locator("h1").inner_text() == ZH["programme.campaigns.title"]
    assert_accessible(visitor, "campaigns")
