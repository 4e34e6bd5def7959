"""What an objection can be about, and who answers it: a partner-reported default goes to the
department of the record it made; a rule-derived list entry to the department of the record
behind it (its answer lifts the entry by withdrawing that record)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.core.clock import today
from backend.credit.models import CreditRecord, ListEntry
from backend.credit.service import rescore_person
from backend.credit.system import redemption_external_id
from tests.credit.helpers import add_record
from tests.due_process import department_headers, resident


async def test_a_reported_default_is_objected_to_and_its_department_answers(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await add_record(
        r.person_id, "PUB_LIBRARY_OVERDUE", today(),
        department="library", external_id=redemption_external_id(77),
    )  # fmt: skip
    created = await client.post(
        "/api/v1/me/objections",
        data={"subject": "default", "subject_id": "77", "reason": "书已按时归还，有借还凭条"},
        headers=r.headers(),
    )
    assert created.status_code == 201, created.text
    case = created.json()
    assert (case["department"], case["record_id"]) == ("library", record.id)
    assert (await CreditRecord.get(id=record.id)).disputed
    answered = await client.post(
        f"/api/v1/department/objections/{case['id']}/answer",
        json={"upheld": True, "answer": "系统误报，撤销"},
        headers=await department_headers("library"),
    )
    assert answered.json()["state"] == "upheld"
    assert (await CreditRecord.get(id=record.id)).status == "withdrawn"


async def test_a_rule_entry_is_answered_by_the_department_of_its_record(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    record = await add_record(
        r.person_id, "LAW_COURT_DEFAULTER", today() - dt.timedelta(days=30), department="court"
    )
    await rescore_person(person_id=r.person_id, cause="record")
    entry = await ListEntry.get(person_id=r.person_id, kind="black", source="rule")
    created = await client.post(
        "/api/v1/me/objections",
        data={"subject": "list_entry", "subject_id": str(entry.id), "reason": "判决已履行完毕"},
        headers=r.headers(),
    )
    case = created.json()
    assert (case["department"], case["record_id"]) == ("court", record.id)
    answered = await client.post(
        f"/api/v1/department/objections/{case['id']}/answer",
        json={"upheld": True, "answer": "已履行，撤销失信被执行人信息"},
        headers=await department_headers("court"),
    )
    assert answered.status_code == 200, answered.text
    assert (await ListEntry.get(id=entry.id)).status == "lifted"
