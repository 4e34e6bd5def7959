"""Due process in the resident's PWA, end to end in Chromium with the virtual authenticator:
a resident applies for free repair of an eligible court record with a PDF and a
passkey-signed commitment; the court's submitter, signed in at /office/login with a passkey
of their own, accepts and approves it at the department console while the credit office
sees the open case; at once the record shows as repaired, the score, tier and lists change,
the inbox shows each step with its unread badge and a fresh pass carries the new tier.
Objections (with a human review), signing a published commitment, and every new page in
English and elder mode, axe-core clean."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from .due_process_setup import (
    Department,
    Desk,
    Phone,
    at,
    intl_date,
    pdf_file,
    png_file,
    renamed_executable,
    second_officer_code,
)
from .harness import Server, catalog, shoot

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
EN = catalog("en")
TODAY = dt.date.today()
COURT_RECORD = "LAW_COURT_DEFAULTER"  # −200, repairable after 12 months, puts one on the black list
MINOR = "LAW_PENALTY_MINOR"  # −10, repairable at once
GENERAL = "LAW_PENALTY_GENERAL"  # −40, repairable after 3 months


@pytest.fixture(scope="module")
def phone(browser: Any, server: Server) -> Iterator[Phone]:
    resident = Phone(browser, server, server.credentials["residents"][1])
    yield resident
    resident.context.close()


@pytest.fixture(scope="module")
def court(server: Server) -> Iterator[Department]:
    department = Department(server, "court")
    yield department
    department.close()


@pytest.fixture(scope="module")
def officer(browser: Any, server: Server) -> Iterator[Desk]:
    """The credit officer at the console, signed in with the demo seed's one-time code."""
    desk = Desk(browser, server)
    desk.sign_in(server.credentials["officer_code"])
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def reviewer(browser: Any, server: Server) -> Iterator[Desk]:
    """A second officer, bootstrapped from the server console (the demo city has one)."""
    desk = Desk(browser, server)
    desk.sign_in(second_officer_code(server))
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def judge(browser: Any, server: Server, officer: Desk, reviewer: Desk) -> Iterator[Desk]:
    """The court's department submitter (the officer proposes the account, a second officer
    approves it and hands the code over), signed in with that code and its own passkey."""
    code = officer.create_staff(
        "冯执行", "黄石市中级人民法院", "department_submitter", approver=reviewer
    )
    desk = Desk(browser, server)
    desk.sign_in(code)
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def market(server: Server) -> Iterator[Department]:
    department = Department(server, "market_regulation")
    yield department
    department.close()


def submit(
    phone: Phone,
    department: Department,
    type_code: str,
    decided: dt.date,
    external_id: str,
    **extra: str,
) -> dict[str, Any]:
    """The department records it for this resident; the new record as the resident sees it."""
    seen = {r["id"] for r in phone.api("/api/v1/me/records")["items"]}
    department.submit(phone.person["id_number"], type_code, decided, external_id, **extra)
    new = [r for r in phone.api("/api/v1/me/records")["items"] if r["id"] not in seen]
    assert [r["type"] for r in new] == [type_code], new
    record: dict[str, Any] = new[0]
    return record


def expect_badge(phone: Phone, count: int) -> None:
    """The top bar's unread badge shows `count` (none at 0) once it has refreshed."""
    phone.page.wait_for_function(
        "n => (document.querySelector('#inbox-link #inbox-badge')?.textContent || '0') === n",
        arg=str(count),
    )


