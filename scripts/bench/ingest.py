"""Ingest benchmark: records/s through the real submitRecords path (HTTP → validation →
idempotency → insert → re-scoring → audit) against a bare sqlite3 executemany of the same
rows into a copy of the same table (same indexes, the app's 64 MB page cache and synchronous
setting), alternating in rounds: each round the app takes --batches batches, then the bare
insert takes the rows the app stored in that round. Every batch must be created in full and an
unchanged resubmission must create nothing (the benchmark fails otherwise).

With `--postgres URL` (an empty database) the app runs on PostgreSQL, where a batch is stored
with binary COPY, and the bare baseline is a binary COPY (asyncpg `copy_records_to_table`) of
the same rows into a copy of the table with the same indexes, in the same database server.

    .venv/bin/python scripts/bench/ingest.py [--residents 200000] [--rounds 3] [--batches 2] \
        [--batch-size 100000] [--quick] [--postgres postgres://…/empty_db]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _server import start, stop

from backend.apitokens.service import create_token
from backend.cli import migrate, with_orm
from backend.core.crypto import IdCipher
from backend.core.settings import load_settings
from backend.db import SQLITE_PRAGMAS
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


COLUMNS = (
    "person_id, department, external_id, type_code, dimension, points, severity, decision_date,"
    " repairable_from, expires_on, status, suspended, summary, decision_doc_no, catalog_version,"
    " revision, created_at, updated_at"
)


def bare_database(app_db: Path, path: Path) -> sqlite3.Connection:
    """A fresh copy of credit_record (same indexes) with the app's SQLite settings and its
    checkpoint policy: the commit does not copy the log back (`backend.core.wal`); the bench
    checkpoints after the timed insert, as the app's thread does beside it."""
    bare = sqlite3.connect(str(path))
    bare.execute("PRAGMA journal_mode=WAL")
    for pragma, value in SQLITE_PRAGMAS.items():  # the app's 64 MB page cache, synchronous
        bare.execute(f"PRAGMA {pragma}={value}")
    bare.execute("PRAGMA wal_autocheckpoint=0")
    with sqlite3.connect(str(app_db)) as source:
        schema = source.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name='credit_record' AND sql IS NOT NULL"
        ).fetchall()
    for (sql,) in schema:
        bare.execute(sql)
    return bare


def pg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


async def pg_bare_table(url: str) -> None:
    """A fresh copy of credit_record: same columns, defaults, indexes and constraints."""
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute("DROP TABLE IF EXISTS bare_credit_record")
        await conn.execute(
            "CREATE TABLE bare_credit_record (LIKE credit_record INCLUDING DEFAULTS INCLUDING INDEXES "
            "INCLUDING CONSTRAINTS)"
        )
    finally:
        await conn.close()


