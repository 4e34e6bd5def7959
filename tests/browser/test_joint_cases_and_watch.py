"""The joint cases, the key groups' coverage and data-use pages in Chromium: the demo city's
department submitter reports a case in its console; the credit officer finds it counted on
/office/joint-cases, opens the key-group and data-use pages and the dashboard's alert section,
in both languages; anyone opens the published statistics. axe-core clean on every page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .due_process_setup import Desk, at
from .harness import Server, assert_accessible, assert_no_placeholder_text, catalog, shoot

pytestmark = pytest.mark.browser

ZH = catalog("zh-CN")
EN = catalog("en")


@pytest.fixture(scope="module")
def officer(browser: Any, server: Server) -> Iterator[Desk]:
    desk = Desk(browser, server)
    desk.sign_in(server.credentials["officer_code"])
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def submitter(browser: Any, server: Server) -> Iterator[Desk]:
    desk = Desk(browser, server)
    desk.sign_in(server.credentials["staff"]["department_submitter"]["enrolment_code"])
    yield desk
    desk.close()


def check(desk: Desk, label: str) -> None:
    assert_accessible(desk.page, label)
    assert_no_placeholder_text(desk.page, label)
    assert not desk.problems, desk.problems


def test_a_department_reports_a_case_and_the_office_counts_it(
    server: Server, officer: Desk, submitter: Desk
) -> None:
    resident = server.credentials["residents"][1]
    console = submitter.page
    console.goto("/office?lang=zh-CN")
    console.click("main a[href='/department/joint-cases']")
    console.wait_for_url(at("/department/joint-cases"))
    assert console.locator("h1").inner_text().startswith(ZH["jointcase.department.title"])
    console.fill("#jc-external-id", "SJ-2026-0042")
    console.fill("#jc-id-number", resident["id_number"])
    console.select_option("#jc-list", "gray")
    console.select_option("#jc-measure", "interview_warning")
    console.fill("#jc-summary", "食品经营者约谈警示，限期整改")
    console.click("#joint-case-form button[type=submit]")
    console.wait_for_selector("#joint-case-done")
    row = console.locator("#my-joint-cases tbody tr").first
    assert "约谈警示" in row.inner_text() and resident["id_number"] not in row.inner_text()
    check(submitter, "department joint cases")
    shoot(console, "department-joint-cases-zh")
    console.goto("/department/joint-cases?lang=en")
    assert "Warning interview" in console.locator("#my-joint-cases").inner_text()
    check(submitter, "department joint cases, English")
    shoot(console, "department-joint-cases-en")

    page = officer.page
    page.goto("/office?lang=zh-CN")
    page.click("main a[href='/office/joint-cases']")
    page.wait_for_url(at("/office/joint-cases"))
    counted = page.locator("#joint-case-counts tbody tr", has_text="约谈警示")
    assert counted.count() == 1 and counted.locator("td.num").inner_text() == "1"
    page.select_option("#f-list", "gray")
    page.click("#joint-case-filters button[type=submit]")
    page.wait_for_url(lambda url: "list=gray" in url)
    assert (
        page.locator("#joint-case-export a")
        .first.get_attribute("href")
        .endswith("list=gray&format=csv")
    )
    check(officer, "office joint cases")
    shoot(page, "office-joint-cases-zh")
    page.goto("/office/joint-cases?lang=en")
    check(officer, "office joint cases, English")
    shoot(page, "office-joint-cases-en")


def test_the_office_opens_key_groups_data_use_and_statistics(officer: Desk, server: Server) -> None:
    page = officer.page
    # a look-up first: the data-use page counts it under this officer
    page.goto("/office/people?lang=zh-CN")
    page.fill("#id_number", server.credentials["residents"][2]["id_number"])
    page.select_option("#purpose", index=1)
    page.fill("#purpose_detail", "核实异议材料")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    for path, key, name, table, rows in (
        ("/office/key-groups", "office.keygroups.title", "office-key-groups",
         "#table-key-groups tbody tr[id^=kg-]", 16),
        ("/office/data-use", "office.watch.title", "office-data-use",
         "#table-data-use-actors tbody tr[data-actor]", 1),  # the officer's own look-ups
    ):  # fmt: skip
        page.goto("/office?lang=zh-CN")  # the language chosen last is remembered
        page.click(f"nav a[href='{path}']")
        page.wait_for_url(at(path))
        assert page.locator("h1").inner_text() == ZH[key]
        assert page.locator(table).count() >= rows, path
        check(officer, path)
        shoot(page, f"{name}-zh")
        page.goto(f"{path}?lang=en")
        assert page.locator("h1").inner_text() == EN[key]
        check(officer, f"{path}, English")
        shoot(page, f"{name}-en")
    page.goto("/office/dashboard?lang=zh-CN")
    assert page.locator("#data-use-alerts h2").inner_text() == ZH["office.watch.alerts"]
    page.goto("/statistics?lang=zh-CN")
    assert page.locator("h1").inner_text() == ZH["published.title"]
    check(officer, "published statistics")
    shoot(page, "published-statistics-zh")
    page.goto("/statistics?lang=en")
    check(officer, "published statistics, English")
    shoot(page, "published-statistics-en")
