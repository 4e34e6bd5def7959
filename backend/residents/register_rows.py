"""The register feed's set-based reads and writes of `person` (the package that owns the table
keeps its SQL): rows found by lookup hash, new rows in bulk, changes as conditional updates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ..core import bulk
from .models import PersonStatus

INSERT_COLUMNS = (
    "id_hash", "id_encrypted", "name", "birth_year", "district_code", "created_at", "status",
    "register_seq",
)  # fmt: skip
# A change applies only over an older one: whatever order two imports run in, the person ends
# with the change of the highest sequence number.
UPDATE = (
    'UPDATE "person" SET "name" = ?, "district_code" = ?, "status" = ?, "register_seq" = ? '
    'WHERE "id" = ? AND "register_seq" < ?'
)
LOOKUP_CHUNK = 5000


@dataclass
class RegisterRow:
    """What the feed compares of a registered person."""

    id: int
    id_hash: str
    name: str
    district_code: str
    status: PersonStatus
    register_seq: int


async def rows_by_hash(hashes: Sequence[str]) -> dict[str, RegisterRow]:
    found: dict[str, RegisterRow] = {}
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        rows = await bulk.fetch_rows(
            'SELECT "id", "id_hash", "name", "district_code", "status", "register_seq" '
            f'FROM "person" WHERE "id_hash" IN {bulk.in_list(len(chunk))}',
            chunk,
        )
        for r in rows:
            found[r[1]] = RegisterRow(int(r[0]), r[1], r[2], r[3], PersonStatus(r[4]), int(r[5]))
    return found


@dataclass(frozen=True)
class NewRow:
    id_hash: str
    id_encrypted: bytes
    name: str
    birth_year: int
    district_code: str
    status: PersonStatus
    register_seq: int


async def insert_people(rows: Sequence[NewRow], now: dt.datetime) -> None:
    await bulk.insert_rows(
        "person",
        INSERT_COLUMNS,
        [
            (r.id_hash, r.id_encrypted, r.name, r.birth_year, r.district_code, now,
             r.status.value, r.register_seq)
            for r in rows
        ],
    )  # fmt: skip


async def update_people(rows: Sequence[RegisterRow]) -> None:
    """Write each row's columns where the stored change is older than the row's."""
    await bulk.execute_many(
        UPDATE,
        [(r.name, r.district_code, r.status.value, r.register_seq, r.id, r.register_seq)
         for r in rows],
    )  # fmt: skip
