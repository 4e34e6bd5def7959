"""Every list step leaves its audit trail: reading the pending proposals is a look at each
person in them, and an over-long reason keeps the entry and costs no one else's entry."""

from __future__ import annotations

import asyncio

from backend.audit import service as audit
from backend.audit.models import AuditEntry
from tests.credit.helpers import ENTRIES, proposal
from tests.factories import csrf


async def test_reading_pending_proposals_is_a_look_at_each_person(officers, subject) -> None:
    a, b = officers
    created = await a.post(ENTRIES, headers=csrf(a), json=proposal(subject.person.id))
    assert created.status_code == 201
    before = await AuditEntry.filter(
        subject_person_id=subject.person.id, actor_label__startswith="乙"
    ).count()
    assert (await b.get(f"{ENTRIES}/pending")).status_code == 200
    looks = await AuditEntry.filter(
        subject_person_id=subject.person.id, actor_label__startswith="乙"
    )
    assert len(looks) == before + 1 and looks[-1].purpose == "list review"


async def test_an_over_long_reason_keeps_the_entry_and_costs_no_one_else(officers, subject) -> None:
    a, _ = officers
    long_reason = "理" * 480
    created = await a.post(
        ENTRIES, headers=csrf(a), json=proposal(subject.person.id, reason=long_reason)
    )
    assert created.status_code == 201, created.text
    logged = await AuditEntry.get(action="list.entry_proposed", subject_person_id=subject.person.id)
    assert logged.purpose == long_reason[:200]
    innocent, long_one = await asyncio.gather(
        audit.record(
            action="person.viewed",
            actor_label="x",
            subject_person_id=subject.person.id,
            purpose="ok",
        ),
        audit.record(
            action="person.viewed",
            actor_label="y",
            subject_person_id=subject.person.id,
            purpose="p" * 900,
        ),
    )
    assert innocent.id and long_one.id and len(long_one.purpose) == 200
    assert (await audit.verify_chain()).ok
