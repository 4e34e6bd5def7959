"""Migration 0006 on a register written before it: every ID number is re-encrypted bound to its
row, the birth year is kept, and the birth date, sex and stored mask are gone — in place, so
the people, their ids and what refers to them stay."""

from __future__ import annotations

import base64
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as migrate_api

from backend.core.crypto import IdCipher
from backend.core.settings import Settings
from backend.db import tortoise_config
from backend.residents import idnumber
from tests.conftest import IS_PG, _pg_admin, _pg_url
from tests.conftest import test_settings as settings_for

BEFORE = "xinyi.0005_due_process"
PEOPLE = [
    (idnumber.make("420202", dt.date(1985, 6, 15), 11), "王建国"),
    (idnumber.make("420281", dt.date(1962, 1, 1), 2), "李秀英"),
    (idnumber.make("420222", dt.date(2008, 12, 31), 1), "欧阳锋"),
]


@pytest.fixture
async def old_database(tmp_path: Path) -> AsyncIterator[Settings]:
    """A database migrated up to 0005 only (its own, also on PostgreSQL)."""
    if IS_PG:
        name = f"xinyi_mig_{uuid.uuid4().hex[:10]}"
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    else:
        url = f"sqlite://{tmp_path / 'old.sqlite3'}"
    settings = settings_for(tmp_path / "data", url)
    await migrate_api(config=tortoise_config(settings), target=BEFORE)
    await Tortoise.close_connections()
    yield settings
    await Tortoise.close_connections()
    if IS_PG:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _v1_ciphertext(settings: Settings, number: str) -> bytes:
    """How the register encrypted before 0006: one fixed associated data for every row."""
    key = base64.urlsafe_b64decode(settings.id_encryption_key)
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, number.encode(), b"xinyi:id-number:v1")


async def _columns(client: object) -> set[str]:
    if IS_PG:
        _, rows = await client.execute_query(  # type: ignore[attr-defined]
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'person'"
        )
        return {r["column_name"] for r in rows}
    _, rows = await client.execute_query('PRAGMA table_info("person")')  # type: ignore[attr-defined]
    return {r["name"] for r in rows}


async def test_0006_rebinds_every_id_number_and_drops_what_rebuilt_it(old_database) -> None:
    settings = old_database
    cipher = IdCipher.from_settings(settings)
    await Tortoise.init(config=tortoise_config(settings))
    client = connections.get("default")
    marks = ", ".join(f"${i}" if IS_PG else "?" for i in range(1, 10))
    for pid, (number, name) in enumerate(PEOPLE, start=1):
        parsed = idnumber.parse(number)
        await client.execute_query(
            'INSERT INTO "person" ("id", "id_hash", "id_encrypted", "id_masked", "name", "sex", '
            f'"birth_date", "district_code", "created_at") VALUES ({marks})',
            [pid, cipher.lookup_hash(number), _v1_ciphertext(settings, number),
             number[:4] + "*" * 10 + number[-4:], name, parsed.sex,
             parsed.birth_date if IS_PG else parsed.birth_date.isoformat(), number[:6],
             dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if IS_PG else "2026-01-01 00:00:00+00:00"],
        )  # fmt: skip
    await client.execute_query(
        'INSERT INTO "person_occupation" ("person_id", "group_code") VALUES '
        + ("($1, $2)" if IS_PG else "(?, ?)"),
        [2, "teacher"],
    )
    assert {"birth_date", "sex", "id_masked"} <= await _columns(client)
    await Tortoise.close_connections()

    await migrate_api(config=tortoise_config(settings))  # the rest, 0006 included
    await Tortoise.close_connections()

    await Tortoise.init(config=tortoise_config(settings))
    client = connections.get("default")
    columns = await _columns(client)
    assert not {"birth_date", "sex", "id_masked"} & columns and "birth_year" in columns
    _, rows = await client.execute_query(
        'SELECT "id", "id_hash", "id_encrypted", "name", "birth_year", "district_code" '
        'FROM "person" ORDER BY "id"'
    )
    assert len(rows) == len(PEOPLE)
    for row, (number, name) in zip(rows, PEOPLE, strict=True):
        blob = bytes(row["id_encrypted"])
        assert cipher.decrypt(blob, bound_to=row["id_hash"]) == number  # bound to its row
        assert row["name"] == name and row["district_code"] == number[:6]
        assert row["birth_year"] == int(number[6:10])
    _, jobs = await client.execute_query('SELECT "person_id" FROM "person_occupation"')
    assert [j["person_id"] for j in jobs] == [2]  # the table was not rebuilt under its rows


async def test_0006_stops_before_dropping_anything_when_the_key_is_wrong(old_database) -> None:
    settings = old_database
    other = Settings().with_overrides(
        id_encryption_key=base64.urlsafe_b64encode(os.urandom(32)).decode()
    )
    await Tortoise.init(config=tortoise_config(settings))
    client = connections.get("default")
    number = PEOPLE[0][0]
    marks = ", ".join(f"${i}" if IS_PG else "?" for i in range(1, 10))
    await client.execute_query(
        'INSERT INTO "person" ("id", "id_hash", "id_encrypted", "id_masked", "name", "sex", '
        f'"birth_date", "district_code", "created_at") VALUES ({marks})',
        [1, IdCipher.from_settings(settings).lookup_hash(number), _v1_ciphertext(other, number),
         "x", "王建国", "M", dt.date(1985, 6, 15) if IS_PG else "1985-06-15", "420202",
         dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if IS_PG else "2026-01-01 00:00:00+00:00"],
    )  # fmt: skip
    await Tortoise.close_connections()
    with pytest.raises(RuntimeError, match="does not decrypt"):
        await migrate_api(config=tortoise_config(settings))
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(settings))
    client = connections.get("default")
    assert "birth_date" in await _columns(client)  # nothing dropped
    # With the register's own key in place, running it again finishes the migration.
    await client.execute_query(
        'UPDATE "person" SET "id_encrypted" = ' + ("$1" if IS_PG else "?"),
        [_v1_ciphertext(settings, number)],
    )
    await Tortoise.close_connections()
    await migrate_api(config=tortoise_config(settings))
    await Tortoise.close_connections()
    await Tortoise.init(config=tortoise_config(settings))
    client = connections.get("default")
    assert "birth_date" not in await _columns(client)
    _, rows = await client.execute_query('SELECT "id_hash", "id_encrypted" FROM "person"')
    cipher = IdCipher.from_settings(settings)
    assert cipher.decrypt(bytes(rows[0]["id_encrypted"]), bound_to=rows[0]["id_hash"]) == number
