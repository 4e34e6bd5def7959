"""Found in review: four eyes through a self-made second account, looks at listed people,
and over-long reasons that must not cost an audit entry."""

from __future__ import annotations

import asyncio

import httpx

from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.credit.models import ListEntry
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf
from tests.lists.test_lists import ENTRIES, officers, proposal, who  # noqa: F401 (fixtures)


async def test_an_officer_cannot_approve_through_an_account_they_created(officers, who, app):  # noqa: F811
    a, _ = officers
    made = await a.post(
        "/api/v1/staff",
        headers=csrf(a),
        json={"display_name": "甲二", "roles": ["officer"], "organisation": "x"},
    )
    assert made.status_code == 201, made.text
    transport = httpx.ASGITransport(app=app, client=("10.7.7.7", 7777))
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as alias:
        auth = SoftAuthenticator(origin=ORIGIN)
        start = await alias.post(
            "/api/v1/enrolment/start", json={"enrolment_code": made.json()["enrolment_code"]}
        )
        assert (
            await alias.post("/api/v1/enrolment/finish", json=auth.create(start.json()))
        ).status_code == 200
        entry = (await a.post(ENTRIES, headers=csrf(a), json=proposal(who.person.id))).json()
        refused = await alias.post(
            f"{ENTRIES}/{entry['id']}/decision", headers=csrf(alias), json={"approve": True}
        )
    assert refused.status_code == 403 and refused.json()["reason"] == "four-eyes"
    assert (await ListEntry.get(id=entry["id"])).status == "proposed"


async def test_reading_pending_proposals_is_a_look_at_each_person(officers, who):  # noqa: F811
    a, b = officers
    assert (await a.post(ENTRIES, headers=csrf(a), json=proposal(who.person.id))).status_code == 201
    before = await AuditEntry.filter(
        subject_person_id=who.person.id, actor_label__startswith="乙"
    ).count()
    assert (await b.get(f"{ENTRIES}/pending")).status_code == 200
    looks = await AuditEntry.filter(subject_person_id=who.person.id, actor_label__startswith="乙")
    assert len(looks) == before + 1 and looks[-1].purpose == "list review"


async def test_an_over_long_reason_keeps_the_entry_and_costs_no_one_else(officers, who):  # noqa: F811
    a, _ = officers
    long_reason = "理" * 480
    created = await a.post(
        ENTRIES, headers=csrf(a), json=proposal(who.person.id, reason=long_reason)
    )
    assert created.status_code == 201, created.text
    logged = await AuditEntry.get(action="list.entry_proposed", subject_person_id=who.person.id)
    assert logged.purpose == long_reason[:200]
    innocent, long_one = await asyncio.gather(
        audit.record(
            action="person.viewed", actor_label="x", subject_person_id=who.person.id, purpose="ok"
        ),
        audit.record(
            action="person.viewed",
            actor_label="y",
            subject_person_id=who.person.id,
            purpose="p" * 900,
        ),
    )
    assert innocent.id and long_one.id and len(long_one.purpose) == 200
    assert (await audit.verify_chain()).ok
