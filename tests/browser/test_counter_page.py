"""The counter page (/counter) the way a library clerk uses it: a counter operator the
partner's admin added registers a passkey at /office/login with the one-time code, a USB
scanner types the resident's pass (decoded from the phone's QR) into the scan field and
presses Enter, the green verdict shows the tier and the masked name, 确认办理 records the
deposit-free loan, and the same presentation cannot be used twice; counter.js sends the
page's own forms and swaps in the server's answer, so none of this reloads the page. The
resident then sees the use in the benefit history and the partner's look in "who viewed my
data".
axe-core runs on the counter and the resident's pages; the strict CSP is watched."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from backend.residents.idnumber import mask_name

from .harness import (
    DESKTOP,
    Server,
    VirtualAuthenticator,
    api_get,
    assert_accessible,
    assert_no_placeholder_text,
    catalog,
    shoot,
    tier_name,
    watch_console,
)
from .partner_setup import _csrf, _ok, enrol_with_code, offer_body
from .test_resident_credit import decode_qr, visit
from .test_resident_pwa import Resident, enrolled

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
PARTNER = "黄石市下陆区图书馆"
BORROW_ZH = "少儿图书免押金借阅"
BORROW = "Deposit-free children's books"
RARE = "Priority for the reading room"
OPERATOR = "孙柜员"


def at(*paths: str) -> Callable[[str], bool]:
    return lambda url: urlsplit(url).path in paths


def posted_to(path: str) -> Callable[[Any], bool]:
    return lambda response: (
        response.request.method == "POST" and urlsplit(response.url).path == path
    )


@dataclass
class CounterSetup:
    offers: dict[str, int]  # title_en → offer id
    operator_code: str


@pytest.fixture(scope="module")
def setup(server: Server) -> CounterSetup:
    """Over the API, as a library joins: apply, approved by the credit officer; the partner's
    admin enrols, registers two offers (one the resident qualifies for, one that needs the top
    tier), the officer approves them, and the admin adds a counter operator."""
    with (
        httpx.Client(base_url=server.base_url, timeout=10) as officer,
        httpx.Client(base_url=server.base_url, timeout=10) as admin,
    ):
        enrol_with_code(officer, server.credentials["officer_code"])
        applied = _ok(
            officer.post(
                "/api/v1/partner-applications",
                json={"name": PARTNER, "domain": "library", "contact_name": "郑馆长",
                      "contact_phone": "0714-6333333"},
            ),
            201,
        )  # fmt: skip
        decided = _ok(
            officer.post(f"/api/v1/partners/{applied['id']}/decision", json={"approve": True},
                         headers=_csrf(officer))
        )  # fmt: skip
        enrol_with_code(admin, decided["admin_enrolment_code"])
        offers: dict[str, int] = {}
        for body in (
            offer_body(BORROW_ZH, BORROW, limit_note_zh="最多5册", limit_note_en="up to 5 books"),
            offer_body("阅览室优先预约", RARE, kind="priority", amount_cents=0,
                       min_tier="excellent"),
        ):  # fmt: skip
            offer = _ok(admin.post("/api/v1/partner/offers", json=body, headers=_csrf(admin)), 201)
            approved = _ok(
                officer.post(f"/api/v1/offers/{offer['id']}/decision", json={"approve": True},
                             headers=_csrf(officer))
            )  # fmt: skip
            assert approved["status"] == "live", approved
            offers[body["title_en"]] = offer["id"]
        operator = _ok(
            admin.post("/api/v1/partner/operators", json={"display_name": OPERATOR},
                       headers=_csrf(admin)),
            201,
        )  # fmt: skip
    assert len(operator["enrolment_code"]) >= 6, operator
    return CounterSetup(offers, operator["enrolment_code"])


class Counter:
    """The counter's desktop: its own browser context, cookies and passkey authenticator."""

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

    def scan(self, text: str) -> None:
        """A USB scanner: keystrokes into the focused scan field, then Enter."""
        page = self.page
        page.wait_for_function("() => document.activeElement?.id === 'pass-text'")
        page.keyboard.type(text)
        page.keyboard.press("Enter")


@pytest.fixture(scope="module")
def phone(browser: Any, server: Server) -> Iterator[Resident]:
    resident = Resident(browser, server)
    yield resident
    resident.context.close()


@pytest.fixture(scope="module")
def counter(browser: Any, server: Server) -> Iterator[Counter]:
    desk = Counter(browser, server)
    yield desk
    desk.context.close()


def sign_in_at_counter(counter: Counter, code: str) -> None:
    """First sign-in: the one-time code, then a passkey on the counter's own authenticator."""
    page = counter.page
    page.goto("/office/login?next=/counter")
    page.fill("#staff-code", code)
    page.click("#office-enrol button[type=submit]")
    # office.js sends a newly registered account to /office (it ignores ?next=); from there
    # the clerk follows the link to the counter.
    page.wait_for_url(at("/office", "/counter"))
    assert len(counter.authenticator.credentials()) == 1
    if urlsplit(page.url).path == "/office":
        page.get_by_role("link", name=ZH["office.link_counter"]).click()
        page.wait_for_url(at("/counter"))
    page.wait_for_selector("#scan-form")


