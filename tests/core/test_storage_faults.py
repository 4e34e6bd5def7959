"""Storage faults — a read-only database, one locked past the timeout — answer 503 with
`Retry-After` and a message that says to resend (the write was refused, nothing stored);
`/healthz` reports a database that cannot write; and the connection serves the next request
once the fault is gone."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator

import asyncpg
import pytest
from tortoise import connections

from backend.core.settings import Settings
from backend.partners.models import Partner
from tests.conftest import IS_PG

LOCK_WAIT_MS = 200

APPLY = "/api/v1/partner-applications"
APPLICATION = {
    "name": "黄石市图书馆",
    "domain": "library",
    "contact_name": "郑馆长",
    "contact_phone": "0714-6222222",
}


def _assert_resend(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["code"] == "storage_unavailable"
    assert "send it again" in body["detail"] and "nothing" in body["detail"]
    assert "lost" not in body["detail"]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The app waits this long for another session's lock (PostgreSQL: `DB_LOCK_TIMEOUT_MS`,
    set on every session the app opens; SQLite: busy_timeout, set below)."""
    return settings.with_overrides(db_lock_timeout_ms=LOCK_WAIT_MS)


async def _pg_database_setting(setting: str, value: str) -> None:
    """Set a PostgreSQL parameter for every new session of the test database, and make the
    app's pool open new sessions (the app's own connections, not a test double)."""
    pool = connections.get("default")._pool  # type: ignore[attr-defined]
    async with pool.acquire() as raw:
        name = await raw.fetchval("SELECT current_database()")
        await raw.execute("SET default_transaction_read_only = off")  # this session may
        await raw.execute(f'ALTER DATABASE "{name}" SET {setting} = {value}')
    await pool.expire_connections()


async def refuse_writes(refuse: bool) -> None:
    """The database refuses writes: SQLite's query_only pragma on the app's connection (the
    tests run as root, for whom a read-only file is still writable); on PostgreSQL every
    session read-only (default_transaction_read_only)."""
    if IS_PG:
        await _pg_database_setting("default_transaction_read_only", "on" if refuse else "off")
    else:
        await connections.get("default").execute_script(
            f"PRAGMA query_only = {'ON' if refuse else 'OFF'}"
        )


@contextlib.asynccontextmanager
async def locked_by_another_process(settings) -> AsyncIterator[None]:
    """Another connection holds the lock the app's write needs, longer than the app waits:
    SQLite's write lock (BEGIN EXCLUSIVE; the app waits busy_timeout), PostgreSQL's lock on
    the partner table (the app waits the lock_timeout its own settings give its sessions)."""
    url = settings.resolved_database_url
    if IS_PG:
        other = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        transaction = other.transaction()
        await transaction.start()
        await other.execute('LOCK TABLE "partner" IN ACCESS EXCLUSIVE MODE')
        try:
            yield
        finally:
            await transaction.rollback()
            await other.close()
    else:
        await connections.get("default").execute_script(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
        lite = sqlite3.connect(url.removeprefix("sqlite://").split("?")[0], isolation_level=None)
        lite.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            lite.execute("ROLLBACK")
            lite.close()


async def test_a_read_only_database_answers_503_then_stores_the_resent_request(app, client) -> None:
    await refuse_writes(True)
    try:
        _assert_resend(await client.post(APPLY, json=APPLICATION))
        health = await client.get("/healthz")
        assert health.status_code == 503
        assert health.json() == {"status": "degraded", "database": health.json()["database"]}
        assert health.json()["database"].startswith("cannot write")
    finally:
        await refuse_writes(False)
    assert await Partner.all().count() == 0
    again = await client.post(APPLY, json=APPLICATION)  # the same app, its same connection
    assert again.status_code == 201, again.text
    assert await Partner.all().count() == 1
    assert (await client.get("/healthz")).json() == {"status": "ok", "database": "ok"}


async def test_a_database_locked_past_the_timeout_answers_503(app, client, settings) -> None:
    async with locked_by_another_process(settings):
        _assert_resend(await client.post(APPLY, json=APPLICATION))
        if not IS_PG:  # PostgreSQL's lock is on one table; SQLite's is on the whole file
            health = await client.get("/healthz")
            assert health.status_code == 503
            assert health.json()["database"].startswith("cannot write")
    again = await client.post(APPLY, json=APPLICATION)
    assert again.status_code == 201, again.text
    assert await Partner.all().count() == 1
