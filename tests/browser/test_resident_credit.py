"""The resident's credit pages end to end: score, records, lists, offers and benefits match
the API; the pass QR decodes, verifies at a partner, rotates every 30 s and keeps working
offline; a redemption shows in the benefit history and the partner's look in the access
log; a court record puts the resident on the black list and the old pass is revoked.
axe-core runs on every page in Chinese, English and elder mode; the strict CSP is watched."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from backend.residents.idnumber import mask_name

from .harness import (
    SHELL_CACHE,
    Server,
    api_get,
    catalog,
    list_name,
    shoot_phone,
    tier_name,
)
from .partner_setup import Partner, offer_body, setup_partner
from .test_resident_pwa import Resident, enrolled

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
EN = catalog("en")
PAGES = ["score", "records", "lists", "pass", "devices", "offers", "benefits"]


def signed(points: int) -> str:
    return f"+{points}" if points > 0 else f"−{-points}" if points < 0 else "0"


def points_text(points: int, messages: dict[str, str] = ZH) -> str:
    return messages["pwa.points"].format(points=signed(points))


@pytest.fixture(scope="module")
def phone(browser: Any, server: Server) -> Iterator[Resident]:
    resident = Resident(browser, server)
    yield resident
    resident.context.close()


PARTNER = "黄石市少年儿童图书馆"
BORROW = "Deposit-free picture books"
RARE = "Priority for rare books"


@pytest.fixture(scope="module")
def partner(server: Server) -> Partner:
    """A partner of our own (the demo city has others): two offers, one the resident
    qualifies for and one that needs the top tier."""
    return setup_partner(
        server.base_url,
        server.credentials["officer_code"],
        name=PARTNER,
        offers=[
            offer_body(
                "绘本免押金借阅", BORROW, limit_note_zh="最多5册", limit_note_en="up to 5 books"
            ),
            offer_body(
                "古籍阅览优先预约", RARE, kind="priority", amount_cents=0, min_tier="excellent"
            ),
        ],
    )


def visit(resident: Resident, route: str, ready: str) -> Any:
    page = resident.page
    page.goto(f"/#/{route}")
    page.wait_for_selector(ready)
    return page


def intl_date(page: Any, iso: str) -> str:
    """A YYYY-MM-DD date the way the page shows it (Intl, medium date style)."""
    return str(
        page.evaluate(
            "([iso]) => new Intl.DateTimeFormat(document.documentElement.lang, "
            "{dateStyle: 'medium'}).format(new Date(iso + 'T00:00:00'))",
            [iso],
        )
    )


def decode_qr(page: Any, path: Path) -> str:
    page.locator("#pass-qr").screenshot(path=str(path))
    found = zxingcpp.read_barcodes(Image.open(path))
    # The decoder can report one symbol twice (found by two of its detectors); what counts is
    # that the picture holds one code, so the same text once.
    found = list({f.text: f for f in found}.values())
    assert len(found) == 1, [(f.text, f.position) for f in found]
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    assert found[0].ec_level == "M"
    return str(found[0].text)


def test_score_page_explains_every_point(phone: Resident) -> None:
    enrolled(phone)
    page = visit(phone, "score", "#score-value")
    status, score = api_get(page, "/api/v1/me/score")
    assert status == 200 and score["has_score"], score
    assert page.locator("#score-value").inner_text() == str(score["score"])
    assert page.locator("#score-tier").inner_text() == score["tier"]["name"]["zh-CN"]
    assert score["model_version"] in page.locator("#score-meta").inner_text()
    for dim in score["dimensions"]:
        row = page.locator(f"li[data-dimension='{dim['code']}']")
        assert row.locator(".dim-name").inner_text() == dim["name"]["zh-CN"]
        assert row.locator(".dim-points").inner_text() == points_text(dim["points"])
        assert (
            ZH["pwa.score.dimension_range"].format(min=signed(dim["min"]), max=signed(dim["max"]))
            in row.locator(".dim-range").inner_text()
        )
    assert page.locator("li[data-dimension]").count() == len(score["dimensions"]) == 5
    for block, key in (("#score-lowering", "lowering"), ("#score-raising", "raising")):
        shown = page.locator(f"{block} li.reason")
        assert shown.count() == len(score[key])
        for i, item in enumerate(score[key]):
            link = shown.nth(i).locator("a")
            assert link.inner_text() == item["name"]["zh-CN"]
            assert link.get_attribute("href") == f"#/records/{item['id']}"
            assert points_text(item["points"]) in shown.nth(i).inner_text()
    kinds = page.locator("#score-suggestions li").evaluate_all(
        "els => els.map(e => e.dataset.kind)"
    )
    assert kinds == [s["kind"] for s in score["suggestions"]]
    for item in score["suggestions"]:
        if item["kind"] == "earn":
            text = ZH["pwa.score.suggest_earn"].format(name=item["name"]["zh-CN"],
                                                       points=signed(item["points"]))  # fmt: skip
            assert page.locator("#score-suggestions li", has_text=text).count() == 1
    if any(s["kind"] != "earn" for s in score["suggestions"]):
        assert page.get_by_text(ZH["pwa.score.repair_free"]).is_visible()
    history = api_get(page, "/api/v1/me/score/history")[1]["items"]
    assert page.locator("#score-history-table tbody tr").count() == len(history) >= 1
    assert page.locator("#scoring-link").get_attribute("href") == "/scoring"
    assert page.locator("svg.gauge-svg path.gauge-value").count() == 1
    phone.check("score")
    shoot_phone(page, "score.png")


def test_records_list_filters_and_detail(phone: Resident) -> None:
    enrolled(phone)
    page = visit(phone, "records", "#records-count")
    everything = api_get(page, "/api/v1/me/records")[1]["items"]
    assert page.locator("#records-list > li").count() == len(everything) > 0
    assert page.locator("#records-count").inner_text() == ZH["pwa.records.count"].format(
        count=len(everything)
    )
    shown_ids = page.locator("#records-list > li").evaluate_all(
        "els => els.map(e => Number(e.dataset.recordId))"
    )
    assert shown_ids == [r["id"] for r in everything]
    phone.check("records")
    shoot_phone(page, "records.png")
    for name, status in (("counting", "active"), ("expired", "expired")):
        page.click(f".filters a[data-filter={name}]")
        page.wait_for_selector(f".filters a[data-filter={name}][aria-current=page]")
        expected = api_get(page, f"/api/v1/me/records?status={status}")[1]["items"]
        assert page.locator("#records-list > li").count() == len(expected)
        assert page.evaluate("() => document.activeElement.dataset.filter") == name

    # A negative record: its facts, and how to object or repair — free, no dead buttons.
    record = next((r for r in everything if r["points"] < 0), everything[0])
    page = visit(phone, f"records/{record['id']}", "#record-facts")
    detail = api_get(page, f"/api/v1/me/records/{record['id']}")[1]
    assert page.locator("main h1").inner_text() == detail["name"]["zh-CN"]

    def fact(name: str) -> str:
        return str(page.locator(f"#record-facts dd[data-fact={name}]").inner_text())

    assert fact("department") == detail["department_name"]["zh-CN"]
    assert fact("legal_basis") == detail["legal_basis"]["zh-CN"]
    assert fact("decision_date") == intl_date(page, detail["decision_date"])
    assert fact("decision_doc_no") == (detail["decision_doc_no"] or ZH["pwa.record.not_given"])
    assert points_text(detail["points"]) in fact("effect")
    assert fact("status") == ZH[f"pwa.records.status.{detail['status']}"]
    assert intl_date(page, detail["expires_on"]) in fact("expires_on")
    assert page.locator("#record-points").inner_text() == points_text(detail["points"])
    if detail["points"] < 0:
        assert page.locator("#record-contest").is_visible()
        assert page.get_by_text(ZH["pwa.record.free"]).is_visible()
        assert page.locator("#record-contest button").count() == 0
    phone.check("record detail")


def test_not_on_any_list(phone: Resident) -> None:
    enrolled(phone)
    page = visit(phone, "lists", "#lists-empty, #lists-entries")
    assert api_get(page, "/api/v1/me/lists")[1]["items"] == []
    assert page.locator("#lists-empty h2").inner_text() == ZH["pwa.lists.none"]
    phone.check("lists, empty")


def test_offers_say_who_qualifies_and_why_not(phone: Resident, partner: Partner) -> None:
    enrolled(phone)
    page = visit(phone, "offers", "#offers-count")
    offers = api_get(page, "/api/v1/me/offers")[1]
    assert page.locator("#offers-list > li").count() == len(offers["items"])
    eligible = [o for o in offers["items"] if o["eligible"]]
    assert page.locator("#offers-count").inner_text() == ZH["pwa.offers.count"].format(
        count=len(offers["items"]), eligible=len(eligible)
    )
    for offer in offers["items"]:
        card = page.locator(f"li[data-offer-id='{offer['id']}']")
        assert card.locator("h2").inner_text() == offer["title"]["zh-CN"]
        assert card.locator(".offer-partner").inner_text() == offer["partner"]["name"]
        verdict = card.locator(".offer-verdict")
        if offer["eligible"]:
            assert verdict.inner_text() == ZH["pwa.offers.eligible"]
        elif offer["why_not"] == "tier_too_low":
            assert verdict.inner_text() == ZH["pwa.offers.why_not.tier_too_low"].format(
                tier=tier_name(offer["min_tier"])
            )
    ours = {o["title"]["en"]: o for o in offers["items"] if o["partner"]["name"] == PARTNER}
    assert ours[BORROW]["eligible"] and ours[RARE]["why_not"] == "tier_too_low"
    for domain in ("hospital", "library"):
        page.click(f".filters a[data-domain={domain}]")
        page.wait_for_selector(f".filters a[data-domain={domain}][aria-current=page]")
        expected = api_get(page, f"/api/v1/me/offers?domain={domain}")[1]["items"]
        assert page.locator("#offers-list > li").count() == len(expected)
        assert {o["domain"] for o in expected} == {domain}
        assert page.evaluate("() => document.activeElement.dataset.domain") == domain
    page.click(".filters a[data-domain=all]")
    page.wait_for_selector(".filters a[data-domain=all][aria-current=page]")
    phone.check("offers")
    shoot_phone(page, "offers.png")


def test_pass_verifies_rotates_and_works_offline(
    phone: Resident, partner: Partner, server: Server, tmp_path: Path
) -> None:
    enrolled(phone)
    page = visit(phone, "pass", "#pass-qr")
    score = api_get(page, "/api/v1/me/score")[1]
    # The private key is a non-extractable CryptoKey kept in IndexedDB.
    key = page.evaluate(
        """() => new Promise((resolve, reject) => {
          const open = indexedDB.open('xinyi-pass');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const get = open.result.transaction('pass').objectStore('pass').get('device');
            get.onsuccess = () => {
              const k = get.result.keyPair.privateKey;
              resolve({extractable: k.extractable, name: k.algorithm.name,
                       curve: k.algorithm.namedCurve, usages: k.usages});
            };
          };
        })"""
    )
    assert key == {"extractable": False, "name": "ECDSA", "curve": "P-256", "usages": ["sign"]}
    assert page.locator("#pass-tier").inner_text() == tier_name(score["tier"]["code"])
    assert page.locator("#pass-qr").get_attribute("data-modules") == "57"  # version 10
    text = decode_qr(page, tmp_path / "qr-1.png")
    assert text.startswith("XY2:") and len(text) == 307  # docs/pass-format.md, version 2
    verdict = partner.verify(text)
    assert verdict["valid"] and verdict["reason"] == "valid", verdict
    assert verdict["tier"] == score["tier"]["code"]
    assert verdict["masked_name"] == mask_name(phone.person["name"])
    assert [o["title"]["en"] for o in verdict["eligible_offers"]] == [BORROW]
    assert [o["title"]["en"] for o in verdict["ineligible_offers"]] == [RARE]
    offers = api_get(page, "/api/v1/me/offers")[1]["items"]
    assert page.locator("#pass-offers li").count() == len([o for o in offers if o["eligible"]])
    assert page.locator("#paper-pass-link").get_attribute("href") == "/passes/paper"
    phone.check("pass")
    shoot_phone(page, "pass.png")

    # Airplane mode: reload from the service worker's cache; the pass still signs.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.wait_for_function(f"() => caches.has('{SHELL_CACHE}')")
    phone.context.set_offline(True)
    try:
        page.reload()
        page.wait_for_selector("#pass-qr")
        assert page.locator("#pass-status").inner_text() == ZH["pwa.pass.offline_valid"]
        assert page.locator("#offline-banner").is_visible()
        offline_text = decode_qr(page, tmp_path / "qr-2.png")
        assert partner.verify(offline_text)["valid"]
        phone.check("pass offline")
        # The next 30-second step (by the server's clock) brings a new presentation.
        before = page.locator("#pass-qr path").get_attribute("d")
        wait = 30 - time.time() % 30
        page.wait_for_function(
            "d => document.querySelector('#pass-qr path').getAttribute('d') !== d",
            arg=before, timeout=int((wait + 5) * 1000),
        )  # fmt: skip
        rotated = decode_qr(page, tmp_path / "qr-3.png")
        assert rotated != offline_text and rotated[:180] == offline_text[:180]  # same certificate
        assert partner.verify(rotated)["valid"]
    finally:
        phone.context.set_offline(False)
    # Back online, the next start renews the certificate.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/pass")) as renewed:
        page.reload()
    assert renewed.value.status == 201
    page.wait_for_selector("#pass-qr")
    assert page.locator("#offline-banner").is_hidden()
    assert page.locator("#pass-status").inner_text() == ZH["pwa.pass.valid_online"]


def test_redemption_shows_in_benefits_and_access_log(
    phone: Resident, partner: Partner, tmp_path: Path
) -> None:
    enrolled(phone)
    page = visit(phone, "pass", "#pass-qr")
    text = decode_qr(page, tmp_path / "qr-redeem.png")
    offer_id = partner.offers[BORROW]
    redemption = partner.redeem(text, offer_id, key="loan-browser-0001")
    assert redemption["deposit_waived_cents"] == 10000

    page = visit(phone, "benefits", "#benefits-list")
    uses = api_get(page, "/api/v1/me/benefits")[1]["items"]
    assert page.locator("#benefits-list > li").count() == len(uses) == 1
    use = page.locator(f"li[data-benefit-id='{uses[0]['id']}']")
    assert use.locator("h2").inner_text() == "绘本免押金借阅"
    assert PARTNER in use.inner_text()
    assert use.locator("dd[data-fact=deposit]").inner_text() == ZH["pwa.benefits.yuan"].format(
        amount="100"
    )
    assert use.locator("dd[data-fact=outcome]").inner_text() == ZH["pwa.benefits.outcome.open"]
    assert use.locator("dd[data-fact=due]").inner_text() == intl_date(page, uses[0]["due_on"])
    phone.check("benefits")
    shoot_phone(page, "benefits.png")

    page = visit(phone, "access", "#access-log li")
    look = page.locator("#access-log li[data-action='pass.verified']").first
    assert look.locator("h2").inner_text() == ZH["access.action.pass.verified"]
    assert PARTNER in look.inner_text()
    assert page.locator("#access-log li[data-action='redemption.created']").count() == 1
    phone.check("access log with the partner's look")


STORED_KEYS = """() => new Promise((resolve, reject) => {
  const open = indexedDB.open('xinyi-pass');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const keys = open.result.transaction('pass').objectStore('pass').getAllKeys();
    keys.onsuccess = () => resolve(keys.result.sort());
  };
})"""


def test_removing_this_phone_deletes_its_key(
    phone: Resident, partner: Partner, tmp_path: Path
) -> None:
    enrolled(phone)
    page = visit(phone, "pass", "#pass-qr")
    old_text = decode_qr(page, tmp_path / "old.png")
    page = visit(phone, "devices", "#devices-list")
    devices = api_get(page, "/api/v1/me/devices")[1]["items"]
    assert page.locator("#devices-list > li").count() == len(devices) == 1
    assert page.locator(".this-device").count() == 1
    page.click("#devices-list button.danger")
    phone.check("devices, confirm removal")
    page.click("#devices-list .confirm button.secondary")  # changed my mind
    assert page.locator("#devices-list .confirm").count() == 0
    assert page.evaluate(STORED_KEYS) == ["certificate", "device"]

    page.click("#devices-list button.danger")
    page.click("#devices-list .confirm button.danger")
    page.wait_for_selector("#devices-empty")
    assert page.locator(".notice.success").inner_text() == ZH["pwa.devices.removed_this"].format(
        name=devices[0]["label"]
    )
    assert page.evaluate(STORED_KEYS) == []
    assert partner.verify(old_text)["reason"] == "revoked"
    # Opening the pass again makes a new key and registers it.
    page = visit(phone, "pass", "#pass-qr")
    assert partner.verify(decode_qr(page, tmp_path / "new.png"))["valid"]
    fresh = api_get(page, "/api/v1/me/devices")[1]["items"]
    assert len(fresh) == 1 and fresh[0]["id"] != devices[0]["id"]


def test_no_score_yet_is_explained_kindly(phone: Resident) -> None:
    enrolled(phone)
    page = phone.page
    answer = {
        "has_score": False,
        "model_version": "v1",
        "range": {"min": 350, "max": 950, "base": 600},
    }
    page.route("**/api/v1/me/score", lambda route: route.fulfill(json=answer))
    try:
        page = visit(phone, "score", "#no-score")
        assert page.locator("#no-score h2").inner_text() == ZH["pwa.score.none_heading"]
        assert ZH["pwa.score.none_body"] in page.locator("#no-score").inner_text()
        assert page.locator("#score-value").count() == 0
        phone.check("score, none yet")
    finally:
        page.unroute("**/api/v1/me/score")


def test_court_record_puts_me_on_the_black_list(
    phone: Resident, partner: Partner, server: Server, tmp_path: Path
) -> None:
    enrolled(phone)
    page = visit(phone, "pass", "#pass-qr")
    old_text = decode_qr(page, tmp_path / "before.png")
    token = server.credentials["department_tokens"]["court"]
    submitted = httpx.post(
        f"{server.base_url}/api/v1/records",
        headers={"Authorization": f"Bearer {token}"},
        json=[{"external_id": "ZX-2025-0042", "id_number": phone.person["id_number"],
               "type": "LAW_COURT_DEFAULTER", "decision_date": str(dt.date.today()),
               "decision_doc_no": "（2025）鄂02执1234号", "summary": "未履行生效判决确定的给付义务"}],
        timeout=10,
    )  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    assert partner.verify(old_text)["reason"] == "revoked"  # the tier and lists changed

    page = visit(phone, "lists", "#lists-entries")
    entries = api_get(page, "/api/v1/me/lists")[1]["items"]
    assert [e["list"] for e in entries] == ["black"]
    entry = page.locator(f"li[data-entry-id='{entries[0]['id']}']")
    assert entry.locator(".list-badge").inner_text() == list_name("black")
    assert entry.locator("dd[data-fact=why]").inner_text() == ZH["pwa.lists.rule.court_defaulter"]
    assert (
        entry.locator("dd[data-fact=legal_basis]").inner_text()
        == entries[0]["legal_basis"]["zh-CN"]
    )
    assert entry.locator("dd[data-fact=start]").inner_text() == intl_date(page, entries[0]["start"])
    assert entry.locator("dd[data-fact=decision_doc_no]").inner_text() == "（2025）鄂02执1234号"
    record_link = entry.locator("a[href^='#/records/']")  # (the other link asks for review)
    assert record_link.inner_text() == "失信被执行人"
    assert record_link.get_attribute("href") == f"#/records/{entries[0]['record_ids'][0]}"
    phone.check("lists, black")
    shoot_phone(page, "lists.png")

    # The record says how to object or repair it: free, explained, no dead buttons.
    record_link.click()
    page.wait_for_selector("#record-contest")
    record = api_get(page, f"/api/v1/me/records/{entries[0]['record_ids'][0]}")[1]
    assert record["repairable"] and record["repairable_from"] > str(dt.date.today())
    assert page.locator("#record-repair").inner_text() == ZH["pwa.record.repair_from"].format(
        date=intl_date(page, record["repairable_from"])
    )
    assert (
        page.locator("#record-facts dd[data-fact=decision_doc_no]").inner_text()
        == "（2025）鄂02执1234号"
    )
    assert page.locator("#record-contest button").count() == 0
    phone.check("a court record")
    shoot_phone(page, "record.png")

    # The phone renews its pass at the next start: the new one carries the black-list flag.
    page.reload()
    page = visit(phone, "pass", "#pass-qr")
    assert page.locator("#pass-carries .pass-lists .list-black").count() == 1  # folded away
    verdict = partner.verify(decode_qr(page, tmp_path / "after.png"))
    assert verdict["valid"] and verdict["eligible_offers"] == []
    assert {o["why_not"] for o in verdict["ineligible_offers"]} == {"on_black_list"}
    page = visit(phone, "offers", "#offers-list")
    assert page.locator(".notice.warning").inner_text() == ZH["pwa.offers.black_note"]


def test_every_page_in_english_and_in_elder_mode(phone: Resident) -> None:
    enrolled(phone)
    page = phone.page
    page.goto("/")
    page.wait_for_selector(".view-home .profile")
    phone.check("home with credit tiles")
    records = api_get(page, "/api/v1/me/records")[1]["items"]
    record_id = next((r["id"] for r in records if r["points"] < 0), records[0]["id"])
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    try:
        for route in PAGES:
            page = visit(phone, route, f"main .view-{route} h1")
            page.wait_for_load_state("networkidle")
            phone.check(f"{route} in English")
        assert page.locator("main h1").inner_text() == EN["pwa.benefits.heading"]
        visit(phone, f"records/{record_id}", "#record-facts")
        phone.check("record in English")
    finally:
        page.click("#lang-toggle")
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    page.click("#elder-toggle")
    page.wait_for_function("() => document.body.classList.contains('elder')")
    try:
        page.goto("/")
        page.wait_for_selector(".tiles-elder")
        hrefs = page.locator("#credit-tiles a").evaluate_all(
            "els => els.map(a => a.getAttribute('href'))"
        )
        assert hrefs == ["#/pass", "#/score"]  # the pass and the score first
        for route in PAGES:
            visit(phone, route, f"main .view-{route} h1")
            page.wait_for_load_state("networkidle")
            phone.check(f"{route} in elder mode")
        visit(phone, f"records/{record_id}", "#record-facts")
        phone.check("record in elder mode")
    finally:
        page.click("#elder-toggle")
        page.wait_for_function("() => !document.body.classList.contains('elder')")
