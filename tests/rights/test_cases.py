""" "This wasn't me" from an access-log entry, and a human review of an automated decision:
each opens a case in the credit office's queue; the officer's answer is recorded and shown."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from backend.core.clock import today
from backend.credit.models import ListEntry
from backend.credit.service import rescore_person
from backend.rights.models import RightsCase
from tests.authenticator import SoftAuthenticator
from tests.credit.helpers import add_record, problem, refused
from tests.due_process import resident
from tests.factories import csrf, make_staff
from tests.rights.helpers import officer_look


async def test_a_misuse_report_goes_to_the_office_which_answers(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    look = await officer_look(r.person_id, purpose="随便看看")
    log = (await client.get("/api/v1/me/access-log")).json()["items"]
    assert look.id in [e["id"] for e in log]
    filed = await client.post(f"/api/v1/me/access-log/{look.id}/misuse",
                              json={"statement": "我没有去过窗口，也没有授权任何人查询。"},
                              headers=r.headers())  # fmt: skip
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["kind"] == "misuse" and case["status"] == "open"
    assert case["snapshot"]["who"] == "王科员 (officer)" and case["snapshot"]["hash"] == look.hash
    twice = await client.post(f"/api/v1/me/access-log/{look.id}/misuse",
                              json={"statement": "再报一次"}, headers=r.headers())  # fmt: skip
    refused(twice, 409, "conflict", "already_open")
    await make_staff(other_client, SoftAuthenticator(origin="http://localhost:8000"), ["officer"],
                     name="李主任")  # fmt: skip
    queue = await other_client.get("/office/rights")
    assert queue.status_code == 200 and case["case_no"] in queue.text and "随便看看" in queue.text
    answered = await other_client.post(
        f"/office/rights/{case['id']}/answer",
        data={"csrf_token": csrf(other_client)["X-CSRF-Token"],
              "answer": "经核查，该次查询无正当事由，已对相关人员批评教育并上报。"},
    )  # fmt: skip
    assert answered.status_code == 303
    mine = (await client.get("/api/v1/me/rights-cases")).json()["items"]
    assert mine[0]["status"] == "answered" and mine[0]["answered_by"] == "李主任"
    assert "批评教育" in mine[0]["answer"]
    inbox = (await client.get("/api/v1/me/notifications")).json()["items"]
    assert inbox[0]["params"]["workflow"] == "misuse"
    again = await other_client.post(
        f"/office/rights/{case['id']}/answer",
        data={"csrf_token": csrf(other_client)["X-CSRF-Token"], "answer": "再答一次"},
    )  # fmt: skip
    assert again.status_code == 409


async def test_a_misuse_report_for_someone_elses_log_entry_is_refused(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    other = await resident(other_client, app, name="李小红")
    theirs = await officer_look(other.person_id)
    response = await client.post(f"/api/v1/me/access-log/{theirs.id}/misuse",
                                 json={"statement": "不是我"}, headers=r.headers())  # fmt: skip
    problem(response, 404, "not_found")
    own = (await client.get("/api/v1/me/access-log")).json()["items"]
    assert theirs.id not in [e["id"] for e in own]
    empty = await client.post(f"/api/v1/me/access-log/{theirs.id}/misuse", json={"statement": ""},
                              headers=r.headers())  # fmt: skip
    problem(empty, 422, "validation_failed")
    assert await RightsCase.all().count() == 0


async def test_human_review_of_the_score_and_of_a_rule_derived_list_entry(
    client: httpx.AsyncClient, app: Any
) -> None:
    r = await resident(client, app)
    none_yet = await client.post("/api/v1/me/reviews",
                                 json={"subject": "score", "statement": "请人工复核"},
                                 headers=r.headers())  # fmt: skip
    problem(none_yet, 404, "not_found")
    await add_record(r.person_id, "LAW_COURT_DEFAULTER", today() - dt.timedelta(days=30),
                     department="court")  # fmt: skip
    await rescore_person(person_id=r.person_id, cause="record")
    entry = await ListEntry.get(person_id=r.person_id, kind="black")
    score = await client.post("/api/v1/me/reviews",
                              json={"subject": "score", "statement": "分数算得不对，请人工复核。"},
                              headers=r.headers())  # fmt: skip
    assert score.status_code == 201, score.text
    assert score.json()["snapshot"]["tier"]
    listed = await client.post("/api/v1/me/reviews",
                               json={"subject": "list_entry", "subject_id": entry.id,
                                     "statement": "案款已全部履行，请人工复核。"},
                               headers=r.headers())  # fmt: skip
    assert listed.status_code == 201, listed.text
    assert listed.json()["snapshot"]["rule"] == "court_defaulter"
    missing = await client.post("/api/v1/me/reviews",
                                json={"subject": "list_entry", "statement": "缺少条目"},
                                headers=r.headers())  # fmt: skip
    problem(missing, 422, "validation_failed")
    await ListEntry.filter(id=entry.id).update(source="manual")
    manual = await client.post("/api/v1/me/reviews",
                               json={"subject": "list_entry", "subject_id": entry.id,
                                     "statement": "人工名单"},
                               headers=r.headers())  # fmt: skip
    refused(manual, 409, "conflict", "not_automated")  # two people decided a manual one
    assert await RightsCase.all().count() == 2