def test_repair_from_application_to_a_fresh_pass(
    phone: Phone, court: Department, judge: Desk, officer: Desk
) -> None:
    phone.enrol()
    # A court record decided 13 months ago: its minimum disclosure period (12 months) is over.
    record = submit(
        phone, court, COURT_RECORD, TODAY - dt.timedelta(days=400), "ZX-2025-7001",
        decision_doc_no="（2025）鄂02执7001号", summary="未履行生效判决确定的给付义务",
    )  # fmt: skip
    before = phone.api("/api/v1/me/score")
    assert [e["list"] for e in phone.api("/api/v1/me/lists")["items"]] == ["black"]
    page = phone.visit("pass", "#pass-qr")
    assert page.locator("#pass-tier").inner_text() == before["tier"]["name"]["zh-CN"]

    # The black-list entry can be objected to; the score page offers the repair.
    page = phone.visit("lists", "#lists-entries")
    assert (
        page.locator("#lists-entries button[data-object]").inner_text()
        == ZH["pwa.lists.object_action"]
    )
    phone.check("lists with the object button")
    page = phone.visit("score", "#score-suggestions")
    apply = page.locator(f"#score-suggestions a[data-apply='{record['id']}']")
    assert apply.inner_text() == ZH["pwa.score.apply_repair"]

    # The record: a real "apply for free repair" and an "object" on it.
    page = phone.visit(f"records/{record['id']}", "#record-contest")
    assert page.locator("#record-repair").inner_text() == ZH["pwa.record.repair_now"]
    assert page.locator("#record-object").inner_text() == ZH["pwa.record.object_action"]
    assert ZH["pwa.record.free"] in page.locator("#record-contest").inner_text()
    phone.check("an eligible record")
    page.click("#record-apply")
    page.wait_for_selector("#repair-form")

    # The form: conditions in plain words, free, and the exact commitment text with its version.
    assert page.locator("#repair-free").inner_text() == ZH["pwa.repair.free"]
    assert page.locator("#repair-conditions li").count() == 3
    template = next(
        c for c in phone.api("/api/v1/commitment-templates?locale=zh-CN")["items"]
        if c["code"] == "repair"
    )  # fmt: skip
    assert page.locator("#commitment-text").inner_text().strip() == template["text"].strip()
    assert template["version"] in page.locator(".commitment-version").inner_text()
    assert page.locator(".commitment").get_attribute("data-sha256") == template["text_sha256"]
    phone.check("repair form")
    shoot(page, "repair-form")

    # Checked in the browser first: nothing chosen, then an executable renamed .pdf.
    page.click("#repair-submit")
    for name in ("evidence", "statement", "agree"):
        expect(page.locator(f"[data-field={name}] .field-error")).to_be_visible()
    assert page.locator("#repair-form .form-alert").inner_text() == ZH["pwa.case.fix_errors"]
    phone.check("repair form with errors")
    page.set_input_files("#repair-form input[type=file]", [renamed_executable()])
    page.click("#repair-submit")
    expect(page.locator("[data-field=evidence] .field-error")).to_have_text(
        ZH["pwa.evidence.wrong_type"].format(name="证明.pdf")
    )
    assert phone.api("/api/v1/me/repairs")["items"] == []  # nothing sent

    page.set_input_files("#repair-form input[type=file]", [pdf_file()])
    assert "缴款凭证.pdf" in page.locator(".files.chosen").inner_text()
    page.fill(
        "#repair-form textarea[name=statement]", "已于上月全部履行判决确定的给付义务，附缴款凭证。"
    )
    page.check("#repair-agree")
    page.click("#repair-submit")  # the virtual authenticator signs the commitment
    page.wait_for_selector(".view-repair #case-facts")
    cases = phone.api("/api/v1/me/repairs")["items"]
    assert len(cases) == 1
    case = cases[0]
    assert page.locator(".notice.success").inner_text() == ZH["pwa.repair.submitted"].format(
        case_no=case["case_no"]
    )
    assert case_no_shown(page) == case["case_no"]
    assert case["state"] == "submitted" and case["commitment"]["version"] == template["version"]
    assert (
        case["commitment"]["text_sha256"]
        == hashlib.sha256(template["text"].encode("utf-8")).hexdigest()
    )
    assert page.locator("#case-next").inner_text() == ZH["pwa.case.due.feedback"].format(
        date=intl_date(page, case["feedback_due"])
    )
    assert page.locator("#case-timeline li.done").count() == 1
    assert page.locator("#case-commitment-text").inner_text().strip() == template["text"].strip()
    link = page.locator("#case-evidence a")
    assert link.count() == 1
    download = page.request.get(str(link.get_attribute("href")))
    assert download.status == 200 and download.body() == pdf_file()["buffer"]
    assert download.headers["content-type"] == "application/pdf"
    phone.check("repair case, submitted")

    # The court's submitter, at the department console: the case in its queue, opened.
    desk = judge.page
    desk.goto("/department")
    queue = desk.locator("#department-cases tbody tr")
    assert queue.locator("td:first-child a").all_inner_texts() == [case["case_no"]]
    judge.check("department queue")
    shoot(desk, "department-queue")
    desk.click(f"#case-{case['case_no']} a")
    desk.wait_for_url(at(f"/department/repairs/{case['id']}"))
    expect_the_case(desk, case, record)
    judge.check("department case, submitted")

    # 受理: the resident sees it accepted, with the date the decision is due.
    desk.get_by_role("button", name=ZH["case.accept"], exact=True).click()
    desk.wait_for_url(at("/department"))
    assert desk.locator("#case-done").inner_text() == ZH["case.done.accepted"]
    accepted = phone.api(f"/api/v1/me/repairs/{case['id']}")
    assert accepted["state"] == "accepted" and accepted["decision_due"]
    page.reload()
    page.wait_for_selector(".view-repair #case-facts")
    assert page.locator("#case-facts [data-state]").get_attribute("data-state") == "accepted"
    assert page.locator("#case-next").inner_text() == ZH["pwa.case.due.decision"].format(
        date=intl_date(page, accepted["decision_due"])
    )
    assert page.locator("#case-timeline li.done").count() == 2
    phone.check("repair case, accepted")

    # The credit office sees the open case under the court, with its due date.
    office = officer.page
    office.goto("/office/cases")
    row = office.locator(f"#open-cases #case-{case['case_no']}")
    assert ZH["case.state.accepted"] in row.inner_text()
    assert accepted["decision_due"] in row.inner_text()
    officer.check("office cases")
    shoot(office, "office-cases")

    # … and 准予修复 with reasons and the legal basis: at once the record is repaired, the
    # score, lists and pass change.
    desk.click(f"#case-{case['case_no']} a")
    desk.wait_for_url(at(f"/department/repairs/{case['id']}"))
    assert desk.locator("#decision-due").inner_text() == accepted["decision_due"]
    judge.check("department case, accepted")
    shoot(desk, "department-case")
    desk.fill("#reason", "已提交履行完毕的证明")
    desk.fill("#legal-basis", "《信用修复管理办法》第十条")
    desk.get_by_role("button", name=ZH["case.approve"], exact=True).click()
    desk.wait_for_url(at("/department"))
    assert desk.locator("#case-done").inner_text() == ZH["case.done.approved"]
    assert desk.locator(f"#case-{case['case_no']}").count() == 0  # no longer open
    judge.check("department queue after approval")
    page.reload()
    page.wait_for_selector("#case-outcome")
    assert page.locator("#case-outcome").get_attribute("data-outcome") == "approved"
    assert "《信用修复管理办法》第十条" in page.locator("#case-outcome").inner_text()
    assert page.locator("#case-timeline li.done").count() == 3
    assert page.locator("#case-withdraw").count() == 0
    phone.check("repair case, approved")
    shoot(page, "case-detail")

    page = phone.visit(f"records/{record['id']}", "#record-facts")
    assert page.locator("#record-status").inner_text() == ZH["pwa.records.status.repaired"]
    assert page.locator("#record-apply").count() == 0
    after = phone.api("/api/v1/me/score")
    assert after["score"] > before["score"] and after["tier"]["code"] != before["tier"]["code"]
    page = phone.visit("score", "#score-value")
    assert page.locator("#score-value").inner_text() == str(after["score"])
    assert page.locator("#score-tier").inner_text() == after["tier"]["name"]["zh-CN"]
    page = phone.visit("lists", "#lists-empty")

    # The inbox: the new record with its repair notice, and each step of the case.
    notices = phone.api("/api/v1/me/notifications")
    assert notices["unread"] >= 4
    expect_badge(phone, notices["unread"])
    page.click("#inbox-link")
    page.wait_for_selector("#inbox-list")
    kinds = page.locator("#inbox-list > li").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == [n["kind"] for n in notices["items"]]
    text = page.locator("#inbox-list").inner_text()
    for step in ("submitted", "accepted", "approved"):
        assert ZH[f"notice.case_status.repair.{step}"] in text, step
    assert ZH["notice.record_new.title"].format(name=record["name"]["zh-CN"]) in text
    assert page.locator("#inbox-list li.unread").count() == notices["unread"]
    phone.check("inbox")
    shoot(page, "inbox")
    page.click("#inbox-mark-all")
    page.wait_for_selector("#inbox-list li[data-read=true]")
    assert page.locator("#inbox-list li.unread").count() == 0
    expect_badge(phone, 0)
    assert phone.api("/api/v1/me/notifications")["unread"] == 0

    # A fresh pass with the new tier: renewed at the next start.
    page = phone.visit("pass", "#pass-qr")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/pass")) as renewed:
        page.reload()
    assert renewed.value.status == 201
    page.wait_for_selector("#pass-qr")
    assert page.locator("#pass-tier").inner_text() == after["tier"]["name"]["zh-CN"]
    assert page.locator(".pass-lists .list-black").count() == 0


