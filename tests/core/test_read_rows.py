"""Hot reads beside the ORM (`core.bulk.read_rows`: a read-only connection on SQLite) see
every committed write at once — a pass revoked a moment ago is read as revoked."""

from __future__ import annotations

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
