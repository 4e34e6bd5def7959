"""Whether a person authorises the score and pass service (授权).

Enrolment is the authorisation: the enrolment screen explains what is used and for what, so
a person with no decision on file has consented. A withdrawal is in force until the person
gives consent again. `credit.standing` asks `withdrawn()` at every counter check (one indexed
read), and a pass issuer can call `ensure_consent()` before issuing."""

from __future__ import annotations

from ..core import bulk, clock
from ..core.errors import Conflict
from .models import ConsentDecision


async def latest(person_id: int) -> ConsentDecision | None:
    return await ConsentDecision.filter(person_id=person_id).order_by("-id").first()


async def withdrawn(person_id: int) -> bool:
    """True while the person's newest decision is a withdrawal. Read at every counter check:
    one plain indexed read, no ORM query building (as `credit.standing`)."""
    rows = await bulk.fetch_rows(
        'SELECT "given" FROM "consent_decision" WHERE "person_id" = ? ORDER BY "id" DESC LIMIT 1',
        [person_id],
    )
    return bool(rows) and not rows[0][0]


def given_column(person: str) -> str:
    """The newest decision's `given` (NULL: none yet) as a scalar subquery on the SQL
    expression `person`, for a caller that reads a person's standing in one statement
    (`credit.standing.standing_columns`); withdrawn is `given` false, as in `withdrawn`."""
    return (
        f'(SELECT "given" FROM "consent_decision" WHERE "person_id" = {person} '
        'ORDER BY "id" DESC LIMIT 1)'
    )


async def ensure_consent(person_id: int) -> None:
    """Refuse (409 `consent_withdrawn`) what needs the service: issuing a pass, a score."""
    if await withdrawn(person_id):
        raise Conflict(
            "you withdrew your consent to the score and pass: give it again first",
            reason="consent_withdrawn",
        )


async def decide(
    *, person_id: int, given: bool, notice_version: str, account_id: int | None, via: str = "app"
) -> ConsentDecision:
    """Append one decision (the caller writes the audit entry in the same transaction)."""
    return await ConsentDecision.create(
        person_id=person_id,
        given=given,
        notice_version=notice_version[:16],
        decided_by_id=account_id,
        via=via[:16],
        decided_at=clock.now(),
    )
