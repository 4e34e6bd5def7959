"""One audit entry about many people (a department's batch of records): the entry is hash-chained
like any other, and the people it is about are kept in `audit_subject`, one row per person, so
each of them finds it in "who viewed my data" without the chain growing by an entry per person.

The entry's details carry the number of people and a SHA-256 over their sorted ids, so the
index is covered by the chain: whoever removes a person from the index (or adds one) is found
by `verify_chain`, as an edited entry would be."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core import bulk
from ..core.principal import Principal
from .models import AuditEntry
from .service import record
from .verification import COUNT_KEY, DIGEST_KEY, people_digest

CHUNK = 50_000


async def record_about_people(
    *,
    action: str,
    actor: Principal,
    person_ids: Sequence[int],
    details: dict[str, Any],
    purpose: str = "",
) -> AuditEntry:
    """Append one entry about `person_ids` and index it under each of them. Call it inside the
    transaction of the change it records (the index rows commit or roll back with it)."""
    people = sorted(set(person_ids))
    entry = await record(
        action=action,
        actor=actor,
        subject_person_id=people[0] if len(people) == 1 else None,
        purpose=purpose,
        details={**details, COUNT_KEY: len(people), DIGEST_KEY: people_digest(people)},
    )
    for start in range(0, len(people), CHUNK):
        await bulk.insert_rows(
            "audit_subject",
            ("entry_id", "person_id"),
            [(entry.id, pid) for pid in people[start : start + CHUNK]],
        )
    return entry
