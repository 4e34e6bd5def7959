"""Test harness: every test gets a fresh database — a copy of a migrated SQLite template, or
(with DATABASE_URL=postgres://…) a per-run PostgreSQL database emptied before each test."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from tortoise import Tortoise

from backend.app import create_app
from backend.cli import migrate
from backend.core import bulk, clock
from backend.core.settings import Settings
from tests.authenticator import SoftAuthenticator

ORIGIN = "http://localhost:8000"
BASE_URL = os.environ.get("DATABASE_URL", "")
IS_PG = bulk.__name__ and BASE_URL.startswith(("postgres://", "postgresql://"))


def test_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    settings = Settings(
        database_url=database_url,
        data_dir=data_dir,
        origins=(ORIGIN,),
        rp_id="localhost",
        background_tasks=False,
    )
    return settings.with_overrides(**overrides) if overrides else settings


def _tables_children_first() -> list[str]:
    """Every table, each before the tables its foreign keys point to."""
    models = list(Tortoise.apps["xinyi"].values())
    parents = {
        m._meta.db_table: {
            m._meta.fields_map[f].related_model._meta.db_table
            for f in (*m._meta.fk_fields, *m._meta.o2o_fields)
        }
        for m in models
    }
    order: list[str] = []
    while parents:
        ready = sorted(
            t for t in parents if not any(t in deps for o, deps in parents.items() if o != t)
        )
        order += ready
        for t in ready:
            del parents[t]
    return order


def _pg_url(name: str) -> str:
    parts = urlsplit(BASE_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(BASE_URL.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database made once per run: a file path (SQLite) or a URL (PostgreSQL)."""
    if IS_PG:
        name = f"xinyi_test_{uuid.uuid4().hex[:10]}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        url = _pg_url(name)
        asyncio.run(migrate(test_settings(tmp_path_factory.mktemp("pg"), url)))
        yield url
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        folder = tmp_path_factory.mktemp("template")
        path = folder / "template.sqlite3"
        asyncio.run(migrate(test_settings(folder, f"sqlite://{path}")))
        yield str(path)


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    if IS_PG:
        return database_template
    target = tmp_path / "xinyi.sqlite3"
    shutil.copyfile(database_template, target)
    return f"sqlite://{target}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return test_settings(tmp_path / "data", database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[object]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        if IS_PG:
            await bulk.truncate_all(_tables_children_first())
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
async def other_client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser: its own cookie jar and client address."""
    transport = httpx.ASGITransport(app=app, client=("10.9.8.7", 4321))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(origin=ORIGIN)


@pytest.fixture(autouse=True)
async def _close_orm() -> AsyncIterator[None]:
    yield
    clock.reset()
    if Tortoise._inited:
        await Tortoise.close_connections()
