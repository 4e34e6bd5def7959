"""The one module with dialect-specific database code (both dialects are tested).

Bulk loading: SQLite gets `executemany` inside one transaction, PostgreSQL gets binary
`COPY` through asyncpg. Everything else in the app goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise import connections


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


async def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = connections.get("default")
    if dialect() == "postgres":
        async with conn.acquire_connection() as raw:  # type: ignore[attr-defined]
            await raw.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    await conn.execute_many(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', [list(r) for r in rows])


def _param(value: Any) -> Any:
    """SQLite keeps dates as ISO text; asyncpg wants date objects."""
    if dialect() != "postgres" and hasattr(value, "isoformat"):
        return value.isoformat()
    return value


async def fetch(sql_sqlite: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    """Run one SELECT written with `?` placeholders (rewritten to $n for PostgreSQL)."""
    conn = connections.get("default")
    sql = sql_sqlite
    if dialect() == "postgres":
        parts = sql_sqlite.split("?")
        sql = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
    _, rows = await conn.execute_query(sql, [_param(p) for p in params])
    return [dict(r) for r in rows]


async def execute_many(sql_sqlite: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = connections.get("default")
    sql = sql_sqlite
    if dialect() == "postgres":
        parts = sql_sqlite.split("?")
        sql = parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))
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
        f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"
    )


async def truncate_all(tables: Sequence[str]) -> None:
    """Empty every table (tests: a fresh database for each test on PostgreSQL)."""
    conn = connections.get("default")
    if dialect() == "postgres":
        names = ", ".join(f'"{t}"' for t in tables)
        await conn.execute_script(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    else:
        for table in tables:
            await conn.execute_script(f'DELETE FROM "{table}"')



async def max_person_with_records() -> int:
    rows = await fetch('SELECT COALESCE(MAX("person_id"), 0) AS "m" FROM "credit_record"', [])
    return int(rows[0]["m"])
