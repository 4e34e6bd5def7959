"""Records as the scoring rules see them: the columns read, the row → `RecordFacts` mapping,
and the SQL condition for "counts today" shared by the set-based queries."""

from __future__ import annotations

import datetime as dt
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
    return RecordFacts(
        id=int(row["id"]),
        type_code=row["type_code"],
        dimension=row["dimension"],
        points=int(row["points"]),
        decision_date=as_date(row["decision_date"]),
        expires_on=as_date(row["expires_on"]),
        repairable_from=as_date(row["repairable_from"]),
        status=row["status"],
        suspended=bool(row["suspended"]),
    )


async def person_facts(person_id: int) -> list[RecordFacts]:
    rows = await CreditRecord.filter(person_id=person_id).values(*RECORD_FIELDS)
    return [facts(r) for r in rows]
