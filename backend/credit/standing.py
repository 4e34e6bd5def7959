"""A person's standing as a pass or an offer sees it: the tier (or "none") and the lists they
are on today. Read at every counter check, so one plain indexed read, no ORM query building;
`standing_columns` lets the pass check read it in the same statement as the certificate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..consent.service import given_column
from ..core import bulk
from ..core.clock import today
from .models import ListKind

# The lists in force as one number (SUM of distinct bits): one subquery however many entries.
_BITS = {ListKind.RED: 1, ListKind.GRAY: 2, ListKind.BLACK: 4}
_BIT_CASE = " ".join(f"WHEN '{kind.value}' THEN {bit}" for kind, bit in _BITS.items())


def standing_columns(person: str, day: dt.date) -> tuple[str, list[Any]]:
    """Three scalar subqueries on the SQL expression `person` — the newest consent decision,
    the score's tier, the lists in force on `day` as bits — and their parameters, in order.
    `standing_from` turns the three values into the standing."""
    sql = (
        f"{given_column(person)}, "
        f'(SELECT "tier" FROM "score" WHERE "person_id" = {person}), '
        f'(SELECT SUM(DISTINCT CASE "kind" {_BIT_CASE} ELSE 0 END) FROM "list_entry" '
        f'WHERE "person_id" = {person} AND "status" = \'active\' AND "suspended" = FALSE '
        'AND "start" <= ? AND ("end" IS NULL OR "end" > ?))'
    )
    return sql, [day, day]


def standing_from(given: object, tier: object, bits: object) -> tuple[str, frozenset[str]]:
    """A person who withdrew consent to the score and pass has neither: "none" and no lists,
    so every counter sees the normal procedure (the records themselves are kept)."""
    if given is not None and not given:
        return "none", frozenset()
    flags = int(bits or 0)  # type: ignore[call-overload]  # an integer or NULL from the driver
    lists = frozenset(kind.value for kind, bit in _BITS.items() if flags & bit)
    return (str(tier) if tier is not None else "none"), lists


async def standing(person_id: int) -> tuple[str, frozenset[str]]:
    """The tier of the current score ("none" without one) and the lists in force today."""
    columns, params = standing_columns('"p"."id"', today())
    rows = await bulk.fetch_rows(
        f'SELECT {columns} FROM (SELECT CAST(? AS BIGINT) AS "id") AS "p"', [*params, person_id]
    )
    return standing_from(*rows[0])
