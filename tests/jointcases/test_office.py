"""The credit office's joint cases: counter uses rolled up from the redemptions and the checks
(a red-list resident's benefit; a black-list resident's benefit withheld, once a day however
often the pass is scanned), the departments' reports, counted by list × measure × department
× month, filtered, and exported as CSV and XLSX (read back) with ID numbers masked and
formulas defused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from backend.audit.models import AuditEntry
from backend.core import clock
from backend.jointcases import rollup
from backend.jointcases.models import JointCase
from backend.partners.models import Partner
from backend.partners.service import PARTNERS
from tests.jointcases.helpers import (
    OFFICE,
    URL,
    case,
    csv_rows,
    department,
    listed_phone,
    xlsx_rows,
)
from tests.partners import government
from tests.partners.helpers import forms, token


async def _counter_uses(app: Any, library: Any, browsers: Any) -> tuple[Any, Any]:
    """A red-list resident borrows deposit-free; a black-list resident's pass is checked three
    times (no benefit: the normal deposit applies)."""
    red_phone, red = await listed_phone(app, browsers(), name="赵红", lists=("red",))
    text = red_phone.present()
    made = await library.officer.post(
        "/api/v1/redemptions",
        json={"text": text, "offer_id": library.offer_id},
        headers=library.key,
    )
    assert made.status_code == 201, made.text
    black_phone, black = await listed_phone(app, browsers(), name="钱黑", lists=("black",))
    for _ in range(3):
        checked = await library.officer.post(
            "/api/v1/passes/verify", json={"text": black_phone.present()}, headers=library.key
        )
        assert checked.status_code == 200 and checked.json()["eligible_offers"] == []
    return red, black


async def test_counter_uses_become_cases_once(app: Any, library: Any, browsers: Any) -> None:
    red, black = await _counter_uses(app, library, browsers)
    assert await JointCase.all().count() == 0  # the counter wrote nothing of its own
    assert await rollup.roll_up() == 3
    assert await rollup.roll_up() == 0  # the cursor moved on: nothing twice
    cases = {c.source: c for c in await JointCase.all()}
    incentive, withheld, hint = cases["redemption"], cases["restriction"], cases["hint"]
    # the library is a public service: its counter is given 绿色通道 for the red-list resident
    assert (hint.list_kind, hint.measure, hint.person_id) == ("red", "green_channel", red.person.id)
    assert (incentive.list_kind, incentive.measure, incentive.person_id) == (
        "red",
        "deposit_waived",
        red.person.id,
    )
    assert (withheld.list_kind, withheld.measure, withheld.person_id) == (
        "black",
        "benefit_withheld",
        black.person.id,
    )
    assert incentive.partner_id == withheld.partner_id is not None
    assert withheld.occurred_on == clock.today() and withheld.month == clock.today().isoformat()[:7]


async def test_the_office_counts_filters_and_exports(app: Any, library: Any, browsers: Any) -> None:
    red, black = await _counter_uses(app, library, browsers)
    court = await department("court")
    for n, (kind, measure, date) in enumerate(
        [("black", "market_punishment", "2026-10-05"), ("black", "market_punishment", "2026-10-20"),
         ("gray", "cautious_handling", "2026-11-02")]
    ):  # fmt: skip
        body = case(f"C-{n}", list=kind, measure=measure, date=date, id_number=black.id_number)
        assert (await library.officer.post(URL, json=body, headers=court)).status_code == 200
    formula = case(
        "C-9", case_reference='=HYPERLINK("http://x")', summary="@SUM(A1)", date="2026-11-03"
    )
    assert (await library.officer.post(URL, json=formula, headers=court)).status_code == 200

    officer = library.officer  # the officer who approved the library
    listed = await officer.get(OFFICE)
    assert listed.status_code == 200, listed.text
    data = listed.json()
    assert data["total"] == 7
    counts = {
        (c["month"], c["list"], c["measure"], c["organisation"]): c["cases"] for c in data["counts"]
    }
    month = clock.today().isoformat()[:7]
    partner = f"partner:{(await JointCase.get(source='redemption')).partner_id}"
    assert counts[("2026-10", "black", "market_punishment", "court")] == 2
    assert counts[("2026-11", "gray", "cautious_handling", "court")] == 1
    assert counts[(month, "red", "deposit_waived", partner)] == 1
    assert counts[(month, "black", "benefit_withheld", partner)] == 1
    assert counts[(month, "red", "green_channel", partner)] == 1
    assert black.id_number not in listed.text

    only = (await officer.get(OFFICE, params={"list": "black", "organisation": "court"})).json()
    assert only["total"] == 3 and {c["month"] for c in only["counts"]} == {"2026-10", "2026-11"}
    by_month = (
        await officer.get(OFFICE, params={"month": "2026-11", "measure": "cautious_handling"})
    ).json()
    assert by_month["total"] == 1
    bad = await officer.get(OFFICE, params={"measure": "torture"})
    assert bad.status_code == 422

    exported = await officer.get(
        f"{OFFICE}/export", params={"format": "csv", "organisation": "court"}
    )
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = csv_rows(exported.content)
    assert len(rows) == 4 and {r["organisation"] for r in rows} == {"court"}
    assert black.id_number not in exported.text
    masked = {r["person"] for r in rows if r["person"]}
    assert len(masked) == 1 and "*" in next(iter(masked))
    injected = next(r for r in rows if r["case_reference"].startswith("'"))
    assert (
        injected["case_reference"] == '\'=HYPERLINK("http://x")'
        and injected["summary"] == "'@SUM(A1)"
    )
    assert {r["measure_name"] for r in rows} == {"市场性惩戒", "审慎办理"}
    assert {r["kind"] for r in rows} == {"punishment"}

    workbook = await officer.get(f"{OFFICE}/export", params={"format": "xlsx"})
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    sheet = xlsx_rows(workbook.content)
    assert len(sheet) == 7 and sorted(r["case_id"] for r in sheet) == sorted(
        c["id"] for c in data["items"]
    )
    assert black.id_number not in str(sheet)
    formula_cell = next(r for r in sheet if str(r["case_reference"]).startswith("="))
    assert formula_cell["case_reference"] == '=HYPERLINK("http://x")'  # a string, never run
    red_row = next(r for r in sheet if r["source"] == "redemption")
    assert (red_row["measure"], red_row["organisation_name"], red_row["source"]) == (
        "deposit_waived", "黄石市图书馆", "redemption")  # fmt: skip
    assert "*" in red_row["person"] and red.id_number not in red_row["person"]
    assert red_row["person"][:6] == red.id_number[:6]  # masked as the console shows it
    english = xlsx_rows((await officer.get(f"{OFFICE}/export?format=xlsx&lang=en")).content)
    assert {r["measure_name"] for r in english if r["measure"] == "deposit_waived"} == {
        "Deposit waived"
    }
    assert await AuditEntry.filter(action="joint_cases.exported").count() == 3


async def test_the_office_page_shows_the_counts(app: Any, library: Any, browsers: Any) -> None:
    await _counter_uses(app, library, browsers)
    court = await department("court")
    assert (
        await library.officer.post(
            URL, json=case("P-1", case_reference="(2026)鄂02执9号"), headers=court
        )
    ).status_code == 200
    officer = library.officer
    page = await officer.get("/office/joint-cases")
    assert page.status_code == 200, page.text
    assert "联合奖惩案例" in page.text and 'aria-current="page"' in page.text
    assert page.text.count("<tr data-count=") == 4
    assert "黄石市图书馆" in page.text and "免押金" in page.text and "不予信用惠民" in page.text
    assert 'href="/api/v1/office/joint-cases/export?format=xlsx"' in page.text
    filtered = await officer.get("/office/joint-cases?list=red")
    assert filtered.text.count("<tr data-count=") == 2  # the benefit and the green channel
    assert "export?list=red&amp;format=csv" in filtered.text
    english = await officer.get("/office/joint-cases?lang=en")
    assert "Joint cases" in english.text and "Deposit waived" in english.text


async def test_handling_hints_at_a_government_counter_are_cases(
    app: Any, library: Any, browsers: Any
) -> None:
    """绿色通道 for a red-list resident, 审慎办理 for a gray-list one, at a government counter."""
    # the library's counter becomes a government service counter (as if it had applied as one)
    await Partner.filter(name="黄石市图书馆").update(domain="government")
    PARTNERS.forget()
    shown: dict[str, list[str]] = {}
    for name, kind in (("孙红", "red"), ("李灰", "gray")):
        phone, _ = await listed_phone(app, browsers(), name=name, lists=(kind,))
        for _ in range(2):  # the same person twice the same day is one use
            checked = await library.officer.post(
                "/api/v1/passes/verify", json={"text": phone.present()}, headers=library.key
            )
            assert checked.status_code == 200, checked.text
        shown[kind] = [h["code"] for h in checked.json()["handling"]]
    assert "green_channel" in shown["red"] and shown["gray"] == ["cautious_handling"]
    await rollup.roll_up()
    cases = sorted((c.source, c.list_kind, c.measure) for c in await JointCase.all())
    assert ("hint", "red", "green_channel") in cases
    assert ("hint", "gray", "cautious_handling") in cases
    assert ("hint", "red", "deferred_acceptance") not in cases  # counted when accepted, not offered
    assert len([c for c in cases if c[0] == "hint"]) == 2


async def test_a_signed_deferred_acceptance_is_a_case(app: Any, browsers: Any) -> None:
    """容缺受理 counts once the resident signed the commitment, not while it waits for it."""
    officer = browsers()
    await government.office(officer)
    counter = await government.join(
        officer, browsers(), name="黄石市政务服务中心", domain="government"
    )
    person = await government.resident(app, browsers(), name="李红梅", lists=("red",))
    scanned = await counter.admin.post(
        "/counter", data={"csrf_token": token(counter.admin), "text": person.phone.present()}
    )
    due_on = (clock.today() + dt.timedelta(days=5)).isoformat()
    form = forms(scanned.text, "/counter/deferrals")[0] | {
        "matter": "申请公租房资格", "document": "income_certificate", "due_on": due_on}  # fmt: skip
    assert (await counter.admin.post("/counter/deferrals", data=form)).status_code == 200
    await rollup.roll_up()
    assert not await JointCase.filter(source="deferred").exists()  # waiting for the signature
    [item] = (await person.http.get("/api/v1/me/deferred-acceptances")).json()["items"]
    started = await person.http.post(
        f"/api/v1/me/deferred-acceptances/{item['id']}/start", json={"locale": "zh-CN"},
        headers=person.headers(),
    )  # fmt: skip
    signed = await person.http.post(
        f"/api/v1/me/deferred-acceptances/{item['id']}/sign",
        json={"credential": person.auth.get(started.json()["publicKey"])}, headers=person.headers(),
    )  # fmt: skip
    assert signed.status_code == 200 and signed.json()["status"] == "committed", signed.text
    await rollup.roll_up()
    [case] = await JointCase.filter(source="deferred")
    assert (case.list_kind, case.measure, case.person_id) == (
        "red",
        "deferred_acceptance",
        person.who.person.id,
    )
    await rollup.roll_up()
    assert await JointCase.filter(source="deferred").count() == 1