def expect_the_case(desk: Any, case: dict[str, Any], record: dict[str, Any]) -> None:
    """The department's case page: the record, the statement, the evidence, the exact
    signed commitment text and the timeline so far."""
    assert case["case_no"] in desk.locator("h1").inner_text()
    assert record["name"]["zh-CN"] in desk.locator("#case-record").inner_text()
    assert desk.locator("#statement").inner_text() == case["statement"]
    assert desk.locator("#evidence a").all_inner_texts() == ["缴款凭证.pdf"]
    commitment = desk.locator("#commitment .commitment-text").inner_text().strip()
    assert commitment == case["commitment"]["text"].strip()
    assert case["commitment"]["text_sha256"] in desk.locator("#commitment").inner_text()
    assert desk.locator("#timeline li").count() == 1


def case_no_shown(page: Any) -> str:
    return str(page.locator("#case-facts dd[data-fact=case_no]").inner_text())


def test_objection_answered_then_reviewed(phone: Phone, market: Department) -> None:
    phone.enrol()
    record = submit(phone, market, MINOR, TODAY, "SJ-2026-0001", summary="占道经营")
    page = phone.visit(f"records/{record['id']}", "#record-contest")
    page.click("#record-object")
    page.wait_for_selector("#objection-form")
    assert page.locator("#objection-about").inner_text().count(record["name"]["zh-CN"]) == 1
    phone.check("objection form")
    page.click("#objection-submit")
    assert (
        page.locator("[data-field=reason] .field-error").inner_text()
        == ZH["pwa.objection.reason_required"]
    )
    page.fill("#objection-form textarea[name=reason]", "当天我不在现场，经营者另有其人。")
    page.set_input_files("#objection-form input[type=file]", [png_file()])
    page.click("#objection-submit")
    page.wait_for_selector(".view-objection #case-facts")
    objection = phone.api("/api/v1/me/objections")["items"][0]
    assert case_no_shown(page) == objection["case_no"]
    assert page.locator("#case-next").inner_text() == ZH["pwa.case.due.answer"].format(
        date=intl_date(page, objection["answer_due"])
    )
    assert page.locator("#case-evidence a").count() == 1
    phone.check("objection, submitted")

    # "Under objection" on the record at once, with a link to the case.
    page = phone.visit(f"records/{record['id']}", "#record-contest")
    assert page.locator("#record-status").inner_text() == ZH["pwa.records.status.under_objection"]
    assert page.locator("#record-open-objection a").get_attribute("href") == (
        f"#/objections/{objection['id']}"
    )
    # Repair is still possible for this kind of record (no minimum period).
    assert page.locator("#record-apply").is_visible()

    market.answer(objection["id"], upheld=False, answer="现场执法记录显示为本人经营。")
    page = phone.visit(f"objections/{objection['id']}", "#case-review")
    assert "现场执法记录显示为本人经营。" in page.locator("#case-answer").inner_text()
    phone.check("objection, rejected")
    page.fill("#review-form textarea[name=reason]", "执法记录中的人不是我，请调取照片核对。")
    page.click("#review-submit")
    page.wait_for_selector("#case-review-reason")
    assert page.locator("#case-facts [data-state]").get_attribute("data-state") == (
        "review_requested"
    )
    assert page.locator("#case-next").inner_text() == ZH["pwa.case.due.review"]
    phone.check("objection, review requested")

    # Withdraw, with a confirmation step.
    page.click("#case-withdraw")
    phone.check("objection, confirm withdrawal")
    page.click("#case-withdraw-confirm")
    page.wait_for_selector("#case-facts [data-state=withdrawn]")
    assert page.locator(".notice.success").inner_text() == ZH["pwa.case.withdrawn"].format(
        case_no=objection["case_no"]
    )
    assert page.locator("#case-withdraw").count() == 0

    page = phone.visit("cases", "#cases-objection")
    assert page.locator("#cases-objection li").count() == 1
    assert page.locator("#cases-repair li").count() == 1
    phone.check("my cases")


