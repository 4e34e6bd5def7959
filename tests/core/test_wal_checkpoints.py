"""While the app runs on a SQLite file, its writer's commits do not copy the write-ahead log
back into the database (`core.wal`): a thread of its own does, beside the requests, and the
data reaches the file all the same. On PostgreSQL there is no such thread."""

from __future__ import annotations

import asyncio
import json
import os
import time

from tortoise import connections
from tortoise.transactions import in_transaction

from backend.core import bulk
from backend.core.wal import AUTOCHECKPOINT, Checkpointer, checkpoints_beside_writer
from tests.conftest import IS_PG

ROWS = 20_000  # about 6 MB of pages: six times the log SQLite's own checkpoint would allow


async def _autocheckpoint() -> int:
    _, rows = await connections.get("default").execute_query("PRAGMA wal_autocheckpoint")
    return int(rows[0][0])


async def _write_a_large_transaction() -> None:
    params = json.dumps({"text": "一" * 90})
    rows = [(1, "record_new", f"wal:{i}", params, "", "2026-12-04 00:00:00") for i in range(ROWS)]
    async with in_transaction():
        await bulk.insert_rows(
            "notice", ("person_id", "kind", "key", "params", "link", "created_at"), rows
        )


async def test_the_log_reaches_the_database_file_through_the_thread(app) -> None:
    checkpointer = app.state.wal_checkpointer
    if IS_PG:
        assert checkpointer is None
        return
    assert isinstance(checkpointer, Checkpointer)
    assert await _autocheckpoint() == 0  # the commit leaves the copy to the thread
    filename = connections.get("default").filename
    size_before = os.path.getsize(filename)
    await _write_a_large_transaction()

    def copied() -> bool:  # the file grows while the checkpoint runs, its count after it
        grown = os.path.getsize(filename) >= size_before + 4_000_000
        return grown and checkpointer.frames_backfilled >= 1000

    deadline = time.monotonic() + 20
    while not copied() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert os.path.getsize(filename) >= size_before + 4_000_000  # the pages are in the file
    assert checkpointer.frames_backfilled >= 1000 and checkpointer.failures == 0
    _, rows = await connections.get("default").execute_query(
        "SELECT COUNT(*) FROM notice WHERE key LIKE 'wal:%'"
    )
    assert rows[0][0] == ROWS


async def test_the_writer_takes_its_checkpoints_back_when_the_thread_stops(app) -> None:
    if IS_PG:
        async with checkpoints_beside_writer() as none:
            assert none is None
        return
    async with checkpoints_beside_writer() as second:  # as a second app start would
        assert second is not None and await _autocheckpoint() == 0
    assert await _autocheckpoint() == AUTOCHECKPOINT
    assert not second._thread.is_alive()
