"""容缺受理 at a government counter, the way it happens: the city's government service centre
joins as a partner of domain `government`; a resident on the red list shows the live pass on
the phone; the clerk scans it at /counter and reads the handling hints (绿色通道, 容缺受理),
fills in the matter, the missing document and the due date; the resident opens 信用承诺 in the
app and signs the commitment with their own passkey; the counter now shows it signed, and
when the document is handed in the clerk records it and the commitment is kept.
axe-core runs on the counter and the resident's pages; the strict CSP is watched."""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from .harness import (
    DESKTOP,
    PYTHON,
    ROOT,
    Server,
    VirtualAuthenticator,
    api_get,
    assert_accessible,
    assert_no_placeholder_text,
    catalog,
    shoot,
    watch_console,
)
from .partner_setup import _csrf, _ok, enrol_with_code, join_partner
from .test_resident_credit import decode_qr, visit
from .test_resident_pwa import Resident, enrolled

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
CENTRE = "黄石市政务服务中心"
MATTER = "申请公租房资格"

# Run with the server's settings: put a demo resident on the red list, as two officers would
# (the four-eyes pages are tested elsewhere; here it only sets the stage).
RED_LIST = """
import asyncio, datetime as dt, sys
from backend.cli import with_orm
from backend.core.settings import load_settings
from backend.core.crypto import IdCipher
from backend.credit.models import ListEntry
from backend.office.people import find_person

async def work():
    settings = load_settings()
    person = await find_person(cipher=IdCipher.from_settings(settings), id_number=sys.argv[1])
    await ListEntry.create(
        person_id=person.id, kind="red", source="manual", reason="信用状况良好",
        legal_basis="黄信用〔2018〕1号 五（一）", decision_doc_no="黄信用〔2026〕9号",
        start=dt.date.today() - dt.timedelta(days=1), status="active")

settings = load_settings()
asyncio.run(with_orm(settings, work))
"""


@dataclass
class Centre:
    operator_code: str


