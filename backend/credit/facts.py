"""Records as the scoring rules see them: the columns read, the row → `RecordFacts` mapping,
and the SQL condition for "counts today" shared by the set-based queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from .models import CreditRecord
from .scoring import RecordFacts

RECORD_FIELDS = (
    "id", "type_code", "dimension", "points", "decision_date", "expires_on", "repairable_from",
    "status", "suspended",
)  # fmt: skip
ACTIVE_SQL = (
    '"status" = \'active\' AND "suspended" = FALSE AND "decision_date" <= ? AND "expires_on" > ?'
)


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def facts(row: dict[str, Any]) -> RecordFacts:
    """`facts` of a row read with `.values(*RECORD_FIELDS)`."""
    return facts_of_row([row[field] for field in RECORD_FIELDS])


def facts_of_row(row: Sequence[Any]) -> RecordFacts:
    """A row of `RECORD_FIELDS` in their order, as the scoring rules see it."""
    return RecordFacts(
        id=int(row[0]),
        type_code=str(row[1]),
        dimension=str(row[2]),
        points=int(row[3]),
        decision_date=as_date(row[4]),
        expires_on=as_date(row[5]),
        repairable_from=as_date(row[6]),
        status=str(row[7]),
        suspended=bool(row[8]),
    )


async def person_facts(person_id: int) -> list[RecordFacts]:
    rows = await CreditRecord.filter(person_id=person_id).values(*RECORD_FIELDS)
    return [facts(r) for r in rows]
