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


def _register_sqlite_adapters() -> None:
    # Explicit ISO text for dates (Python 3.12 deprecates sqlite3's implicit adapters).
    import datetime as dt
    import sqlite3

    sqlite3.register_adapter(dt.date, lambda d: d.isoformat())
    sqlite3.register_adapter(dt.datetime, lambda d: d.isoformat(" "))


_register_sqlite_adapters()
