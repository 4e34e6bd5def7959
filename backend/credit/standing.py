"""A person's standing as a pass or an offer sees it: the tier (or "none") and the lists they
are on today. Read at every counter check, so two plain indexed reads, no ORM query building."""

from __future__ import annotations

from ..consent.service import withdrawn
from ..core import bulk
from ..core.clock import today


async def standing(person_id: int) -> tuple[str, frozenset[str]]:
    """The tier of the current score ("none" without one) and the lists in force today.
    A person who withdrew consent to the score and pass has neither: "none" and no lists,
    so every counter sees the normal procedure (the records themselves are kept)."""
    if await withdrawn(person_id):
        return "none", frozenset()
    day = today()
    scores = await bulk.fetch_rows('SELECT "tier" FROM "score" WHERE "person_id" = ?', [person_id])
    entries = await bulk.fetch_rows(
        'SELECT "kind" FROM "list_entry" WHERE "person_id" = ? AND "status" = \'active\' '
        'AND "suspended" = FALSE '
        'AND "start" <= ? AND ("end" IS NULL OR "end" > ?)',
        [person_id, day, day],
    )
    return (str(scores[0][0]) if scores else "none"), frozenset(str(e[0]) for e in entries)