@pytest.fixture(scope="module")
def centre(server: Server) -> Centre:
    """The centre joins over the API (approved by the credit officer) and adds a clerk; the
    first demo resident is put on the red list before their pass is issued."""
    with (
        httpx.Client(base_url=server.base_url, timeout=10) as officer,
        httpx.Client(base_url=server.base_url, timeout=10) as admin,
    ):
        enrol_with_code(officer, server.credentials["officer_code"])
        join_partner(officer, admin, name=CENTRE, domain="government", contact="王主任",
                     phone="0714-6200000")  # fmt: skip
        clerk = _ok(
            admin.post("/api/v1/partner/operators", json={"display_name": "刘窗口"},
                       headers=_csrf(admin)),
            201,
        )  # fmt: skip
    person = server.credentials["residents"][0]
    subprocess.run(
        [PYTHON, "-c", RED_LIST, person["id_number"]],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return Centre(clerk["enrolment_code"])


class Clerk:
    """The centre's desktop: its own browser context, cookies and passkey authenticator."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.context = browser.new_context(
            base_url=server.base_url, viewport=DESKTOP, locale="zh-CN"
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
def phone(browser: Any, server: Server) -> Iterator[Resident]:
    resident = Resident(browser, server)
    yield resident
    resident.context.close()


@pytest.fixture(scope="module")
def clerk(browser: Any, server: Server) -> Iterator[Clerk]:
    desk = Clerk(browser, server)
    yield desk
    desk.context.close()


def test_a_red_list_resident_is_accepted_with_a_document_to_follow(
    centre: Centre, phone: Resident, clerk: Clerk, tmp_path: Path
) -> None:
    # The resident's live pass: the QR the clerk's scanner reads.
    enrolled(phone)
    page = visit(phone, "pass", "#pass-qr")
    text = decode_qr(page, tmp_path / "qr.png")
    lists = api_get(page, "/api/v1/me/lists")[1]
    assert "red" in str(lists), lists

    # The clerk signs in with the one-time code and a passkey, then opens the counter.
    desk = clerk.page
    desk.goto("/office/login?next=/counter")
    desk.fill("#staff-code", centre.operator_code)
    desk.click("#office-enrol button[type=submit]")
    desk.wait_for_url(lambda url: urlsplit(url).path in ("/office", "/counter"))
    if urlsplit(desk.url).path == "/office":
        desk.get_by_role("link", name=ZH["office.link_counter"]).click()
    desk.wait_for_selector("#scan-form")
    assert desk.locator("h1 .org").inner_text() == CENTRE

    # Scan: valid, and the hints a government counter may see for the red list.
    desk.wait_for_function("() => document.activeElement?.id === 'pass-text'")
    desk.keyboard.type(text)
    desk.keyboard.press("Enter")
    panel = desk.locator("#verdict-panel")
    panel.wait_for()
    hints = panel.locator("#handling-hints li")
    assert [hints.nth(i).get_attribute("data-hint") for i in range(hints.count())] == [
        "green_channel",
        "deferred_acceptance",
    ]
    assert "绿色通道" in hints.first.inner_text() and "五（一）" in hints.first.inner_text()
    form = panel.locator("#defer-form")
    assert form.locator("#defer-title").inner_text() == ZH["counter.defer.title"]
    clerk.check("counter, a red-list resident scanned")
    shoot(desk, "counter-deferred-acceptance")

    # 容缺受理: the matter, the missing document, a due date within the limit.
    latest = form.locator("#defer-due").get_attribute("max")
    assert latest and dt.date.fromisoformat(latest) > dt.date.today()
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    due = min(due, latest)
    form.locator("#defer-matter").fill(MATTER)
    form.locator("#defer-document").select_option("income_certificate")
    form.locator("#defer-due").fill(due)
    with desk.expect_navigation():
        form.locator("#defer-submit").click()
    opened = desk.locator("#deferral-opened")
    opened.wait_for()
    number = int(opened.get_attribute("data-deferral-id") or 0)
    assert number > 0
    assert ZH["counter.defer.ask_to_sign"] in opened.inner_text()
    waiting = desk.locator(f"#deferral-{number}")
    assert waiting.get_attribute("data-status") == "awaiting_signature"
    assert MATTER in waiting.inner_text() and "收入证明" in waiting.inner_text()
    clerk.check("counter, waiting for the resident's signature")

    # The resident's inbox says what to do; its link opens the commitment to sign.
    page = visit(phone, "inbox", "#inbox-list li[data-kind='deferral']")
    notice = page.locator("#inbox-list li[data-kind='deferral']")
    assert notice.locator(".notice-title").inner_text().endswith(ZH["notice.deferral.title"])
    assert CENTRE in notice.inner_text() and MATTER in notice.inner_text()
    phone.check("inbox, a commitment to sign")
    notice.locator(".notice-title a").click()
    page.wait_for_selector(f"#deferral-{number}")

    # The resident signs the commitment in the app, with their own passkey.
    card = page.locator(f"#deferral-{number}")
    assert card.get_attribute("data-status") == "awaiting_signature"
    assert CENTRE in card.inner_text() and MATTER in card.inner_text()
    assert "收入证明" in card.inner_text() and due in card.inner_text()
    assert "本人申请的事项因暂缺所列材料" in card.locator(".commitment-text").inner_text()
    phone.check("commitments, a commitment to sign")
    shoot(page, "resident-deferred-acceptance")
    before = len(phone.authenticator.credentials())
    card.locator(f"button[data-sign-deferral='{number}']").click()
    page.wait_for_selector(f"#deferral-{number}[data-status='committed']")
    assert ZH["pwa.deferrals.status.committed"] in page.locator(f"#deferral-{number}").inner_text()
    assert len(phone.authenticator.credentials()) == before  # signed with the same passkey
    mine = api_get(page, "/api/v1/me/commitments")[1]["items"]
    assert [m["code"] for m in mine] == ["deferred_acceptance"]
    phone.check("commitments, signed")

    # The counter sees it signed with its due date; the document comes in, the clerk records it.
    desk.goto("/counter")
    signed = desk.locator(f"#deferral-{number}")
    assert signed.get_attribute("data-status") == "committed"
    assert ZH["counter.defer.status.committed"].format(due=due) in signed.inner_text()
    clerk.check("counter, commitment signed")
    with desk.expect_navigation():
        desk.locator(f"#received-{number}").click()
    desk.locator("#deferral-received").wait_for()
    assert desk.locator(f"#deferral-{number}").count() == 0
    clerk.check("counter, document received")

    page.reload()  # the app shows the counter's answer on its next load
    kept = page.locator(f"#deferral-{number}[data-status='fulfilled']")
    kept.wait_for()
    assert ZH["pwa.deferrals.status.fulfilled"] in kept.inner_text()
    log = api_get(page, "/api/v1/me/access-log")[1]["items"]
    assert {"deferral.opened", "deferral.fulfilled"} <= {e["action"] for e in log}
