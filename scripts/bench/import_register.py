"""The register feed at city scale: a synthetic export of the population database (valid,
checksummed ID numbers of the city's districts) imported into a fresh database, then the same
file again (must change nothing), then a file of 1% changes (names and districts, moves out,
deaths, new people). Prints lines/s, wall time, peak RSS of the importing process and the
load average, as JSON.

    .venv/bin/python scripts/bench/import_register.py --people 2500000
    .venv/bin/python scripts/bench/import_register.py --quick          # 3,000 people

A fresh SQLite database in a temporary DATA_DIR unless DATABASE_URL names one (it must be
empty: the export's people are created).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from rescore import RssSampler

from backend.cli import migrate, with_orm
from backend.core.city import load_city
from backend.core.settings import load_settings
from backend.population.script import import_file
from backend.residents import idnumber
from backend.residents.models import Person, PersonStatus

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
FIRST_DAY = dt.date(1940, 1, 1)
DAYS = 24_000


def number_of(i: int, districts: list[str]) -> str:
    """Person i's ID number: unique for i below 7 × 24,000 × 1,000 (district, day, sequence)."""
    area = districts[i % len(districts)]
    born = FIRST_DAY + dt.timedelta(days=(i // len(districts)) % DAYS)
    return idnumber.make(area, born, (i // (len(districts) * DAYS)) % 1000)


def name_of(i: int, salt: int = 0) -> str:
    j = i * 7 + salt
    return SURNAMES[j % 20] + GIVEN[(j // 20) % len(GIVEN)] + GIVEN[(j // 500) % len(GIVEN)]


def write_export(path: Path, people: int, districts: list[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(people):
            d = districts[(i * 3) % len(districts)]
            out.write(f'{{"seq":{i + 1},"id_number":"{number_of(i, districts)}",'
                      f'"name":"{name_of(i)}","district":"{d}"}}\n')  # fmt: skip


def write_changes(path: Path, people: int, districts: list[str]) -> dict[str, int]:
    """1% of the city: half rename or move district, a fifth move out, a tenth die, a fifth
    are new people. Sequence numbers follow the export's."""
    count = max(10, people // 100)
    step = people // count
    want = {"changed": 0, "moved_out": 0, "deceased": 0, "created": 0}
    seq = people
    with path.open("w", encoding="utf-8") as out:
        for k in range(count):
            seq += 1
            i = k * step
            kind = k % 10
            if kind < 5:
                d = districts[(i * 3 + 1) % len(districts)]
                item: dict[str, Any] = {"seq": seq, "id_number": number_of(i, districts),
                                        "name": name_of(i, 1), "district": d}  # fmt: skip
                want["changed"] += 1
            elif kind < 7:
                item = {"seq": seq, "id_number": number_of(i, districts), "change": "moved_out"}
                want["moved_out"] += 1
            elif kind < 8:
                item = {"seq": seq, "id_number": number_of(i, districts), "change": "death"}
                want["deceased"] += 1
            else:
                j = people + k
                item = {"seq": seq, "id_number": number_of(j, districts), "name": name_of(j),
                        "district": districts[0], "change": "moved_in"}  # fmt: skip
                want["created"] += 1
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return want


async def timed_import(settings: Any, path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    with RssSampler() as rss:
        result = await import_file(settings, str(path), progress=False)
    wall = time.perf_counter() - started
    result.pop("rejections")
    return {**result, "wall_s": round(wall, 1), "lines_per_s": round(result["lines"] / wall),
            "peak_rss_mb": round(rss.peak, 1), "load_avg": os.getloadavg()}  # fmt: skip


async def statuses() -> dict[str, int]:
    return {s.value: await Person.filter(status=s).count() for s in PersonStatus}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2_500_000)
    parser.add_argument("--quick", action="store_true", help="3,000 people (the test)")
    args = parser.parse_args()
    people = 3000 if args.quick else args.people
    folder = Path(tempfile.mkdtemp(prefix="xinyi-register-"))
    os.environ.setdefault("DATA_DIR", str(folder / "data"))
    settings = load_settings()
    districts = [d.code for d in load_city(settings.city_file).districts]
    export, changes = folder / "export.ndjson", folder / "changes.ndjson"
    began = time.perf_counter()
    write_export(export, people, districts)
    want = write_changes(changes, people, districts)
    generated = round(time.perf_counter() - began, 1)
    asyncio.run(migrate(settings))

    async def run() -> dict[str, Any]:
        first = await timed_import(settings, export)
        again = await timed_import(settings, export)
        delta = await timed_import(settings, changes)
        return {"first": first, "again": again, "changes": delta, "statuses": await statuses()}

    result = asyncio.run(with_orm(settings, run))
    result |= {"people": people, "changes_expected": want, "generate_s": generated,
               "export_mb": round(export.stat().st_size / 2**20, 1),
               "database": settings.resolved_database_url.split("://")[0],
               "cpus": os.cpu_count()}  # fmt: skip
    print(json.dumps(result, ensure_ascii=False))
    export.unlink()
    changes.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
