"""The one module with dialect-specific database code (both dialects are tested).

Bulk loading: SQLite gets `executemany` inside one transaction, PostgreSQL gets binary
`COPY` through asyncpg. Everything else in the app goes through the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


async def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = connections.get("default")
    if dialect() == "postgres":
        import asyncpg

        try:
            async with conn.acquire_connection() as raw:  # type: ignore[attr-defined]
                await raw.copy_records_to_table(table, records=rows, columns=list(columns))
        except asyncpg.IntegrityConstraintViolationError as exc:  # as the ORM would report it
            raise IntegrityError(str(exc)) from exc
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    await conn.execute_many(
        f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', [list(r) for r in rows]
    )


def _params(params: Sequence[Any]) -> list[Any]:
    """SQLite keeps dates as ISO text; asyncpg wants date objects."""
    if dialect() == "postgres":
        return list(params)
    return [
        p.isoformat(" ")
        if isinstance(p, dt.datetime)
        else p.isoformat()
        if isinstance(p, dt.date)
        else p
        for p in params
    ]


def portable(sql_sqlite: str) -> str:
    """SQL written with `?` placeholders, as the current dialect wants it ($n on PostgreSQL)."""
    if dialect() != "postgres":
        return sql_sqlite
    parts = sql_sqlite.split("?")
    return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))


async def fetch(sql_sqlite: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Run one SELECT written with `?` placeholders (rewritten to $n for PostgreSQL)."""
    conn = connections.get("default")
    sql = portable(sql_sqlite)
    _, rows = await conn.execute_query(sql, _params(params))
    return [dict(r) for r in rows]


async def fetch_rows(sql_sqlite: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
    """Like fetch, but rows stay the driver's positional rows (no dict per row: hot paths)."""
    conn = connections.get("default")
    sql = portable(sql_sqlite)
    _, rows = await conn.execute_query(sql, _params(params))
    return rows  # type: ignore[no-any-return]


async def execute_many(sql_sqlite: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = connections.get("default")
    sql = portable(sql_sqlite)
    await conn.execute_many(sql, [list(r) for r in rows])


def in_list(count: int) -> str:
    return "(" + ", ".join("?" for _ in range(count)) + ")"


async def max_id(table: str) -> int:
    conn = connections.get("default")
    _, rows = await conn.execute_query(f'SELECT COALESCE(MAX(id), 0) AS m FROM "{table}"')
    return int(rows[0]["m"])


async def sync_sequence(table: str) -> None:
    """After inserting explicit ids, move PostgreSQL's identity sequence past them."""
    if dialect() != "postgres":
        return
    conn = connections.get("default")
    await conn.execute_script(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
        f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
    )


async def truncate_all(tables: Sequence[str]) -> None:
    """Empty every table (tests: a fresh database for each test on PostgreSQL)."""
    conn = connections.get("default")
    # DELETE, not TRUNCATE: on small tables it is many times faster (no file rewrite, no
    # exclusive locks). `tables` must list children before the tables they reference.
    await conn.execute_script("; ".join(f'DELETE FROM "{table}"' for table in tables))


async def max_person_with_records() -> int:
    rows = await fetch('SELECT COALESCE(MAX("person_id"), 0) AS "m" FROM "credit_record"', [])
    return int(rows[0]["m"])


# ---------- office statistics: aggregate queries (each one index-only or a single scan) ----------


async def count_rows(table: str) -> int:
    """COUNT(*) of a whole table (SQLite scans its smallest index)."""
    rows = await fetch(f'SELECT COUNT(*) AS "n" FROM "{table}"', [])
    return int(rows[0]["n"])


async def _pairs(sql: str, params: Sequence[Any]) -> dict[str, int]:
    return {str(r["k"]): int(r["n"]) for r in await fetch(sql, params)}


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
        rows = await fetch(
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
    rows = await fetch(
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
        rows = await fetch(
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
        if dialect() == "postgres":
            return start
        # SQLite keeps UTC as "YYYY-MM-DD HH:MM:SS…+00:00" text, which sorts as time does.
        return start.isoformat(" ")

    out = {}
    for day in days:
        rows = await fetch(
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
    rows = await fetch(
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


# ---------- joint incentive cases: counter verifications from the audit trail ----------


async def pass_verifications_by_partner() -> dict[int, tuple[int, int]]:
    """Per partner: pass verifications ("pass.verified" audit entries) and how many of them
    applied a list restriction (details.restriction_applied) — {partner id: (all, restricted)}."""
    if dialect() == "postgres":
        partner = """("details"->>'partner')"""
        restricted = """("details"->>'restriction_applied') = 'true'"""
    else:
        partner = """json_extract("details", '$.partner')"""
        restricted = """json_extract("details", '$.restriction_applied') = 1"""
    rows = await fetch(
        f'SELECT {partner} AS "k", COUNT(*) AS "n", '
        f'SUM(CASE WHEN {restricted} THEN 1 ELSE 0 END) AS "r" '
        f'FROM "audit_entry" WHERE "action" = ? GROUP BY {partner}',
        ["pass.verified"],
    )
    return {
        int(r["k"]): (int(r["n"]), int(r["r"] or 0))
        for r in rows
        if r["k"] is not None and str(r["k"]).isdigit()
    }


async def ensure_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows whose primary key (the first column) does not exist yet; leave others."""
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    await execute_many(
        f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ("{columns[0]}") DO NOTHING',
        [_params(r) for r in rows],
    )
