"""The department console as a department submitter works it, without JavaScript: a case
returned for more material comes back to the queue when the resident adds it, evidence is
downloaded as a logged look, and a refused step says why in the reader's language."""

from __future__ import annotations

from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.credit.models import CreditRecord
from backend.repairs.models import RepairRequest
from tests.cases.helpers import MARKET, alert, browser, csrf, sign_in_staff
from tests.due_process import JPEG, PDF, file_repair, negative_record, resident


def step(desk: httpx.AsyncClient, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf(desk)} | fields


async def test_returned_for_more_material_it_comes_back_when_the_resident_adds_it(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id)).json()
    path = f"/department/repairs/{case['id']}"
    async with browser(app, "10.3.0.1") as desk:
        await sign_in_staff(desk, ["department_submitter"], "吴报送", MARKET)
        empty = await desk.post(f"{path}/step", data=step(desk, step="return"))
        assert empty.status_code == 422 and "请写明还缺少什么材料" in alert(empty.text)
        returned = await desk.post(
            f"{path}/step", data=step(desk, step="return", missing="请补充缴款凭证原件照片")
        )
        assert returned.headers["location"] == "/department?done=returned"
        queue = (await desk.get("/department?done=returned")).text
        assert 'id="case-done"' in queue and "status-returned" in queue  # the resident's turn

        mine = (await client.get(f"/api/v1/me/repairs/{case['id']}")).json()
        assert mine["state"] == "returned" and mine["missing"] == "请补充缴款凭证原件照片"
        added = await client.post(
            f"/api/v1/me/repairs/{case['id']}/evidence",
            files=[("evidence", ("凭证原件.jpg", JPEG, "image/jpeg"))],
            headers=r.headers(),
        )
        assert added.status_code == 200, added.text

        queue = (await desk.get("/department")).text
        row = queue.split(f'id="case-{case["case_no"]}"')[1].split("</tr>")[0]
        assert "status-submitted" in row  # back in the queue, to be accepted
        page = (await desk.get(path)).text
        assert "凭证原件.jpg" in page and 'value="accept"' in page
        assert [s["status"] for s in mine["timeline"]] == ["submitted", "returned"]
        assert (await RepairRequest.get(id=case["id"])).status == "submitted"


async def test_evidence_downloads_are_logged_looks_and_refusals_are_worded(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await file_repair(r, record.id, [("receipt.pdf", PDF, "application/pdf")])).json()
    path = f"/department/repairs/{case['id']}"
    async with browser(app, "10.3.1.1") as desk:
        account = await sign_in_staff(desk, ["department_submitter"], "吴报送", MARKET)
        page = (await desk.get(path)).text
        href = case["evidence"][0]["href"].replace("/me/", "/department/")
        assert f'href="{href}"' in page
        download = await desk.get(href)
        assert download.status_code == 200 and download.content == PDF
        assert download.headers["content-disposition"].startswith("attachment")
        look = await AuditEntry.get(action="evidence.viewed", actor_account_id=account.id)
        assert look.subject_person_id == r.person_id

        early = await desk.post(
            f"{path}/step", data=step(desk, step="approve", reason="已缴清", legal_basis="")
        )
        assert early.status_code == 409 and "请先受理" in alert(early.text)
        assert 'data-reason="not_accepted"' in early.text
        await desk.post(f"{path}/step", data=step(desk, step="accept"))
        twice = await desk.post(f"{path}/step?lang=en", data=step(desk, step="accept"))
        assert twice.status_code == 409
        assert "Only a submitted request can be accepted" in alert(twice.text)
        rejected = await desk.post(
            f"{path}/step",
            data=step(desk, step="reject", reason="凭证不清晰", legal_basis="《信用修复管理办法》"),
        )
        assert rejected.headers["location"] == "/department?done=rejected"
        closed = await desk.post(f"{path}/step", data=step(desk, step="accept"))
        assert closed.status_code == 409 and 'data-reason="case_closed"' in closed.text
        assert (await CreditRecord.get(id=record.id)).status == "active"