async def pg_round(url: str, after: int) -> tuple[int, int, float]:
    """The rows the app stored after id `after`, COPY'd into the bare table: (rows, last id,
    seconds of the COPY)."""
    conn = await asyncpg.connect(pg_dsn(url))
    try:
        names = ["id", *(c.strip() for c in COLUMNS.split(","))]
        rows = await conn.fetch(
            f"SELECT {', '.join(names)} FROM credit_record WHERE id > $1 ORDER BY id", after
        )
        started = time.perf_counter()
        async with conn.transaction():
            await conn.copy_records_to_table(
                "bare_credit_record", records=[tuple(r) for r in rows], columns=names
            )
        seconds = time.perf_counter() - started
        return len(rows), (rows[-1]["id"] if rows else after), seconds
    finally:
        await conn.close()


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, every thread) the process has used so far: the app's cost
    of a round, which a busy machine stretches less than its wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batches", type=int, default=2, help="per round")
    parser.add_argument("--batch-size", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="CI: a small city, small batches")
    parser.add_argument(
        "--postgres",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/xinyi_bench_ingest (an empty database)",
    )
    args = parser.parse_args()
    if args.quick:
        args.residents, args.batches, args.batch_size = 300, 2, 500
    if args.rounds < 3 and not args.quick:
        sys.exit("at least 3 rounds")
    data = Path(tempfile.mkdtemp(prefix="xinyi-ingest-"))
    os.environ["DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    token, numbers = asyncio.run(prepare(args.residents))
    rng = random.Random(1)
    per_round = args.batches * args.batch_size
    bodies = [
        [
            "\n".join(json.dumps(r, ensure_ascii=False) for r in batch).encode()
            for batch in (
                batch_lines(numbers, r * per_round + b * args.batch_size, args.batch_size, rng)
                for b in range(args.batches)
            )
        ]
        for r in range(args.rounds)
    ]
    app_db = data / "xinyi.sqlite3"
    bare: sqlite3.Connection | None = None
    rounds: list[dict[str, float]] = []
    proc = None
    try:
        proc, url = start({"DATA_DIR": str(data), "BACKGROUND_TASKS": "false"})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
        if args.postgres:
            asyncio.run(pg_bare_table(args.postgres))
        else:
            bare = bare_database(app_db, data / "bare.sqlite3")
        stored = 0  # the app's last credit_record id before this round
        with httpx.Client(timeout=900) as client:
            for r in range(args.rounds):
                load = os.getloadavg()[0]
                cpu_before = cpu_seconds(proc.pid)
                started = time.perf_counter()
                for body in bodies[r]:
                    response = client.post(f"{url}/api/v1/records", content=body, headers=headers)
                    response.raise_for_status()
                    if response.json().get("created") != args.batch_size:
                        raise RuntimeError(f"not every record was created: {response.text[:500]}")
                api_seconds = time.perf_counter() - started
                api_cpu = cpu_seconds(proc.pid) - cpu_before
                if args.postgres:  # the same rows, binary COPY into the bare copy of the table
                    count, stored, bare_seconds = asyncio.run(pg_round(args.postgres, stored))
                    if count != per_round:
                        raise RuntimeError(f"round {r + 1}: {count} rows stored, not {per_round}")
                    rounds.append(
                        {
                            "load_average": load,
                            "api_records_per_s": per_round / api_seconds,
                            "bare_rows_per_s": per_round / bare_seconds,
                            "api_cpu_us_per_record": api_cpu / per_round * 1e6,
                        }
                    )
                    continue
                assert bare is not None
                with sqlite3.connect(str(app_db)) as source:  # what this round stored
                    rows = source.execute(
                        f"SELECT {COLUMNS} FROM credit_record WHERE id > ? ORDER BY id", (stored,)
                    ).fetchall()
                    stored = source.execute("SELECT MAX(id) FROM credit_record").fetchone()[0]
                if len(rows) != per_round:
                    raise RuntimeError(f"round {r + 1}: {len(rows)} rows stored, not {per_round}")
                # Bare sqlite3: the same rows into the bare copy of the table, same cache.
                started, bare_cpu = time.perf_counter(), time.process_time()
                with bare:
                    bare.executemany(
                        f"INSERT INTO credit_record ({COLUMNS}) VALUES ({', '.join('?' * 18)})",
                        rows,
                    )
                bare_seconds = time.perf_counter() - started
                bare_cpu = time.process_time() - bare_cpu
                bare.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # untimed, as the app's is
                rounds.append(
                    {
                        "load_average": load,
                        "api_records_per_s": per_round / api_seconds,
                        "bare_rows_per_s": per_round / bare_seconds,
                        "api_cpu_us_per_record": api_cpu / per_round * 1e6,
                        "bare_cpu_us_per_row": bare_cpu / per_round * 1e6,
                    }
                )
            started = time.perf_counter()
            again = client.post(f"{url}/api/v1/records", content=bodies[0][0], headers=headers)
            resubmit_seconds = time.perf_counter() - started
            again.raise_for_status()
            if again.json().get("created") != 0:
                raise RuntimeError(f"an unchanged resubmission created records: {again.text[:500]}")
    finally:
        stop(proc)
        if bare is not None:
            bare.close()
    api = [x["api_records_per_s"] for x in rounds]
    bare_rates = [x["bare_rows_per_s"] for x in rounds]
    print(
        json.dumps(
            {
                "residents": args.residents,
                "rounds": args.rounds,
                "batches_per_round": args.batches,
                "batch_size": args.batch_size,
                "records": args.rounds * per_round,
                "database": "PostgreSQL (COPY)" if args.postgres else "SQLite",
                "bare": "asyncpg copy_records_to_table" if args.postgres else "sqlite3 executemany",
                "sqlite_pragmas_both": None if args.postgres else SQLITE_PRAGMAS,
                "wal_checkpoints_both": None if args.postgres else "outside the commit (core.wal)",
                "load_average": spread([x["load_average"] for x in rounds]),
                "submitRecords_records_per_s": spread(api),
                "bare_rows_per_s": spread(bare_rates),
                "ratio_api_to_bare": spread([a / b for a, b in zip(api, bare_rates, strict=True)]),
                # CPU per record (the app's process; the bare insert's own), less stretched by
                # a busy machine than the rates above; the bare CPU is None on PostgreSQL,
                # whose COPY runs in the server.
                "api_cpu_us_per_record": spread([x["api_cpu_us_per_record"] for x in rounds]),
                "bare_cpu_us_per_row": None
                if args.postgres
                else spread([x["bare_cpu_us_per_row"] for x in rounds]),
                "resubmit_unchanged_batch_s": round(resubmit_seconds, 2),
                "per_round": [{k: round(v, 2) for k, v in x.items()} for x in rounds],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
