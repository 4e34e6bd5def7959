"""Ingest benchmark: records/s through the real submitRecords path (HTTP → validation →
idempotency → insert → re-scoring → audit) against a bare sqlite3 executemany of the same
rows into the same table, measured in the same run.

    .venv/bin/python scripts/bench/ingest.py [--residents 200000] [--batches 5] [--batch-size 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import start

from backend.apitokens.service import create_token
from backend.cli import migrate, with_orm
from backend.core.crypto import IdCipher
from backend.core.settings import load_settings
from backend.demo.city import seed_people
from backend.residents.models import Person

TYPES = [("market_regulation", "LAW_PENALTY_MINOR"), ("market_regulation", "LAW_PENALTY_GENERAL")]


async def prepare(residents: int) -> tuple[str, list[str]]:
    settings = load_settings()
    await migrate(settings)

    async def work() -> tuple[str, list[str]]:
        await seed_people(settings, residents, 99, progress=False, records=False)
        _, token = await create_token(
            officer=None,
            kind="department",
            organisation="market_regulation",
            label="bench",
            scopes=["records.submit"],
        )
        cipher = IdCipher.from_settings(settings)
        rows = await Person.all().limit(50_000).values_list("id_encrypted", "id_hash")
        return token, [cipher.decrypt(blob, bound_to=row) for blob, row in rows]

    return await with_orm(settings, work)


def batch_lines(
    numbers: list[str], start: int, size: int, rng: random.Random
) -> list[dict[str, str]]:
    today = dt.date(2026, 11, 1)
    return [
        {
            "external_id": f"B-{start + i}",
            "id_number": rng.choice(numbers),
            "type": TYPES[i % 2][1],
            "decision_date": (today - dt.timedelta(days=rng.randrange(300))).isoformat(),
            "summary": "占道经营",
            "decision_doc_no": f"黄市监罚〔2026〕{start + i}号",
        }
        for i in range(size)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=100_000)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="xinyi-ingest-"))
    os.environ["DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    token, numbers = asyncio.run(prepare(args.residents))
    rng = random.Random(1)
    batches = [
        batch_lines(numbers, b * args.batch_size, args.batch_size, rng) for b in range(args.batches)
    ]
    bodies = [
        "\n".join(json.dumps(r, ensure_ascii=False) for r in batch).encode() for batch in batches
    ]

    proc, url = start({"DATA_DIR": str(data), "BACKGROUND_TASKS": "false"})
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
        with httpx.Client(timeout=600) as client:
            started = time.perf_counter()
            for body in bodies:
                response = client.post(f"{url}/api/v1/records", content=body, headers=headers)
                response.raise_for_status()
            api_seconds = time.perf_counter() - started
            resubmit_started = time.perf_counter()
            again = client.post(f"{url}/api/v1/records", content=bodies[0], headers=headers)
            resubmit_seconds = time.perf_counter() - resubmit_started
            assert again.json()["created"] == 0, again.text
    finally:
        proc.terminate()
        proc.wait()
    total = args.batches * args.batch_size

    # Bare sqlite3: the same rows into a fresh copy of the same table (same indexes).
    db = data / "xinyi.sqlite3"
    bare = sqlite3.connect(str(data / "bare.sqlite3"))
    bare.execute("PRAGMA journal_mode=WAL")
    schema = (
        sqlite3.connect(str(db))
        .execute("SELECT sql FROM sqlite_master WHERE tbl_name='credit_record' AND sql IS NOT NULL")
        .fetchall()
    )
    for (sql,) in schema:
        bare.execute(sql)
    rows = (
        sqlite3.connect(str(db))
        .execute(
            "SELECT person_id, department, external_id, type_code, dimension, points, severity, decision_date,"
            " repairable_from, expires_on, status, suspended, summary, decision_doc_no, catalog_version,"
            " revision, created_at, updated_at FROM credit_record"
        )
        .fetchall()
    )
    started = time.perf_counter()
    with bare:
        bare.executemany(
            "INSERT INTO credit_record (person_id, department, external_id, type_code, dimension, points,"
            " severity, decision_date, repairable_from, expires_on, status, suspended, summary,"
            " decision_doc_no, catalog_version, revision, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
    bare_seconds = time.perf_counter() - started
    api_rate, bare_rate = total / api_seconds, len(rows) / bare_seconds
    print(
        json.dumps(
            {
                "records": total,
                "batches": args.batches,
                "batch_size": args.batch_size,
                "submitRecords_records_per_s": round(api_rate),
                "resubmit_unchanged_s": round(resubmit_seconds, 2),
                "bare_sqlite3_executemany_rows_per_s": round(bare_rate),
                "ratio_api_to_bare": round(api_rate / bare_rate, 3),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
