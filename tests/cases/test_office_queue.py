"""The credit office's view of the cases, as an officer uses it without JavaScript: every open
case overdue first once the deadline sweep has run, the human review of a rejected objection,
and the dashboard's cases section with its warning when the working-day calendar does not
cover the year."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.cases import sweep
from backend.core import clock
from backend.core.workdays import national_years
from backend.credit.models import CreditRecord
from backend.objections.models import Objection
from backend.office import figures
from backend.repairs.models import RepairRequest
from tests.cases.helpers import MARKET, alert, browser, csrf, sign_in_staff
from tests.due_process import PDF, file_repair, negative_record, resident


@pytest.fixture(autouse=True)
def _fresh_figures() -> Iterator[None]:
    figures.cache.clear()
    yield
    figures.cache.clear()


def row_order(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"')[1].split("</table>")[0]
    return re.findall(r'<tr id="case-([^"]+)"', body)


async def object_to(r: Any, record_id: int) -> dict[str, Any]:
    created = await r.client.post(
        "/api/v1/me/objections",
        data={"subject": "record", "subject_id": str(record_id), "reason": "不是我本人"},
        files=[("evidence", ("p.pdf", PDF, "application/pdf"))],
        headers=r.headers(),
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def test_open_cases_are_listed_overdue_first_after_the_sweep(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    first = await resident(client, app)
    late = (await file_repair(first, (await negative_record(first.person_id)).id)).json()
    objection = await object_to(first, (await negative_record(first.person_id, months_ago=1)).id)
    clock.shift(dt.timedelta(days=16))  # past the 10 working days of the repair's answer
    second = await resident(other_client, app, name="李晓红")
    fresh = (await file_repair(second, (await negative_record(second.person_id)).id)).json()
    assert (await sweep.sweep()).repairs_overdue == 1

    expected = sorted(
        [(True, (await RepairRequest.get(id=late["id"])).feedback_due, late["case_no"]),
         (False, (await RepairRequest.get(id=fresh["id"])).feedback_due, fresh["case_no"]),
         (False, (await Objection.get(id=objection["id"])).answer_due, objection["case_no"])],
        key=lambda row: (not row[0], row[1], row[2]),  # a tie of deadlines: by case number
    )  # fmt: skip
    async with browser(app, "10.4.0.1") as office, browser(app, "10.4.0.2") as desk:
        await sign_in_staff(office, ["officer"], "陈信用")
        page = (await office.get("/office/cases")).text
        assert row_order(page, "open-cases") == [case_no for _, _, case_no in expected]
        assert row_order(page, "open-cases")[0] == late["case_no"]
        overdue_row = page.split(f'id="case-{late["case_no"]}"')[1].split("</tr>")[0]
        assert f'id="case-{late["case_no"]}" class="overdue"' in page
        assert "逾期" in overdue_row
        await sign_in_staff(desk, ["department_submitter"], "吴报送", MARKET)
        console = (await desk.get("/department")).text
        assert row_order(console, "department-cases")[0] == late["case_no"]


async def test_an_officer_decides_the_human_review_of_a_rejected_objection(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = await object_to(r, record.id)
    async with browser(app, "10.4.1.1") as desk, browser(app, "10.4.1.2") as office:
        await sign_in_staff(desk, ["department_submitter"], "吴报送", MARKET)
        rejected = await desk.post(
            f"/department/objections/{case['id']}/answer",
            data={"csrf_token": csrf(desk), "outcome": "rejected", "answer": "记录与决定书一致"},
        )
        assert rejected.headers["location"] == "/department?done=answered"
        review = await client.post(
            f"/api/v1/me/objections/{case['id']}/review",
            json={"reason": "请人工复核，当天我不在黄石"},
            headers=r.headers(),
        )
        assert review.json()["state"] == "review_requested", review.text

        await sign_in_staff(office, ["officer"], "陈信用")
        page = (await office.get("/office/cases")).text
        action = f"/office/cases/objections/{case['id']}/review"
        assert f'action="{action}"' in page and f'<label for="review-{case["id"]}">' in page
        empty = await office.post(action, data={"csrf_token": csrf(office), "outcome": "upheld"})
        assert empty.status_code == 422 and "请选择答复结果并写明答复" in alert(empty.text)
        decided = await office.post(
            action,
            data={"csrf_token": csrf(office), "outcome": "upheld",
                  "answer": "复核认定证据不足，撤销记录"},
        )  # fmt: skip
        assert decided.headers["location"] == "/office/cases?done=reviewed"
        assert (await Objection.get(id=case["id"])).status == "review_upheld"
        assert (await CreditRecord.get(id=record.id)).status == "withdrawn"
        again = await office.post(
            action, data={"csrf_token": csrf(office), "outcome": "rejected", "answer": "x"}
        )
        assert again.status_code == 409 and "已办结或状态已变化" in alert(again.text)
        mine = (await client.get(f"/api/v1/me/objections/{case['id']}")).json()
        assert mine["review_answer"] == "复核认定证据不足，撤销记录"


async def test_the_dashboard_points_to_the_cases_and_warns_of_a_year_without_calendar(
    app: Any,
) -> None:
    covered = [year.year for year in national_years()]
    async with browser(app, "10.4.2.1") as office:
        await sign_in_staff(office, ["officer"], "陈信用")
        page = (await office.get("/office/dashboard")).text
        assert 'id="dashboard-cases"' in page and 'href="/office/cases#case-figures"' in page
        assert ('id="calendar-warning"' in page) == (clock.today().year not in covered)
    uncovered = max(covered) + 1
    clock.shift(dt.date(uncovered, 3, 2) - clock.today())
    figures.cache.clear()
    async with browser(app, "10.4.2.2") as office:
        await sign_in_staff(office, ["officer"], "陈信用二")
        page = (await office.get("/office/dashboard")).text
        warning = page.split('id="calendar-warning">')[1].split("</p>")[0]
        assert str(uncovered) in warning and "周一至周五" in warning
        assert 'id="calendar-warning"' in (await office.get("/office/cases")).text
