"""Hot reads beside the ORM (`core.bulk.read_rows`: on SQLite a read-only connection on the
event loop's thread, a threaded one when SQLite says busy) see every committed write at once —
a pass revoked a moment ago is read as revoked."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from typing import Any

import pytest
from tortoise import connections

from backend.auth.models import Throttle
from backend.core import bulk

SQL = 'SELECT "failures" FROM "throttle" WHERE "key" = ?'


async def test_a_committed_write_is_read_at_once(app) -> None:
    assert await bulk.read_rows(SQL, ["k"]) == []
    now = dt.datetime.now(dt.UTC)
    await Throttle.create(key="k", failures=1, first_failure_at=now, last_failure_at=now)
    assert [tuple(r) for r in await bulk.read_rows(SQL, ["k"])] == [(1,)]
    await Throttle.filter(key="k").update(failures=7)
    assert [tuple(r) for r in await bulk.read_rows(SQL, ["k"])] == [(7,)]


def threaded_reader_open() -> bool:
    """Whether this test's database has a threaded reader (other tests' stay in the map)."""
    return connections.get("default").filename in bulk._READER


class Busy:
    """A direct connection at the moment SQLite answers busy (a WAL reset under way)."""

    def execute(self, sql: str, params: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")


async def test_a_busy_direct_read_is_read_on_the_threaded_reader(app, monkeypatch) -> None:
    if bulk.dialect() != "sqlite":
        return  # PostgreSQL reads from the pool
    now = dt.datetime.now(dt.UTC)
    await Throttle.create(key="b", failures=3, first_failure_at=now, last_failure_at=now)
    assert [tuple(r) for r in await bulk.read_rows(SQL, ["b"])] == [(3,)]  # directly
    assert not threaded_reader_open()  # no thread was needed
    monkeypatch.setattr(bulk, "_direct", lambda filename: Busy())
    assert [tuple(r) for r in await bulk.read_rows(SQL, ["b"])] == [(3,)]
    assert threaded_reader_open()  # the read went to the threaded reader


async def test_a_wrong_statement_is_an_error_not_a_retry(app) -> None:
    if bulk.dialect() != "sqlite":
        return
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await bulk.read_rows('SELECT 1 FROM "no_such_table"', [])
    assert not threaded_reader_open()


async def test_a_reader_whose_thread_ended_is_replaced_and_many_reads_open_one(
    app, monkeypatch
) -> None:
    """aiosqlite's thread ends when it answers a read whose event loop is gone (each test has
    its own loop); a read queued to that reader would wait for ever (it hung CI once). Reads
    asking at once while none is open share one new reader."""
    if bulk.dialect() != "sqlite":
        return  # PostgreSQL reads from the pool; nothing to replace
    monkeypatch.setattr(bulk, "_direct", lambda filename: Busy())  # the threaded path
    await bulk.read_rows(SQL, ["k"])
    (old,) = bulk._READER.values()
    old.stop()
    old._thread.join(5)
    assert not old._thread.is_alive()
    rows = await asyncio.wait_for(
        asyncio.gather(*(bulk.read_rows(SQL, ["k"]) for _ in range(8))), timeout=10
    )
    assert [list(r) for r in rows] == [[]] * 8
    (new,) = bulk._READER.values()
    assert new is not old and new._thread.is_alive()