def test_counter_verifies_and_records_a_benefit_once(
    phone: Resident, counter: Counter, setup: CounterSetup, tmp_path: Path
) -> None:
    # The resident opens the pass on the phone; the QR is what the scanner reads.
    enrolled(phone)
    page = visit(phone, "pass", "#pass-qr")
    score = api_get(page, "/api/v1/me/score")[1]
    text = decode_qr(page, tmp_path / "qr.png")
    assert text.startswith("XY2:")

    # The clerk's first sign-in, then on to the counter page.
    sign_in_at_counter(counter, setup.operator_code)
    desk = counter.page
    assert desk.locator("h1 .org").inner_text() == PARTNER
    assert desk.locator("#pass-text").evaluate("el => el === document.activeElement")
    counter.check("counter, ready to scan")
    desk.evaluate("() => { window.sameCounterPage = true; }")  # gone if the page reloads

    # Scan → the green verdict: the tier, the masked name, the offer that applies.
    with desk.expect_response(posted_to("/counter")) as verified:
        counter.scan(text)
    assert verified.value.status == 200
    panel = desk.locator("#verdict-panel.verdict-ok")
    panel.wait_for()
    assert panel.locator("#verdict-title").inner_text().strip() == ZH["counter.state.ok"]
    assert panel.locator(".verdict-tier").inner_text() == ZH["counter.tier"].format(
        tier=tier_name(score["tier"]["code"])
    )
    masked = mask_name(phone.person["name"])
    assert masked[0] == phone.person["name"][0] and "*" in masked  # e.g. 刘* or 唐*华
    shown = panel.locator(".masked-name").inner_text()  # residents.display.id_check
    assert shown.startswith(f"{masked}（{len(phone.person['name'])} 个字，") and "年生）" in shown
    eligible = panel.locator(".offer-item.eligible")
    assert eligible.count() == 1
    assert BORROW_ZH in eligible.locator(".offer-line").inner_text()
    ineligible = panel.locator(".offer-item.ineligible")
    assert ineligible.count() == 1 and ineligible.get_attribute("data-why-not") == "tier_too_low"
    assert desk.locator("#pass-text").input_value() == ""  # ready for the next scan
    assert desk.title().startswith(ZH["counter.state.ok"])

    # 确认办理 → recorded: 已办理 · 押金已免 100 元.
    borrow = setup.offers[BORROW]
    confirm = panel.locator(f"button.confirm[data-offer-id='{borrow}']")
    assert ZH["counter.confirm"] in confirm.inner_text()
    with desk.expect_response(posted_to("/counter/redeem")) as created:
        confirm.click()
    assert created.value.status == 200
    sent = parse_qs(created.value.request.post_data or "")
    assert sent["offer_id"] == [str(borrow)] and sent["text"] == [text]
    assert len(sent["idempotency_key"][0]) >= 16  # the key the verdict's form carries
    done = panel.locator(".offer-result .offer-done")
    done.wait_for()
    assert done.inner_text() == ZH["counter.done.deposit_waived"].format(amount="100")
    assert ZH["counter.outcome_ok"] in done.inner_text()
    number = re.escape(ZH["counter.redemption_no"]).replace(re.escape("{id}"), r"(\d+)")
    shown = re.match(number, panel.locator(".offer-detail").inner_text())
    assert shown, panel.locator(".offer-detail").inner_text()
    redemption_id = int(shown.group(1))  # checked against the resident's history below
    assert panel.locator("button.confirm").count() == 0
    assert desk.title().startswith(ZH["counter.outcome_ok"])
    assert desk.evaluate("() => window.sameCounterPage") is True
    counter.check("counter, benefit recorded")
    shoot(desk, "counter")

    # The same presentation again: no green for a used pass — the verdict says it was used
    # and offers nothing to confirm (issue 11).
    counter.scan(text)
    used = desk.locator("#verdict-panel.verdict-refused[data-reason='used']")
    used.wait_for()
    assert ZH["pass.reason.used"] in used.inner_text()
    assert desk.locator("#verdict-panel button.confirm").count() == 0
    assert desk.locator("#verdict-panel .offer-done").count() == 0
    assert desk.evaluate("() => window.sameCounterPage") is True
    counter.check("counter, already used")

    # The resident: the use in the benefit history…
    page = visit(phone, "benefits", "#benefits-list")
    uses = api_get(page, "/api/v1/me/benefits")[1]["items"]
    assert [u["id"] for u in uses] == [redemption_id]  # recorded once
    assert uses[0]["deposit_waived_cents"] == 10000
    use = page.locator(f"li[data-benefit-id='{redemption_id}']")
    assert use.locator("h2").inner_text() == BORROW_ZH
    assert PARTNER in use.inner_text()
    assert use.locator("dd[data-fact=deposit]").inner_text() == ZH["pwa.benefits.yuan"].format(
        amount="100"
    )
    assert use.locator("dd[data-fact=outcome]").inner_text() == ZH["pwa.benefits.outcome.open"]
    phone.check("benefits after the counter")

    # …and the partner's look in "who viewed my data".
    page = visit(phone, "access", "#access-log li")
    log = api_get(page, "/api/v1/me/access-log")[1]["items"]
    looks = [e for e in log if e["action"] == "pass.verified"]
    assert looks and all(e["purpose"] == "benefit check" for e in looks), looks
    shown = page.locator("#access-log li[data-action='pass.verified']")
    assert shown.count() == len(looks)
    look = shown.first
    assert look.locator("h2").inner_text() == ZH["access.action.pass.verified"]
    assert PARTNER in look.inner_text()
    assert OPERATOR in look.inner_text()
    assert ZH["access.purpose.benefit_check"] in look.inner_text()  # in words, not the code
    uses_logged = page.locator("#access-log li[data-action='redemption.created']")
    assert uses_logged.count() == 1  # the refused second confirm recorded nothing
    assert PARTNER in uses_logged.inner_text()
    phone.check("access log with the counter's look")
