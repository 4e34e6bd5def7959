"""Whole-city rescoring against the bare aggregation over the same rows, alternating in
rounds (at least 3). A round: (1) a from-scratch run that writes every score (scores, history
and progress rows deleted first), (2) the bare aggregation alone: the same `SUM(CASE …)` SQL
over every record, read to the end, nothing else, (3) a nightly run where nothing changed.
Then re-scoring one person after a record arrives, and peak memory (RSS of this process).
Checked: every person with records is scored, and a nightly run changes nothing.

On an already seeded database:

    DATA_DIR=/tmp/big ./scripts/seed_demo --residents 2500000 --seed 2018 --skip-scores
    DATA_DIR=/tmp/big .venv/bin/python scripts/bench/rescore.py

or on a city it seeds itself in a fresh directory:

    .venv/bin/python scripts/bench/rescore.py --seed-residents 50000 [--rounds 3] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from backend.cli import migrate, with_orm
from backend.core import bulk, clock
from backend.core.settings import load_settings
from backend.credit.catalog import load_model
from backend.credit.models import CreditRecord, RescoreRun, Score, ScoreHistory
from backend.credit.service import _sums_sql, rescore_city, rescore_person
from backend.demo.city import seed_people
from backend.residents.models import Person


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """The peak resident memory while rescoring runs (the process's high-water mark also
    counts the seeding of the city, which is not the rescoring's)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.running = False
        self.thread: threading.Thread | None = None

    @staticmethod
    def now_mb() -> float:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    def _run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.now_mb())
            time.sleep(0.02)

    def __enter__(self) -> RssSampler:
        self.running = True
        self.peak = max(self.peak, self.now_mb())
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.join()
        self.peak = max(self.peak, self.now_mb())


SAMPLER = RssSampler()


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


async def bare_aggregation() -> tuple[float, int]:
    """The aggregation SQL of rescore_city over all rows at once, rows fetched, no model."""
    dimensions = [d.code for d in load_model().dimensions]
    as_of = clock.today()
    started = time.perf_counter()
    rows = await bulk.fetch_rows(_sums_sql(dimensions, "1 = 1"), [as_of, as_of])
    return time.perf_counter() - started, len(rows)


async def bench(rounds: int, samples: int) -> dict[str, object]:
    people = await Person.all().count()
    records = await CreditRecord.all().count()
    with_records = len(await CreditRecord.all().distinct().values_list("person_id", flat=True))
    per_round: list[dict[str, float]] = []
    rss_before = RssSampler.now_mb()
    for r in range(rounds):
        load = os.getloadavg()[0]
        await Score.all().delete()
        await ScoreHistory.all().delete()
        await RescoreRun.all().delete()
        started = time.perf_counter()
        with SAMPLER:
            first = await rescore_city(resume=False)
        scratch = time.perf_counter() - started
        if first.people != with_records:
            raise RuntimeError(f"round {r + 1}: {first.people} scored, {with_records} have records")
        bare, bare_rows = await bare_aggregation()
        if bare_rows != with_records:
            raise RuntimeError(f"the bare aggregation gave {bare_rows} rows, not {with_records}")
        started = time.perf_counter()
        with SAMPLER:
            second = await rescore_city(resume=False)
        nightly = time.perf_counter() - started
        if second.changed:
            raise RuntimeError(f"a nightly run with nothing changed wrote {second.changed} scores")
        per_round.append(
            {
                "load_average": load,
                "from_scratch_s": scratch,
                "bare_aggregation_s": bare,
                "nightly_no_change_s": nightly,
                "scores_written": first.changed,
            }
        )
    top = await bulk.max_person_with_records()
    rng = random.Random(5)
    sample = []
    for _ in range(samples):
        pid = rng.randrange(1, top + 1)
        t0 = time.perf_counter()
        await rescore_person(person_id=pid, cause="record")
        sample.append((time.perf_counter() - t0) * 1000)
    sample.sort()

    def col(name: str) -> list[float]:
        return [x[name] for x in per_round]

    return {
        "people_in_register": people,
        "records": records,
        "people_scored": with_records,
        "rounds": rounds,
        "load_average": spread(col("load_average")),
        "from_scratch_s": spread(col("from_scratch_s")),
        "nightly_no_change_s": spread(col("nightly_no_change_s")),
        "bare_aggregation_s": spread(col("bare_aggregation_s")),
        "ratio_scratch_to_bare": spread(
            [a / b for a, b in zip(col("from_scratch_s"), col("bare_aggregation_s"), strict=True)]
        ),
        "ratio_nightly_to_bare": spread(
            [
                a / b
                for a, b in zip(col("nightly_no_change_s"), col("bare_aggregation_s"), strict=True)
            ]
        ),
        "rss_mb_before_rounds": round(rss_before),
        "peak_rss_mb_while_rescoring": round(SAMPLER.peak),
        "peak_rss_mb_process_incl_seeding": round(peak_mb()),
        "one_person_ms_median": round(statistics.median(sample), 2),
        "one_person_ms_p95": round(sample[int(len(sample) * 0.95)], 2),
        "per_round": [{k: round(v, 3) for k, v in x.items()} for x in per_round],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--seed-residents", type=int, default=0, help="seed a city of this size in a fresh dir"
    )
    parser.add_argument("--quick", action="store_true", help="CI: seeds a small city")
    args = parser.parse_args()
    if args.quick:
        args.seed_residents = args.seed_residents or 500
    if args.rounds < 3 and not args.quick:
        sys.exit("at least 3 rounds")
    if args.seed_residents:
        os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="xinyi-rescore-")
        os.environ.pop("DATABASE_URL", None)
    settings = load_settings()
    if args.seed_residents:
        asyncio.run(migrate(settings))
        asyncio.run(
            with_orm(
                settings,
                lambda: seed_people(settings, args.seed_residents, 2018, progress=False),
            )
        )
    samples = 30 if args.quick else 300
    result = asyncio.run(with_orm(settings, lambda: bench(args.rounds, samples)))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
