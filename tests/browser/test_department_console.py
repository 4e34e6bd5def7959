"""A resident without a smartphone, end to end in Chromium: the credit officer files a repair
at the counter (ID-card check, evidence, the commitment on paper) and prints the receipt; the
demo city's department submitter signs in with the virtual authenticator, opens the case in
the department console, accepts and approves it; the office sees it in its queue; the family
follows it on the public look-up page. axe-core clean on every page on the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from .due_process_setup import Department, Desk, at, pdf_file
from .harness import DESKTOP, Server, assert_accessible, assert_no_placeholder_text, catalog, shoot

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
EN = catalog("en")
DECIDED = dt.date.today() - dt.timedelta(days=130)  # past the general penalty's 3 months


@pytest.fixture(scope="module")
def person(server: Server) -> dict[str, str]:
    return server.credentials["residents"][2]


@pytest.fixture(scope="module")
def officer(browser: Any, server: Server) -> Iterator[Desk]:
    desk = Desk(browser, server)
    desk.sign_in(server.credentials["officer_code"])
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def submitter(browser: Any, server: Server) -> Iterator[Desk]:
    """The demo city's department submitter (吴报送, 黄石市市场监督管理局): its own passkey."""
    desk = Desk(browser, server)
    desk.sign_in(server.credentials["staff"]["department_submitter"]["enrolment_code"])
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def market(server: Server) -> Iterator[Department]:
    department = Department(server, "market_regulation")
    yield department
    department.close()


def test_a_counter_filing_decided_in_the_department_console(
    browser: Any,
    server: Server,
    person: dict[str, str],
    officer: Desk,
    submitter: Desk,
    market: Department,
) -> None:
    market.submit(person["id_number"], "LAW_PENALTY_GENERAL", DECIDED, "SJ-CTR-0001",
                  summary="未按规定公示年度报告")  # fmt: skip

    # At the counter: the ID card checked, the resident identified (a logged look).
    desk = officer.page
    desk.goto("/office")
    desk.click("a[href='/office/cases/file']")
    desk.wait_for_url(at("/office/cases/file"))
    officer.check("counter filing, identify")
    desk.fill("#name", person["name"])
    desk.fill("#id_number", person["id_number"])
    desk.check("input[name=id_card_checked]")
    desk.get_by_role("button", name=ZH["case.counter.identify"]).click()
    desk.wait_for_selector("#repair-form")
    officer.check("counter filing, the resident")
    shoot(desk, "counter-filing")

    # The repair: the new record, a statement, a PDF, the paper commitment taken.
    choice = desk.locator("#repair-form label.check", has_text=DECIDED.isoformat())
    choice.locator("input[type=radio]").check()
    desk.fill("#statement", "已在窗口缴清罚款并补报年度报告。")
    desk.set_input_files("#repair-evidence", [pdf_file()])
    desk.check("input[name=paper_commitment]")
    desk.click("#file-repair")
    desk.wait_for_selector("#receipt-case-no")
    case_no = desk.locator("#receipt-case-no").inner_text().strip()
    assert (
        case_no.startswith("R") and "/cases/lookup" in desk.locator("#receipt-follow").inner_text()
    )
    officer.check("counter receipt")
    shoot(desk, "counter-receipt")

    # The department submitter: the case in the queue, opened, accepted, approved.
    console = submitter.page
    console.goto("/office")
    console.click("a[href='/department']")
    console.wait_for_url(at("/department"))
    row = console.locator(f"#case-{case_no}")
    assert ZH["case.state.submitted"] in row.inner_text()
    submitter.check("department queue")
    row.locator("a").click()
    console.wait_for_selector("#statement")
    assert "已在窗口缴清罚款" in console.locator("#statement").inner_text()
    assert console.locator("#evidence a").inner_text() == pdf_file()["name"]
    assert ZH["case.commitment_in_person"] in console.locator("main").inner_text()
    submitter.check("department case, submitted")
    console.get_by_role("button", name=ZH["case.accept"], exact=True).click()
    console.wait_for_url(at("/department"))
    assert console.locator("#case-done").inner_text() == ZH["case.done.accepted"]
    console.locator(f"#case-{case_no} a").click()
    console.wait_for_selector("#decision-due")
    submitter.check("department case, accepted")
    shoot(console, "department-counter-case")
    console.fill("#reason", "已履行行政处罚决定，并补报年度报告")
    console.fill("#legal-basis", "《信用修复管理办法》第十条")
    console.get_by_role("button", name=ZH["case.approve"], exact=True).click()
    console.wait_for_url(at("/department"))
    assert console.locator("#case-done").inner_text() == ZH["case.done.approved"]
    assert console.locator(f"#case-{case_no}").count() == 0
    submitter.check("department queue after approval")

    # The credit office: no longer open; the dashboard points to the figures.
    desk.goto("/office/cases")
    assert desk.locator(f"#open-cases #case-{case_no}").count() == 0
    assert desk.locator("#case-figures").inner_text().count("市市场监督管理局") == 1
    officer.check("office cases")
    desk.goto("/office/dashboard")
    assert desk.locator("#dashboard-cases a").get_attribute("href") == "/office/cases#case-figures"

    # The family, on the public look-up page: the case by its number and the name.
    family = browser.new_context(base_url=server.base_url, viewport=DESKTOP, locale="zh-CN")
    try:
        page = family.new_page()
        page.goto("/cases/lookup")
        assert_accessible(page, "case look-up")
        page.fill("#case-no", case_no)
        page.fill("#name", person["name"])
        page.get_by_role("button", name=ZH["case.lookup.submit"]).click()
        page.wait_for_selector("#lookup-state")
        assert page.locator("#lookup-state").inner_text() == ZH["case.state.approved"]
        assert_accessible(page, "case look-up, found")
        assert_no_placeholder_text(page, "case look-up, found")
        shoot(page, "case-lookup")
        page.goto("/cases/lookup?lang=en")
        page.fill("#case-no", case_no)
        page.fill("#name", "王五")
        page.get_by_role("button", name=EN["case.lookup.submit"]).click()
        page.wait_for_selector("#lookup-error")
        assert page.locator("#lookup-error").inner_text() == EN["case.lookup.error.not_found"]
        assert_accessible(page, "case look-up, not found (English)")
    finally:
        family.close()


def test_the_counter_pages_in_english(officer: Desk) -> None:
    desk = officer.page
    desk.goto("/office/cases/file?lang=en")
    assert desk.locator("h1").inner_text() == EN["case.counter.title"]
    officer.check("counter filing, English")
    desk.goto("/office/cases/file/commitment")
    assert desk.locator("#paper-commitment-text").inner_text()
    officer.check("paper commitment, English")
    desk.goto("/office?lang=zh-CN")
