"""A deterministic synthetic Huangshi: people with plausible names and valid ID numbers of
the seven districts, ages and key occupations, plus one staff account per role.

Rows are generated in chunks by worker processes (each chunk has its own seed and its own
block of ID sequence numbers, so the output depends only on --seed and --residents) and
streamed to the database in bulk while the next chunks are generated.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
import random
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from tqdm import tqdm

from ..apitokens.service import create_token
from ..auth.staff import create_staff_account
from ..core import bulk
from ..core.city import City, load_city
from ..core.crypto import IdCipher
from ..core.permissions import STAFF_ROLES
from ..core.private import write_private
from ..core.settings import InsecureSettings, Settings
from ..credit.ingest import RECORD_COLUMNS
from ..credit.service import rescore_city
from ..residents import idnumber
from ..residents.models import Person
from .names import FEMALE_GIVEN, MALE_GIVEN, SURNAME_WEIGHTS, SURNAMES
from .partners import seed_partners
from .records import records_for_chunk

MAX_CHUNKS = 50  # 500 sequence numbers per sex / 10 per chunk
SEQ_PER_CHUNK = 10
WINDOW = 3
# What the register stores of a person: no birth date, sex or masked number (residents.models).
PERSON_COLUMNS = (
    "id", "id_hash", "id_encrypted", "name", "birth_year", "district_code", "created_at",
)  # fmt: skip
OCCUPATION_SHARE = 0.07
MOVED_SHARE = 0.15  # registered today in another district than the area code of their number
BIRTH_FROM = dt.date(1940, 1, 1)
BIRTH_TO = dt.date(2008, 12, 31)
STAFF_DEMO = {
    "officer": ("陈信用", "黄石市信用办"),
    "auditor": ("周审计", "黄石市审计局"),
    "department_submitter": ("吴报送", "黄石市市场监督管理局"),
    "partner_admin": ("郑馆长", "黄石市图书馆"),
    "counter_operator": ("孙柜员", "黄石市图书馆"),
}


DEMO_DEPARTMENTS = (
    "market_regulation",
    "court",
    "tax",
    "health",
    "culture_tourism",
    "civil_affairs",
)


async def rescore_with_progress() -> None:
    bar = tqdm(unit="ids", desc="scores", unit_scale=True)

    def progress(done: int, top: int) -> None:
        bar.total = top
        bar.n = done
        bar.refresh()

    await rescore_city(progress=progress)
    bar.close()


def chunk_plan(residents: int) -> tuple[int, int]:
    size = max(50_000, math.ceil(residents / MAX_CHUNKS))
    return size, math.ceil(residents / size) if residents else 0


ChunkArgs = tuple[
    int, int, int, int, str, str, tuple[tuple[str, float], ...], tuple[str, ...], bool
]
ChunkRows = tuple[list[tuple[Any, ...]], list[tuple[int, str]], list[tuple[Any, ...]]]


def _chunk(args: ChunkArgs) -> ChunkRows:
    chunk_no, first_id, count, seed, enc_key, hash_key, districts, groups, with_records = args
    rng = random.Random(seed * 1_000_003 + chunk_no)
    cipher = IdCipher(enc_key, hash_key)
    codes = [code for code, _ in districts]
    cum = []
    total = 0.0
    for _, share in districts:
        total += share
        cum.append(total)
    span = (BIRTH_TO - BIRTH_FROM).days
    used: dict[tuple[str, int, int], int] = {}
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    people: list[tuple[Any, ...]] = []
    jobs: list[tuple[int, str]] = []
    surname_cum = list(_cumulative(SURNAME_WEIGHTS))
    for offset in range(count):
        pid = first_id + offset
        male = rng.random() < 0.51
        area = codes[_pick(cum, rng.random() * total)]
        while True:
            day = rng.randrange(span)
            slot = (area, day, int(male))
            k = used.get(slot, 0)
            if k < SEQ_PER_CHUNK:
                used[slot] = k + 1
                break
        born = BIRTH_FROM + dt.timedelta(days=day)
        seq = (chunk_no * SEQ_PER_CHUNK + k) * 2 + (1 if male else 0)
        number = idnumber.make(area, born, seq)
        surname = SURNAMES[_pick(surname_cum, rng.random() * surname_cum[-1])]
        pool = MALE_GIVEN if male else FEMALE_GIVEN
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        lives = codes[_pick(cum, rng.random() * total)] if rng.random() < MOVED_SHARE else area
        id_hash, sealed = cipher.seal(number)
        people.append((pid, id_hash, sealed, surname + given, born.year, lives, now))
        age = 2026 - born.year
        if 22 <= age <= 62 and rng.random() < OCCUPATION_SHARE:
            jobs.append((pid, groups[rng.randrange(len(groups))]))
    records: list[tuple[Any, ...]] = []
    if with_records:
        occupation = dict(jobs)
        records = records_for_chunk(
            seed, chunk_no, [(p[0], p[4], occupation.get(p[0])) for p in people]
        )
    return people, jobs, records


def _cumulative(weights: tuple[float, ...]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def demo_people(settings: Settings, seed: int, how_many: int = 3) -> list[dict[str, str]]:
    """The first residents of chunk 0, decrypted: the demo logins."""
    city = load_city(settings.city_file)
    people, _, _ = _chunk(_chunk_args(settings, city, seed, 0, 1, min(how_many, 10), False))
    cipher = IdCipher.from_settings(settings)
    return [
        {"name": p[3], "id_number": cipher.decrypt(p[2], bound_to=p[1])} for p in people[:how_many]
    ]


def _chunk_args(
    settings: Settings,
    city: City,
    seed: int,
    chunk_no: int,
    first_id: int,
    count: int,
    records: bool,
) -> ChunkArgs:
    return (
        chunk_no,
        first_id,
        count,
        seed,
        settings.id_encryption_key,
        settings.id_hash_key,
        tuple((d.code, d.share) for d in city.districts),
        tuple(code for code, _ in city.occupation_groups),
        records,
    )


async def seed_people(
    settings: Settings, residents: int, seed: int, progress: bool = True, records: bool = True
) -> int:
    city = load_city(settings.city_file)
    size, chunks = chunk_plan(residents)
    if chunks > MAX_CHUNKS:
        raise ValueError(f"at most {MAX_CHUNKS * size} residents")
    tasks = [
        _chunk_args(settings, city, seed, c, c * size + 1, min(size, residents - c * size), records)
        for c in range(chunks)
    ]
    bar = tqdm(total=residents, unit="people", disable=not progress, desc="register")
    # At most WINDOW chunks in flight: memory stays bounded whatever --residents is.
    with ProcessPoolExecutor(max_workers=2) as pool:
        pending: deque[Future[ChunkRows]] = deque()
        queue = iter(tasks)
        for task in islice(queue, WINDOW):
            pending.append(pool.submit(_chunk, task))
        while pending:
            people, jobs, credit = await asyncio.wrap_future(pending.popleft())
            for task in islice(queue, 1):
                pending.append(pool.submit(_chunk, task))
            await bulk.insert_rows("person", PERSON_COLUMNS, people)
            await bulk.insert_rows("person_occupation", ("person_id", "group_code"), jobs)
            await bulk.insert_rows("credit_record", RECORD_COLUMNS, credit)
            bar.update(len(people))
    bar.close()
    await bulk.sync_sequence("person")
    await bulk.sync_sequence("credit_record")
    return residents


async def seed_demo(
    settings: Settings, residents: int, seed: int, if_empty: bool = False, score: bool = True
) -> dict[str, Any] | None:
    if settings.is_production:  # the demo city's logins and codes are written to a file
        raise InsecureSettings("production mode refuses to seed a demo city")
    if await Person.exists():
        if if_empty:
            return None
        raise SystemExit("the register is not empty: seed a fresh database")
    started = dt.datetime.now()
    await seed_people(settings, residents, seed)
    if score:
        await rescore_with_progress()
    staff: dict[str, dict[str, str]] = {}
    account_ids: dict[str, int] = {}
    for role in STAFF_ROLES:
        name, org = STAFF_DEMO[role.value]
        account, code = await create_staff_account(
            officer=None, display_name=name, roles=[role.value], organisation=org
        )
        account_ids[role.value] = account.id
        staff[role.value] = {
            "name": account.display_name,
            "organisation": org,
            "enrolment_code": code,
        }
    tokens = {}
    for department in DEMO_DEPARTMENTS:
        _, secret = await create_token(
            officer=None,
            kind="department",
            organisation=department,
            label="demo",
            scopes=["cases.decide", "records.submit"],
        )
        tokens[department] = secret
    partners = await seed_partners(
        admin_account_id=account_ids.get("partner_admin"),
        counter_account_id=account_ids.get("counter_operator"),
    )
    credentials = {
        "note": "Demo city only. Residents enrol at / with name + ID number; staff open "
        "/office/login and register a passkey with their one-time code (valid 24 h).",
        "residents": demo_people(settings, seed),
        "officer_code": staff["officer"]["enrolment_code"],
        "department_token": tokens["market_regulation"],
        "department_tokens": tokens,
        "partner_api_key": partners["partner_api_key"],
        "staff": staff,
    }
    path = settings.data_dir / "demo-credentials.json"
    write_private(path, json.dumps(credentials, ensure_ascii=False, indent=2))  # 0600
    seconds = (dt.datetime.now() - started).total_seconds()
    return {
        "summary": {"residents": residents, "seed": seed, "seconds": round(seconds, 1)},
        "credentials_path": str(path),
    }
