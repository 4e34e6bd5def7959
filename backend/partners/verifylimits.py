"""Limits on verifying passes (核验频率): a signed-in counter account verifies at most
`quota.VERIFICATIONS` passes an hour (API keys have their own per-key rate, `core.ratelimit`),
and one verifier looks at one resident at most `quota.SAME_PERSON` times a day. Past that the
verification is refused (429) and the flood is recorded once a day as an entry of its own in
the resident's access log and the audit trail (`pass.verification_flood`), so a script cannot
fill a resident's "who viewed my data" unnoticed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..audit import service as audit
from ..audit.models import AuditEntry
from ..auth import quota
from ..core import clock
from ..core.errors import TooManyRequests
from ..core.principal import Principal

FLOOD = "pass.verification_flood"


def _verifier(actor: Principal) -> str:
    return (
        f"token:{actor.token_id}" if actor.token_id is not None else f"account:{actor.account_id}"
    )


async def verification_allowed(actor: Principal) -> None:
    """Before any work: a counter account (cookie) past its hourly quota is refused."""
    if actor.token_id is None:
        await quota.take(quota.VERIFICATIONS, _verifier(actor))


async def record_look(
    actor: Principal, person_id: int, *, purpose: str, details: dict[str, Any]
) -> None:
    """The verification's look at a person (`pass.verified`), counted against the desk's
    same-person quota in the same transaction as its audit entry: one commit for both, shared
    with the other looks in flight (the audit group commit). Past the quota nothing is
    recorded but the flood entry, and the verification is refused (429)."""
    try:
        await audit.record(
            action="pass.verified",
            actor=actor,
            subject_person_id=person_id,
            purpose=purpose,
            details=details,
            guard=audit.Guard(
                _same_person, f"{_verifier(actor)}:{person_id}", plan=_same_person_plan
            ),
        )
    except TooManyRequests:
        await _record_flood(actor, person_id)
        raise


async def _same_person(subjects: list[Any]) -> list[TooManyRequests | None]:
    """The batch's same-person uses in one statement (`audit.Guard`)."""
    return await quota.take_many(quota.SAME_PERSON, subjects)


def _same_person_plan(subjects: list[Any]) -> audit.GuardPlan:
    """The same as statements, for the append's single call on SQLite's thread."""
    return quota.plan_many(quota.SAME_PERSON, subjects)


async def look_allowed(actor: Principal, person_id: int) -> None:
    """Before a look at a person is recorded (the quota counted on its own)."""
    try:
        await quota.take(quota.SAME_PERSON, f"{_verifier(actor)}:{person_id}")
    except TooManyRequests:
        await _record_flood(actor, person_id)
        raise


async def _record_flood(actor: Principal, person_id: int) -> None:
    """Once a day per desk and person: the flood itself is in the resident's access log."""
    since = clock.now() - dt.timedelta(days=1)
    if not await AuditEntry.filter(
        action=FLOOD, subject_person_id=person_id, actor_label=actor.label[:200], at__gte=since
    ).exists():
        await audit.record(
            action=FLOOD,
            actor=actor,
            subject_person_id=person_id,
            purpose="verification refused: too many checks of this pass today",
            details={"limit": quota.SAME_PERSON.limit},
        )
