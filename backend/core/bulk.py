"""The one module with dialect-specific database code (both dialects are tested): the
dialect layer, and nothing that knows a feature's tables.

Bulk loading: SQLite gets `executemany` inside one transaction, PostgreSQL gets binary
`COPY` through asyncpg. Everything else in the app goes through the ORM.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import aiosqlite
import asyncpg
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import IntegrityError

T = TypeVar("T")
Writer = sqlite3.Connection  # what `run_on_writer` hands its work


def dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


async def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = connections.get("default")
    if dialect() == "postgres":
        try:
            async with conn.acquire_connection() as raw:
                await raw.copy_records_to_table(table, records=rows, columns=list(columns))
        except asyncpg.IntegrityConstraintViolationError as exc:  # as the ORM would report it
            raise IntegrityError(str(exc)) from exc
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    # sqlite3 takes the row tuples as they are (a list per row would cost a batch 0.1 s)
    await conn.execute_many(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)


async def insert_new_rows(
    table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, unique: str
) -> None:
    """Insert rows, skipping those whose `unique` column value is already stored. PostgreSQL:
    binary COPY; if some are stored, COPY into a temporary table, then one INSERT … SELECT …
    ON CONFLICT DO NOTHING."""
    if not rows:
        return
    cols = ", ".join(f'"{c}"' for c in columns)
    conn = connections.get("default")
    if dialect() == "postgres":
        scratch = f"_new_{table}"
        async with conn.acquire_connection() as raw:
            try:  # usually none is stored yet: a plain COPY, in a savepoint in case one is
                async with raw.transaction():
                    await raw.copy_records_to_table(table, records=rows, columns=list(columns))
                return
            except asyncpg.UniqueViolationError:
                pass
            await raw.execute(  # the columns' types only: no constraints, no defaults
                f'CREATE TEMPORARY TABLE IF NOT EXISTS "{scratch}" ON COMMIT DELETE ROWS AS '
                f'SELECT {cols} FROM "{table}" WITH NO DATA'
            )
            await raw.execute(f'DELETE FROM "{scratch}"')
            await raw.copy_records_to_table(scratch, records=rows, columns=list(columns))
            await raw.execute(
                f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "{scratch}" '
                f'ON CONFLICT ("{unique}") DO NOTHING'
            )
        return
    marks = ", ".join("?" for _ in columns)
    await conn.execute_many(
        f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ("{unique}") DO NOTHING',
        rows,  # sqlite3 takes any sequence of rows
    )


def bind_date(value: dt.date | dt.datetime) -> Any:
    """A date or datetime as the current dialect binds it fastest: SQLite keeps ISO text (what
    its adapters would make, without the per-value adapter call: the bare insert of a batch is
    a third faster with text), asyncpg wants the objects."""
    if dialect() == "postgres":
        return value
    return value.isoformat(" ") if isinstance(value, dt.datetime) else value.isoformat()


def _params(params: Sequence[Any]) -> list[Any]:
    """SQLite keeps dates as ISO text; asyncpg wants date objects."""
    if dialect() == "postgres":
        return list(params)
    return bind_sqlite(params)


def bind_sqlite(params: Sequence[Any]) -> list[Any]:
    """Parameters as sqlite3 takes them (for `run_on_writer`, whose work runs off the event
    loop, where the ORM's connection context is not set)."""
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


# SQLite: one read-only connection beside the ORM's, for hot reads (a pass check). The ORM's
# client runs one statement at a time and a write transaction (the audit group commit) holds
# it for several round trips; in WAL mode a second connection reads the last committed state
# beside the writer, and the reads queued on it run back to back.
_READER: dict[str, aiosqlite.Connection] = {}
_OPENING: dict[str, asyncio.Task[aiosqlite.Connection]] = {}


async def _open_reader(filename: str) -> aiosqlite.Connection:
    connecting = aiosqlite.connect(f"file:{filename}?mode=ro", uri=True, isolation_level=None)
    connecting._thread.daemon = True  # only reads: it must never keep a process alive
    reader = await connecting
    await reader.execute("PRAGMA busy_timeout = 5000")
    return reader


async def _reader(filename: str) -> aiosqlite.Connection:
    """The read-only connection for `filename`, opened once however many reads ask at once.

    A reader whose thread has ended is replaced: aiosqlite's thread ends when it answers a
    read whose event loop is gone (tests run one loop each), and anything queued to it then
    waits for ever. A reader that is replaced is stopped without waiting, for the same reason."""
    found = _READER.get(filename)
    if found is not None and found._thread.is_alive():
        return found
    loop = asyncio.get_running_loop()
    opening = _OPENING.get(filename)
    if opening is None or opening.get_loop() is not loop:
        for name in list(_READER):  # another database now (tests), or a dead thread
            _READER.pop(name).stop()
        opening = _OPENING[filename] = loop.create_task(_open_reader(filename))
    try:
        found = await opening
    finally:
        if _OPENING.get(filename) is opening:
            del _OPENING[filename]
    _READER[filename] = found
    return found


# A point read of committed data in WAL mode takes tens of microseconds and never waits for
# the writer; handing it to a thread and back costs several times that under load (a future,
# a queue, the thread's wake-up, the GIL changing hands, the event loop's wake-up). So a hot
# point read runs on the event loop's own thread, through a read-only connection of its own
# that never waits (busy_timeout 0): in the rare moment SQLite answers "busy" (a WAL reset
# under way), the read goes to the threaded reader above, which waits its turn.
_DIRECT: dict[tuple[str, int], sqlite3.Connection] = {}


def _direct(filename: str) -> sqlite3.Connection:
    key = (filename, threading.get_ident())
    found = _DIRECT.get(key)
    if found is None:
        for other in [k for k in _DIRECT if k[1] == key[1] and k[0] != filename]:  # tests
            _DIRECT.pop(other).close()
        found = sqlite3.connect(f"file:{filename}?mode=ro", uri=True, isolation_level=None)
        found.execute("PRAGMA busy_timeout = 0")
        found.execute("PRAGMA cache_size = -16384")  # the hot pages of the indexes it reads
        _DIRECT[key] = found
    return found


async def read_rows(sql_sqlite: str, params: Sequence[Any]) -> Sequence[Sequence[Any]]:
    """`fetch_rows` for a point read that needs only committed data and no transaction of
    its own: on a file SQLite database, on the event loop's thread through a read-only
    connection (the statement is stepped to its end, so no read transaction stays open)."""
    conn = connections.get("default")
    filename = getattr(conn, "filename", ":memory:")
    if dialect() != "sqlite" or isinstance(conn, TransactionalDBClient) or ":memory:" in filename:
        return await fetch_rows(sql_sqlite, params)
    bound = _params(params)
    try:
        return _direct(filename).execute(sql_sqlite, bound).fetchall()
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
    reader = await _reader(filename)
    return list(await reader.execute_fetchall(sql_sqlite, bound))


async def write_returning(sql_sqlite: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """An INSERT or UPDATE … RETURNING: the rows it returns (through `execute_query` the
    PostgreSQL client answers a write with its row count only)."""
    conn = connections.get("default")
    rows = await conn.execute_query_dict(portable(sql_sqlite), _params(params))
    return [tuple(r.values()) for r in rows]


def can_run_on_writer() -> bool:
    """Whether `run_on_writer` may be used: SQLite, outside a transaction."""
    conn = connections.get("default")
    return dialect() == "sqlite" and not isinstance(conn, TransactionalDBClient)


async def run_on_writer(work: Callable[[Writer], T]) -> T:
    """SQLite: run `work` on the ORM connection's own thread, inside one transaction (BEGIN
    IMMEDIATE … COMMIT, rolled back if it raises). Each ORM statement is a hand-over to that
    thread and back, which waits for the event loop when it is busy; a short write of several
    statements (the audit group commit) costs one hand-over this way instead of one per
    statement. `work` runs off the event loop: plain sqlite3, parameters through
    `bind_sqlite`."""
    conn = connections.get("default")
    async with conn.acquire_connection() as raw:  # queued with the ORM's other statements

        def transaction() -> T:
            db: sqlite3.Connection = raw._conn
            db.execute("BEGIN IMMEDIATE")  # the write lock first: no upgrade to wait for later
            try:
                done = work(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return done

        try:
            # aiosqlite's own way to run a call on its thread (what each of its methods does)
            return await raw._execute(transaction)  # type: ignore[no-any-return]
        except sqlite3.IntegrityError as exc:  # as the ORM would report it
            raise IntegrityError(str(exc)) from exc


async def execute_many(sql_sqlite: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    conn = connections.get("default")
    sql = portable(sql_sqlite)
    await conn.execute_many(sql, rows)  # both drivers take the rows as they are


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


async def ensure_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows whose primary key (the first column) does not exist yet; leave others."""
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    await execute_many(
        f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ("{columns[0]}") DO NOTHING',
        [_params(r) for r in rows],
    )
