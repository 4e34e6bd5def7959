"""Objections through the API: "under objection" at once, the department's answer, the
automatic suspension when it is late (the sweep with the clock moved forward), the human
review by the credit office, and what is refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from backend.audit.models import AuditEntry
from backend.cases import sweep
from backend.core import clock
from backend.core.settings import ROOT
from backend.credit.models import CreditRecord, ListEntry, Score
from backend.objections.models import Objection
from tests.authenticator import SoftAuthenticator
from tests.conftest import IS_PG
from tests.credit.helpers import problem
from tests.due_process import PDF, Resident, department_headers, negative_record, resident
from tests.factories import login, make_staff


async def object_to(r: Resident, subject: str, subject_id: int, **extra: Any) -> httpx.Response:
    return await r.client.post(
        "/api/v1/me/objections",
        data={"subject": subject, "subject_id": str(subject_id), "reason": "这笔罚款不是我的"},
        files=extra.get("files", [("evidence", ("proof.pdf", PDF, "application/pdf"))]),
        headers=r.headers(),
    )


async def test_an_upheld_objection_withdraws_the_record_and_rescores(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    before = (await Score.get(person_id=r.person_id)).score
    created = await object_to(r, "record", record.id)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["state"] == "submitted" and case["answer_due"] > case["submitted_at"][:10]
    shown = (await client.get(f"/api/v1/me/records/{record.id}")).json()
    assert shown["status"] == "under_objection"
    dept = await department_headers()
    queue = (await client.get("/api/v1/department/cases", headers=dept)).json()["items"]
    assert [(c["kind"], c["case_no"]) for c in queue] == [("objection", case["case_no"])]
    answered = await client.post(
        f"/api/v1/department/objections/{case['id']}/answer",
        json={"upheld": True, "answer": "经核实，录入错误，予以撤销"},
        headers=dept,
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "upheld"
    assert (await CreditRecord.get(id=record.id)).status == "withdrawn"
    after = await Score.get_or_none(person_id=r.person_id)
    assert after is None or after.score > before
    inbox = (await client.get("/api/v1/me/notifications")).json()["items"]
    assert any(n["params"].get("step") == "upheld" for n in inbox)


async def test_an_unanswered_objection_suspends_the_record_until_the_answer_comes(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    counted = (await Score.get(person_id=r.person_id)).score
    case = (await object_to(r, "record", record.id)).json()
    assert (await sweep.sweep()).objections_suspended == 0  # not late yet
    clock.shift(dt.timedelta(days=45))  # 20 working days are long gone
    await login(client, r.auth)  # the session ended meanwhile
    swept = await sweep.sweep()
    assert swept.objections_suspended == 1
    assert (await sweep.sweep()).objections_suspended == 0  # once only
    suspended = await CreditRecord.get(id=record.id)
    assert suspended.suspended
    paused = (await Score.get(person_id=r.person_id)).score
    assert paused > counted, "a suspended record stops counting"
    inbox = (await client.get("/api/v1/me/notifications")).json()["items"]
    assert any(n["kind"] == "deadline_passed" for n in inbox)
    mine = (await client.get(f"/api/v1/me/objections/{case['id']}")).json()
    assert (mine["overdue"], mine["suspended"]) == (True, True)

    dept = await department_headers()
    rejected = await client.post(
        f"/api/v1/department/objections/{case['id']}/answer",
        json={"upheld": False, "answer": "处罚决定书编号与本人一致，记录无误"},
        headers=dept,
    )
    assert rejected.json()["state"] == "rejected"
    resumed = await CreditRecord.get(id=record.id)
    assert not resumed.suspended and not resumed.disputed
    assert (await Score.get(person_id=r.person_id)).score == counted

    review = await client.post(
        f"/api/v1/me/objections/{case['id']}/review",
        json={"reason": "请人工复核，我当天不在黄石"},
        headers=r.headers(),
    )
    assert review.json()["state"] == "review_requested"
    office = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=str(client.base_url)
    )
    async with office:
        await make_staff(office, SoftAuthenticator(origin="http://localhost:8000"), ["officer"])
        queue = (await office.get("/api/v1/office/cases")).json()["items"]
        assert [c["state"] for c in queue] == ["review_requested"]
        decided = await office.post(
            f"/api/v1/office/objections/{case['id']}/review",
            json={"upheld": True, "answer": "复核认定证据不足，撤销记录"},
            headers={"X-CSRF-Token": office.cookies.get("xinyi_csrf", "")},
        )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "review_upheld"
    assert (await CreditRecord.get(id=record.id)).status == "withdrawn"


async def test_objections_are_refused_where_they_do_not_belong(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    owner = await resident(client, app)
    record = await negative_record(owner.person_id)
    stranger = await resident(other_client, app, name="李小红")
    problem(await object_to(stranger, "record", record.id), 404, "not_found")
    problem(await object_to(stranger, "default", 999), 404, "not_found")
    assert (await object_to(owner, "record", record.id)).status_code == 201
    again = await object_to(owner, "record", record.id)
    assert problem(again, 409, "conflict")["reason"] == "already_open"
    bad = await owner.client.post(
        "/api/v1/me/objections",
        data={"subject": "score", "subject_id": "1", "reason": "x"},
        files=[("evidence", ("p.pdf", PDF, "application/pdf"))],
        headers=owner.headers(),
    )
    problem(bad, 422, "validation_failed")
    assert await Objection.all().count() == 1


async def test_an_answer_after_withdrawal_is_refused(client: httpx.AsyncClient, app: Any) -> None:
    r = await resident(client, app)
    record = await negative_record(r.person_id)
    case = (await object_to(r, "record", record.id, files=[])).json()
    withdrawn = await client.post(
        f"/api/v1/me/objections/{case['id']}/withdraw", headers=r.headers()
    )
    assert withdrawn.json()["state"] == "withdrawn"
    assert not (await CreditRecord.get(id=record.id)).disputed
    dept = await department_headers()
    late = await client.post(
        f"/api/v1/department/objections/{case['id']}/answer",
        json={"upheld": True, "answer": "撤销"},
        headers=dept,
    )
    assert problem(late, 409, "conflict")["reason"] == "case_closed"
    other = await department_headers("tax")
    foreign = await client.get(f"/api/v1/department/objections/{case['id']}", headers=other)
    problem(foreign, 404, "not_found")
    assert (await CreditRecord.get(id=record.id)).status == "active"


async def test_an_objection_to_a_manual_list_entry_is_answered_by_the_office_with_four_eyes(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    entry = await ListEntry.create(
        person_id=r.person_id, kind="gray", source="manual", reason="重点关注",
        legal_basis="x", decision_doc_no="黄信〔2026〕1号", start=clock.today(), status="active",
    )  # fmt: skip
    case = (await object_to(r, "list_entry", entry.id, files=[])).json()
    assert case["department"] == "credit_office"
    assert (await ListEntry.get(id=entry.id)).disputed
    assert case["state"] == "submitted"


async def test_two_sweeps_at_once_suspend_each_late_objection_once(
    client: httpx.AsyncClient, app: Any, settings: Any
) -> None:
    """Two processes of `python -m backend.cli sweep-deadlines` against one database: at the
    same time on PostgreSQL (several app processes are its deployment); one after the other on
    SQLite, which runs one app process (docs/operations.md) — the second still finds nothing
    left to do."""
    r = await resident(client, app)
    records = [await negative_record(r.person_id, department="market_regulation") for _ in range(3)]
    for record in records:
        case = (await object_to(r, "record", record.id, files=[])).json()
        await Objection.filter(id=case["id"]).update(
            answer_due=clock.today() - dt.timedelta(days=1)
        )
    env = {**os.environ, "DATABASE_URL": settings.resolved_database_url,
           "DATA_DIR": str(settings.data_dir), "BACKGROUND_TASKS": "0"}  # fmt: skip
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "backend.cli", "sweep-deadlines"]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            command, env=env, cwd=Path(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    if IS_PG:
        runs = [start(), start()]
        outputs = [await asyncio.to_thread(p.communicate, timeout=120) for p in runs]
    else:
        runs, outputs = [], []
        for _ in range(2):
            runs.append(start())
            outputs.append(await asyncio.to_thread(runs[-1].communicate, timeout=120))
    assert all(p.returncode == 0 for p in runs), [o[1][-2000:] for o in outputs]
    assert await AuditEntry.filter(action="objection.overdue").count() == 3
    assert await CreditRecord.filter(id__in=[x.id for x in records], suspended=True).count() == 3
