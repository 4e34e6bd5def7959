"""The case pages as their users drive them, without JavaScript: a department submitter
works the queue (accept, approve; answer an objection), the credit office sees every open case
with the figures, and anyone follows a case by its number and the name."""

from __future__ import annotations

import re
from typing import Any

import httpx

from backend.credit.models import CreditRecord
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.due_process import PDF, file_repair, negative_record, resident
from tests.factories import make_staff


def browser(app: Any, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 1234))
    return httpx.AsyncClient(transport=transport, base_url=ORIGIN)


def csrf(client: httpx.AsyncClient) -> str:
    return client.cookies.get("xinyi_csrf", "")


async def test_a_department_submitter_accepts_and_approves_in_the_console(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    async with browser(app, "10.1.1.1") as desk, browser(app, "10.1.1.2") as other:
        await make_staff(desk, SoftAuthenticator(origin=ORIGIN), ["department_submitter"],
                         name="吴报送", organisation="黄石市市场监督管理局")  # fmt: skip
        await make_staff(other, SoftAuthenticator(origin=ORIGIN), ["department_submitter"],
                         name="税务员", organisation="市税务局")  # fmt: skip
        queue = (await desk.get("/department")).text
        assert case["case_no"] in queue and "市市场监督管理局" in queue
        assert case["case_no"] not in (await other.get("/department")).text
        assert (await other.get(f"/department/repairs/{case['id']}")).status_code == 404
        page = (await desk.get(f"/department/repairs/{case['id']}")).text
        assert "罚款已于上月缴清" in page and case["commitment"]["text_sha256"] in page
        assert re.search(r'name="step" value="accept"', page)
        accepted = await desk.post(
            f"/department/repairs/{case['id']}/step",
            data={"csrf_token": csrf(desk), "step": "accept"},
        )
        assert (
            accepted.status_code == 303
            and accepted.headers["location"] == "/department?done=accepted"
        )
        no_reason = await desk.post(
            f"/department/repairs/{case['id']}/step",
            data={"csrf_token": csrf(desk), "step": "approve"},
        )
        assert no_reason.status_code == 422
        approved = await desk.post(
            f"/department/repairs/{case['id']}/step",
            data={"csrf_token": csrf(desk), "step": "approve", "reason": "罚款已缴清",
                  "legal_basis": "《信用修复管理办法》第十条"},
        )  # fmt: skip
        assert approved.headers["location"] == "/department?done=approved"
        assert (await CreditRecord.get(id=record.id)).status == "repaired"
        twice = await desk.post(
            f"/department/repairs/{case['id']}/step",
            data={"csrf_token": csrf(desk), "step": "reject", "reason": "x"},
        )
        assert twice.status_code == 409 and "case_closed" in twice.text
        looks = (await client.get("/api/v1/me/access-log")).json()["items"]
        assert any(i["action"] == "person.viewed" and "吴报送" in i["who"] for i in looks)


async def test_an_objection_is_answered_and_the_office_sees_the_figures(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    created = await client.post(
        "/api/v1/me/objections",
        data={"subject": "record", "subject_id": str(record.id), "reason": "不是我"},
        files=[("evidence", ("p.pdf", PDF, "application/pdf"))],
        headers=r.headers(),
    )
    case = created.json()
    async with browser(app, "10.1.1.3") as desk, browser(app, "10.1.1.4") as office:
        await make_staff(desk, SoftAuthenticator(origin=ORIGIN), ["department_submitter"],
                         organisation="market_regulation")  # fmt: skip
        await make_staff(office, SoftAuthenticator(origin=ORIGIN), ["officer"], name="陈信用")
        open_cases = (await office.get("/office/cases")).text
        assert case["case_no"] in open_cases
        page = (await desk.get(f"/department/objections/{case['id']}")).text
        assert "不是我" in page
        answered = await desk.post(
            f"/department/objections/{case['id']}/answer",
            data={"csrf_token": csrf(desk), "outcome": "upheld", "answer": "录入错误，撤销"},
        )
        assert answered.headers["location"] == "/department?done=answered"
        assert (await CreditRecord.get(id=record.id)).status == "withdrawn"
        figures = (await office.get("/office/cases")).text
        assert 'id="case-figures"' in figures and "市市场监督管理局" in figures
        assert case["case_no"] not in figures.split('id="open-cases"')[1]


async def test_anyone_follows_a_case_by_number_and_name(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    async with browser(app, "10.1.1.5") as family:
        form = (await family.get("/cases/lookup")).text
        assert 'name="case_no"' in form
        found = await family.post(
            "/cases/lookup", data={"case_no": case["case_no"], "name": r.who.name}
        )
        assert found.status_code == 200 and 'id="lookup-state"' in found.text
        wrong = await family.post(
            "/cases/lookup", data={"case_no": case["case_no"], "name": "王五"}
        )
        assert wrong.status_code == 404 and 'id="lookup-state"' not in wrong.text
        statuses = []
        for _ in range(6):
            again = await family.post(
                "/cases/lookup", data={"case_no": case["case_no"], "name": "王五"}
            )
            statuses.append(again.status_code)
        assert 429 in statuses, statuses  # throttled like enrolment
