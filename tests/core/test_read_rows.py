"""Hot reads beside the ORM (`core.bulk.read_rows`: a read-only connection on SQLite) see
every committed write at once — a pass revoked a moment ago is read as revoked."""

from __future__ import annotations

import asyncio
import datetime as dt

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


async def test_a_reader_whose_thread_ended_is_replaced_and_many_reads_open_one(app) -> None:
    """aiosqlite's thread ends when it answers a read whose event loop is gone (each test has
    its own loop); a read queued to that reader would wait for ever (it hung CI once). Reads
    asking at once while none is open share one new reader."""
    if bulk.dialect() != "sqlite":
        return  # PostgreSQL reads from the pool; nothing to replace
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
