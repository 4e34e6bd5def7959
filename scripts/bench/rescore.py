"""Whole-city rescoring benchmark on an already seeded database:

    DATA_DIR=/tmp/big ./scripts/seed_demo --residents 2500000 --seed 2018 --skip-scores
    DATA_DIR=/tmp/big .venv/bin/python scripts/bench/rescore.py

Measures (1) a from-scratch run that writes every score, (2) a nightly run where nothing
changed, with peak memory, and (3) re-scoring one person after a record arrives.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from backend.cli import with_orm
from backend.core import bulk
from backend.core.settings import load_settings
from backend.credit.models import CreditRecord, RescoreRun, Score, ScoreHistory
from backend.credit.service import rescore_city, rescore_person
from backend.residents.models import Person


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench() -> dict[str, object]:
    people = await Person.all().count()
    records = await CreditRecord.all().count()
    await Score.all().delete()
    await ScoreHistory.all().delete()
    await RescoreRun.all().delete()
    started = time.perf_counter()
    first = await rescore_city(resume=False)
    scratch = time.perf_counter() - started
    memory_after_first = peak_mb()
    started = time.perf_counter()
    second = await rescore_city(resume=False)
    nightly = time.perf_counter() - started
    top = await bulk.max_person_with_records()
    rng = random.Random(5)
    sample = []
    for _ in range(300):
        pid = rng.randrange(1, top + 1)
        t0 = time.perf_counter()
        await rescore_person(person_id=pid, cause="record")
        sample.append((time.perf_counter() - t0) * 1000)
    sample.sort()
    return {
        "people_in_register": people,
        "records": records,
        "people_scored": first.people,
        "from_scratch_seconds": round(scratch, 1),
        "scores_written": first.changed,
        "nightly_no_change_seconds": round(nightly, 1),
        "nightly_changed": second.changed,
        "peak_rss_mb": round(max(memory_after_first, peak_mb())),
        "one_person_ms_median": round(statistics.median(sample), 2),
        "one_person_ms_p95": round(sample[int(len(sample) * 0.95)], 2),
    }


def main() -> None:
    result = asyncio.run(with_orm(load_settings(), bench))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
