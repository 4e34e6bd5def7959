"""The credit office's figures: aggregate queries over the register, scores, lists and records
(each one index-only or a single scan). Only the dashboard and the key-occupation view read
them, so they live with the office; the SQL is portable (`?` placeholders via core.bulk)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..core import bulk


async def count_rows(table: str) -> int:
    """COUNT(*) of a whole table (SQLite scans its smallest index)."""
    rows = await bulk.fetch(f'SELECT COUNT(*) AS "n" FROM "{table}"', [])
    return int(rows[0]["n"])


async def _pairs(sql: str, params: Sequence[Any]) -> dict[str, int]:
    return {str(r["k"]): int(r["n"]) for r in await bulk.fetch(sql, params)}


async def people_by_district() -> dict[str, int]:
    return await _pairs(
        'SELECT "district_code" AS "k", COUNT(*) AS "n" FROM "person" GROUP BY "district_code"', []
    )


async def scored_by_district(codes: Sequence[str]) -> dict[str, int]:
    """People with a score, district by district: the district index of person probing score
    by primary key (no table rows read). One statement per district keeps each one short, so
    other requests on the same connection are not held up behind one long scan."""
    out = {}
    for code in codes:
        rows = await bulk.fetch(
            'SELECT COUNT(*) AS "n" FROM "person" AS "p" JOIN "score" AS "s" '
            'ON "s"."person_id" = "p"."id" WHERE "p"."district_code" = ?',
            [code],
        )
        out[code] = int(rows[0]["n"])
    return out


async def scores_by_tier() -> dict[str, int]:
    return await _pairs('SELECT "tier" AS "k", COUNT(*) AS "n" FROM "score" GROUP BY "tier"', [])


async def active_list_counts(as_of: Any) -> list[dict[str, Any]]:
    """Entries in force on `as_of`, by list and source."""
    rows = await bulk.fetch(
        'SELECT "kind", "source", COUNT(*) AS "n" FROM "list_entry" WHERE "status" = \'active\' '
        'AND "start" <= ? AND ("end" IS NULL OR "end" > ?) GROUP BY "kind", "source"',
        [as_of, as_of],
    )
    return [{"kind": r["kind"], "source": r["source"], "n": int(r["n"])} for r in rows]


async def records_by_department(codes: Sequence[str]) -> dict[str, int]:
    """Records per department, each a range count on the unique (department, external_id)
    index: no table rows read, and no statement longer than the largest department."""
    out = {}
    for code in codes:
        rows = await bulk.fetch(
            'SELECT COUNT(*) AS "n" FROM "credit_record" WHERE "department" = ?', [code]
        )
        out[code] = int(rows[0]["n"])
    return out


async def records_per_day(days: Sequence[dt.date], zone: dt.tzinfo) -> dict[str, int]:
    """Records received on each of these days in the city's time zone: a range count on the
    created_at index per day (a GROUP BY over a date expression would sort every row of the
    window instead)."""

    def bound(day: dt.date) -> Any:
        start = dt.datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(dt.UTC)
        if bulk.dialect() == "postgres":
            return start
        # SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS…+00:00" text, which sorts as time does.
        return start.isoformat(" ")

    out = {}
    for day in days:
        rows = await bulk.fetch(
            'SELECT COUNT(*) AS "n" FROM "credit_record" '
            'WHERE "created_at" >= ? AND "created_at" < ?',
            [bound(day), bound(day + dt.timedelta(days=1))],
        )
        out[day.isoformat()] = int(rows[0]["n"])
    return out


async def people_by_occupation() -> dict[str, int]:
    return await _pairs(
        'SELECT "group_code" AS "k", COUNT(*) AS "n" FROM "person_occupation" '
        'GROUP BY "group_code"',
        [],
    )


async def scores_by_occupation() -> list[dict[str, Any]]:
    rows = await bulk.fetch(
        'SELECT "po"."group_code" AS "k", COUNT(*) AS "n", AVG("s"."score") AS "avg" '
        'FROM "person_occupation" AS "po" '
        'JOIN "score" AS "s" ON "s"."person_id" = "po"."person_id" '
        'GROUP BY "po"."group_code"',
        [],
    )
    return [{"group": str(r["k"]), "n": int(r["n"]), "avg": float(r["avg"])} for r in rows]


async def occupational_records_by_occupation(as_of: Any) -> dict[str, int]:
    """Counting occupational-conduct records of the members of each group. Driven from the
    (small) membership table into the covering (person_id, status, expires_on, …, dimension)
    index of credit_record; CROSS JOIN keeps SQLite from starting at the 17-million-row side."""
    return await _pairs(
        'SELECT "po"."group_code" AS "k", COUNT(*) AS "n" FROM "person_occupation" AS "po" '
        'CROSS JOIN "credit_record" AS "cr" WHERE "cr"."person_id" = "po"."person_id" '
        'AND "cr"."status" = \'active\' AND "cr"."expires_on" > ? '
        'AND "cr"."dimension" = \'occupational\' GROUP BY "po"."group_code"',
        [as_of],
    )
