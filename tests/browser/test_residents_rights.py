"""Residents' rights in the PWA, end to end in Chromium with the virtual authenticator: a
resident downloads the JSON archive (after a fresh passkey confirmation) and a signed credit
report whose text (read back with pypdf) holds their records in Chinese and whose QR
(decoded from the image in the PDF) leads to the public check page, where the very file
checks as genuine and a copy with one changed byte is refused. A parent authorises a child,
the child files an objection for the parent, both access logs show it, the parent ends it
and the child's next action is refused. Withdrawn consent makes the pass verify as "normal
procedure" at a partner's counter. Screenshots at phone width, zh-CN, English, elder mode."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from .due_process_setup import Department, Phone
from .harness import PHONE, Server, api_get, catalog, shoot
from .partner_setup import offer_body, setup_partner
from .test_resident_credit import decode_qr

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
EN = catalog("en")
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def court(server: Server) -> Iterator[Department]:
    department = Department(server, "court")
    yield department
    department.close()


@pytest.fixture(scope="module")
def phones(browser: Any, server: Server) -> Iterator[dict[int, Phone]]:
    """The demo city's three residents' phones, each enrolled once for the whole module."""
    made: dict[int, Phone] = {}
    yield made
    for phone in made.values():
        phone.context.close()


def phone_for(phones: dict[int, Phone], browser: Any, server: Server, n: int) -> Phone:
    if n not in phones:
        phones[n] = Phone(browser, server, server.credentials["residents"][n])
        phones[n].enrol()
    return phones[n]


def saved(download: Any) -> bytes:
    return Path(download.path()).read_bytes()


def test_a_resident_downloads_the_archive_and_a_checked_credit_report(
    browser: Any, server: Server, court: Department, phones: dict[int, Phone], tmp_path: Path
) -> None:
    phone = phone_for(phones, browser, server, 0)
    person = phone.person
    court.submit(person["id_number"], "LAW_COURT_DEFAULTER", TODAY - dt.timedelta(days=40),
                 f"RIGHTS-{person['id_number'][-6:]}")  # fmt: skip
    page = phone.visit("rights", "#export-data")
    phone.check("rights, zh-CN")
    shoot(page, "rights")
    with page.expect_download() as archive_download:
        page.click("#export-data")
    archive = json.loads(saved(archive_download.value))
    assert archive["format"] == "xinyi-export/1"
    assert archive["account"]["person"]["name"] == person["name"]
    types = {r["type_code"] for r in archive["records"]}
    assert "LAW_COURT_DEFAULTER" in types
    assert any(e["action"] == "rights.exported" for e in archive["access_log"])

    with page.expect_download() as report_download:
        page.click("#report-make-zh-CN")
    pdf = saved(report_download.value)
    page.wait_for_selector("#report-list .report-item[data-state=current]")
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    records = api_get(page, "/api/v1/me/records")[1]["items"]
    assert records
    for record in records:
        assert record["name"]["zh-CN"] in text, record["name"]
    assert ZH["report.title"] in text and person["name"] in text and "法律依据" in text
    image = PdfReader(io.BytesIO(pdf)).pages[0].images[0]
    url = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))[0].text
    code = page.locator("#report-list .report-item").first.get_attribute("data-code")
    assert url == f"{server.base_url}/reports/{code}"

    # A landlord, without any account, follows the QR and hands in the file.
    landlord = browser.new_context(viewport=PHONE, locale="zh-CN")
    check = landlord.new_page()
    check.goto(url)
    outcome = check.locator("#report-outcome")
    assert outcome.get_attribute("data-outcome") == "genuine"
    original, changed = tmp_path / "report.pdf", tmp_path / "report-changed.pdf"
    original.write_bytes(pdf)
    altered = bytearray(pdf)
    altered[len(altered) // 3] ^= 0x20
    changed.write_bytes(bytes(altered))
    check.set_input_files("#report-file", str(original))
    check.click("form button[type=submit]")
    assert check.locator("#report-outcome").get_attribute("data-outcome") == "genuine"
    assert ZH["report.check.file_checked"] in check.locator("#report-outcome").inner_text()
    shoot(check, "report-check")
    check.set_input_files("#report-file", str(changed))
    check.click("form button[type=submit]")
    assert check.locator("#report-outcome").get_attribute("data-outcome") == "altered"
    assert check.locator("#report-outcome h2").inner_text() == ZH["report.check.outcome.altered"]
    shoot(check, "report-check-altered")
    landlord.close()

    # The resident sees every check in who viewed their data.
    page = phone.visit("access", "#access-log")
    assert page.locator(".access-item[data-action='report.checked']").count() >= 1
    page.click("#lang-toggle")  # English
    page.wait_for_selector("html[lang=en]")
    page = phone.visit("rights", "#export-data")
    assert page.locator("h1").inner_text() == EN["pwa.rights.heading"]
    phone.check("rights, English")
    page.click("#lang-toggle")
    page.wait_for_selector("html[lang=zh-CN]")


def test_a_child_helps_a_parent_until_the_parent_ends_it(
    browser: Any, server: Server, court: Department, phones: dict[int, Phone]
) -> None:
    parent = phone_for(phones, browser, server, 1)
    child = phone_for(phones, browser, server, 2)
    court.submit(parent.person["id_number"], "LAW_COURT_DEFAULTER", TODAY - dt.timedelta(days=20),
                 f"FAMILY-{parent.person['id_number'][-6:]}")  # fmt: skip
    page = parent.visit("family", "#invite-form")
    page.fill("#invite-form input[name=name]", child.person["name"])
    page.fill("#invite-form input[name=id_number]", child.person["id_number"])
    page.select_option("#invite-relation", "child")
    page.click("#invite-form button[type=submit]")
    page.wait_for_selector("#helpers .grant[data-status=invited]")
    parent.check("family, invited")

    helper = child.visit("family", "#helping .grant[data-status=invited]")
    helper.click("#helping button[data-accept]")
    helper.wait_for_selector("#helping .grant[data-status=active]")
    shoot(helper, "family")
    helper.click("#helping a[data-help]")
    helper.wait_for_selector("#helped-records")
    child.check("family, helping a parent")
    helper.locator("#helped-records details.object-for summary").first.click()
    form = helper.locator("#helped-records form.objection-for").first
    form.locator("textarea").fill("我父亲已经缴清罚款，请核实。")
    form.locator("button[type=submit]").click()
    helper.wait_for_selector("#helped-cases li")
    shoot(helper, "family-person")

    objections = api_get(parent.page, "/api/v1/me/objections")[1]["items"]
    assert len(objections) == 1 and objections[0]["reason"] == "我父亲已经缴清罚款，请核实。"
    log = parent.visit("access", "#access-log")
    who = log.locator(".access-item[data-action='objection.submitted'] .access-who").first
    assert child.person["name"] in who.inner_text()
    own = child.visit("access", "#access-log")
    assert own.locator(".access-item[data-action='helper.acted_for']").count() >= 1

    helped = grant_person(child)
    page = parent.visit("family", "#helpers .grant[data-status=active]")
    page.click("#elder-toggle")  # elder mode: the same page, larger and simpler
    page.wait_for_selector("body.elder")
    parent.check("family, elder mode")
    shoot(page, "family-elder")
    page.click("#helpers button[data-end]")
    page.wait_for_selector("#helpers .grant[data-status=ended]")
    page.click("#elder-toggle")
    # The child's very next action is refused, and nothing is stored.
    helper = child.visit(f"family/{helped}", "#helper-refused")
    assert helper.locator("#helper-refused").inner_text() == ZH["pwa.problem.no_helper_grant"]
    refused = api_get(child.page, f"/api/v1/people/{helped}/score")
    assert refused[0] == 403 and refused[1]["reason"] == "no_helper_grant"
    assert len(api_get(parent.page, "/api/v1/me/objections")[1]["items"]) == 1


def grant_person(phone: Phone) -> int:
    grants = api_get(phone.page, "/api/v1/me/helpers")[1]["helping"]
    return int(grants[0]["person_id"])


def test_withdrawn_consent_makes_the_pass_verify_as_normal_procedure(
    browser: Any, server: Server, phones: dict[int, Phone], tmp_path: Path
) -> None:
    phone = phone_for(phones, browser, server, 2)
    anyone = offer_body("先借后还", "Borrow first", min_tier="improve")  # any tier will do
    partner = setup_partner(server.base_url, server.credentials["officer_code"], offers=[anyone])
    page = phone.visit("pass", "#pass-qr")
    text = decode_qr(page, tmp_path / "qr.png")
    before = partner.verify(text)
    assert before["valid"] and [o["title"]["en"] for o in before["eligible_offers"]] == [
        "Borrow first"
    ]
    page = phone.visit("consent", "#consent-withdraw")
    phone.check("consent, given")
    shoot(page, "consent")
    page.click("#consent-withdraw")
    page.wait_for_selector("#consent-state[data-given=false]")
    after = partner.verify(text)  # the pass was revoked at once, and no tier is used
    assert after["valid"] is False and after["reason"] == "revoked", after
    assert after["eligible_offers"] == [] and after["tier"] is None
    assert [o["why_not"] for o in after["ineligible_offers"]] == ["pass_invalid"]
    phone.check("consent, withdrawn")
    page = phone.visit("score", "#score-consent")  # no score shown
    assert page.locator("#score-value").count() == 0
    page = phone.visit("consent", "#consent-give")
    page.click("#consent-give")
    page.wait_for_selector("#consent-state[data-given=true]")