def test_too_early_says_from_when_and_why(phone: Phone, market: Department) -> None:
    phone.enrol()
    record = submit(phone, market, GENERAL, TODAY, "SJ-2026-0002", summary="未按规定公示年度报告")
    page = phone.visit(f"records/{record['id']}", "#record-contest")
    assert page.locator("#record-repair").inner_text() == ZH["pwa.record.repair_from"].format(
        date=intl_date(page, record["repairable_from"])
    )
    assert page.locator("#record-repair-why").inner_text() == ZH["pwa.repair.why_not.too_early"]
    assert page.locator("#record-apply").count() == 0
    page = phone.visit(f"repairs/new?record={record['id']}", "#repair-not-eligible")
    assert page.locator("#repair-not-eligible").get_attribute("data-reason") == "too_early"
    assert page.locator("#repair-form").count() == 0
    phone.check("repair form, not yet")


def test_sign_a_published_commitment(phone: Phone) -> None:
    phone.enrol()
    page = phone.visit("commitments", "#commitment-templates")
    published = [
        c for c in phone.api("/api/v1/commitment-templates?locale=zh-CN")["items"]
        if c["purpose"] == "standalone"
    ]  # fmt: skip
    assert page.locator("#commitment-templates > li").count() == len(published) >= 1
    first = published[0]
    card = page.locator(f"li[data-template='{first['code']}']")
    assert card.locator(".commitment-text").inner_text().strip() == first["text"].strip()
    phone.check("commitments")
    signed_before = len(phone.api("/api/v1/me/commitments")["items"])
    card.locator("button[data-sign]").click()
    page.wait_for_function(
        "n => document.querySelectorAll('#commitments-mine li.signed').length > n",
        arg=signed_before,
    )
    mine = phone.api("/api/v1/me/commitments")["items"]
    standalone = [m for m in mine if m["purpose"] == "standalone"]
    assert len(standalone) == 1 and standalone[0]["code"] == first["code"]
    assert page.locator(".notice.success").inner_text() == ZH["pwa.commitments.signed"].format(
        title=first["title"]["zh-CN"], version=first["version"]
    )
    # Mine lists every signature with its exact text: the repair's and this one.
    assert page.locator("#commitments-mine li.signed").count() == len(mine)
    signed = page.locator(f"#commitments-mine li[data-signature-id='{standalone[0]['id']}']")
    signed.locator("summary").click()
    assert signed.locator(".commitment-text").inner_text().strip() == first["text"].strip()
    phone.check("commitments, signed")
    expect_badge(phone, phone.api("/api/v1/me/notifications")["unread"])  # the signing's notice
    assert phone.page.locator("#inbox-badge").is_visible()


