"""The resident's inbox: notices arrive once per event, newest first, with an unread count;
a resident marks their own as read and cannot touch anyone else's."""

from __future__ import annotations

from typing import Any

import httpx

from backend.notices.models import Notice, NoticeKind
from backend.notices.service import notify
from tests.credit.helpers import department, problem
from tests.due_process import resident


async def test_the_inbox_counts_unread_and_marks_only_my_own(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, app: Any
) -> None:
    me = await resident(client, app)
    other = await resident(other_client, app, name="李小红")
    assert await notify(
        person_id=me.person_id, kind=NoticeKind.LIST_ENTRY, key="k1", params={"a": 1}
    )
    assert not await notify(person_id=me.person_id, kind=NoticeKind.LIST_ENTRY, key="k1")
    await notify(person_id=me.person_id, kind=NoticeKind.CASE_STATUS, key="k2")
    await notify(person_id=other.person_id, kind=NoticeKind.CASE_STATUS, key="k3")
    box = (await client.get("/api/v1/me/notifications")).json()
    assert [n["kind"] for n in box["items"]] == ["case_status", "list_entry"]
    assert box["unread"] == 2 and box["items"][1]["params"] == {"a": 1}
    theirs = await Notice.get(key="k3")
    marked = await client.post(
        "/api/v1/me/notifications/read",
        json={"ids": [box["items"][0]["id"], theirs.id]},
        headers=me.headers(),
    )
    assert marked.json() == {"marked": 1}
    assert (await Notice.get(key="k3")).read_at is None
    assert (await client.get("/api/v1/me/notifications")).json()["unread"] == 1
    everything = await client.post(
        "/api/v1/me/notifications/read", json={"all": True}, headers=me.headers()
    )
    assert everything.json() == {"marked": 1}
    nothing = await client.post("/api/v1/me/notifications/read", json={}, headers=me.headers())
    problem(nothing, 422, "validation_failed")
    too_many = await client.post(
        "/api/v1/me/notifications/read", json={"ids": list(range(1, 300))}, headers=me.headers()
    )
    problem(too_many, 422, "validation_failed")


async def test_a_new_negative_record_arrives_with_its_repair_notice(
    client: httpx.AsyncClient, app: Any
) -> None:
    me = await resident(client, app)
    token = await department("market_regulation")
    submitted = await client.post(
        "/api/v1/records",
        json=[
            {"external_id": "MR-1", "id_number": me.who.id_number, "type": "LAW_PENALTY_GENERAL",
             "decision_date": "2026-11-02", "summary": "占道经营"},
            {"external_id": "MR-2", "id_number": me.who.id_number, "type": "OCC_GOOD_PRACTICE_AWARD",
             "decision_date": "2026-11-02"},
        ],
        headers=token,
    )  # fmt: skip
    assert submitted.status_code == 200, submitted.text
    items = (await client.get("/api/v1/me/notifications")).json()["items"]
    assert [n["kind"] for n in items] == ["record_new"]  # the award needs no repair notice
    params = items[0]["params"]
    assert (params["type"], params["points"], params["repairable"]) == (
        "LAW_PENALTY_GENERAL",
        -40,
        True,
    )
    assert params["repairable_from"] == "2027-02-02" and params["expires_on"] == "2027-11-02"