NEW_PAGES = ["cases", "commitments", "inbox"]


def test_new_pages_in_english_and_elder_mode(phone: Phone) -> None:
    phone.enrol()
    page = phone.page
    repair = phone.api("/api/v1/me/repairs")["items"][0]
    objection = phone.api("/api/v1/me/objections")["items"][0]
    minor = next(
        r for r in phone.api("/api/v1/me/records")["items"]
        if r["id"] == objection["record_id"]
    )  # fmt: skip
    routes = [
        *[(r, f"main .view-{r} h1") for r in NEW_PAGES],
        (f"repairs/{repair['id']}", "#case-timeline"),
        (f"objections/{objection['id']}", "#case-timeline"),
        (f"repairs/new?record={minor['id']}", "#repair-form"),
        (f"objections/new?subject=record&id={minor['id']}", "#objection-form"),
        (f"records/{minor['id']}", "#record-contest"),
    ]
    page.goto("/")
    page.wait_for_selector(".view-home")
    page.click("#lang-toggle")
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    try:
        for route, ready in routes:
            phone.visit(route, ready)
            page.wait_for_load_state("networkidle")
            phone.check(f"{route} in English")
        assert page.locator("#inbox-link").inner_text().startswith(EN["pwa.inbox.nav"])
    finally:
        page.click("#lang-toggle")
        page.wait_for_function("() => document.documentElement.lang === 'zh-CN'")
    page.click("#elder-toggle")
    page.wait_for_function("() => document.body.classList.contains('elder')")
    try:
        for route, ready in routes:
            phone.visit(route, ready)
            page.wait_for_load_state("networkidle")
            phone.check(f"{route} in elder mode")
        phone.visit(f"repairs/new?record={minor['id']}", "#repair-form")
        shoot(page, "repair-form-elder")
    finally:
        page.click("#elder-toggle")
        page.wait_for_function("() => !document.body.classList.contains('elder')")
