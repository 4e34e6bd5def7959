"""A stolen database without the keys does not give ID numbers back.

The demo city is seeded, residents, an officer and a department use it, and then every table
is read as a thief would read it: no ID number, nor a long piece of one, is stored anywhere,
and what is stored in clear about a person (plus the masked form an insider sees on screen)
leaves at least 10,000 valid ID numbers for every person — counted by brute force over the
positions left open, with the MOD 11-2 check character. The same count on what the register
used to store (area, birth date, last four) finds the one number, so the count is a real test.
The lookup hash cannot be joined with candidate numbers without the HMAC key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from functools import cache

import httpx
import pytest
from tortoise import Tortoise

from backend.core import bulk, clock
from backend.core.city import load_city
from backend.core.crypto import IdCipher, UnboundCiphertext
from backend.core.settings import Settings
from backend.demo.city import seed_demo
from backend.residents import idnumber, register
from backend.residents.models import Person
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import make_staff
from tests.office.helpers import submit, token

BOUND = 10_000
RESIDENTS = 240
# Every column `person` has. A new one must be added here, and to the attack below.
# status and register_seq: the register feed's standing (active / moved out / deceased) and the
# population database's change number — neither is derived from the ID number.
PERSON_COLUMNS = {"id", "id_hash", "id_encrypted", "name", "birth_year", "district_code",
                  "created_at", "status", "register_seq"}  # fmt: skip
OPAQUE = {("person", "id_hash"), ("person", "id_encrypted")}  # useless without the keys


@cache
def _day_sums(year: int, until: dt.date) -> Counter[int]:
    """Weighted MOD 11 sums of the MMDD digits (positions 10–13) over the year's real days."""
    sums: Counter[int] = Counter()
    day = dt.date(year, 1, 1)
    while day.year == year and day <= until:
        digits = f"{day:%m%d}"
        sums[
            sum(int(c) * w for c, w in zip(digits, idnumber.WEIGHTS[10:14], strict=True)) % 11
        ] += 1
        day += dt.timedelta(days=1)
    return sums


@cache
def _sequence_sums(parity: int | None) -> Counter[int]:
    sums: Counter[int] = Counter()
    for seq in range(1000):
        if parity is None or seq % 2 == parity:
            digits = f"{seq:03d}"
            sums[
                sum(int(c) * w for c, w in zip(digits, idnumber.WEIGHTS[14:17], strict=True)) % 11
            ] += 1
    return sums


def candidates(
    *,
    areas: list[str],
    year: int,
    days: list[dt.date] | None = None,
    sequences: list[int] | None = None,
    parity: int | None = None,
    check: str | None = None,
) -> int:
    """How many valid ID numbers agree with what is known: each area, each real day of the
    year (or the given days), each sequence number (or the given ones, or those of one sex),
    and, when one is known, the check character."""
    today = clock.today()
    if days is None:
        day_sums = _day_sums(year, today)
    else:
        day_sums = Counter(
            sum(int(c) * w for c, w in zip(f"{d:%m%d}", idnumber.WEIGHTS[10:14], strict=True)) % 11
            for d in days
        )
    if sequences is None:
        seq_sums = _sequence_sums(parity)
    else:
        seq_sums = Counter(
            sum(int(c) * w for c, w in zip(f"{s:03d}", idnumber.WEIGHTS[14:17], strict=True)) % 11
            for s in sequences
        )
    total = 0
    for area in areas:
        prefix = f"{area}{year:04d}"
        base = sum(int(c) * w for c, w in zip(prefix, idnumber.WEIGHTS[:10], strict=True))
        for d, nd in day_sums.items():
            for s, ns in seq_sums.items():
                if check is None or idnumber.CHECK_CHARS[(base + d + s) % 11] == check:
                    total += nd * ns
    return total


def _agrees(number: str, *, areas: list[str], year: int, parity: int | None, check: str | None):
    """The true number is one of the candidates: the attack leaves nobody out."""
    return (
        number[:6] in areas
        and int(number[6:10]) == year
        and (parity is None or int(number[16]) % 2 == parity)
        and (check is None or number[17] == check)
    )


def test_the_count_finds_what_the_old_register_gave_away() -> None:
    number = idnumber.make("420281", dt.date(1985, 6, 15), 123)
    born = idnumber.parse(number).birth_date
    # Area, birth date and last four, as `person` stored them: the one number.
    assert candidates(areas=[number[:6]], year=1985, days=[born],
                      sequences=[int(number[14:17])], check=number[17]) == 1  # fmt: skip
    # Birth year with the first and last four (the note): a few hundred in one city.
    city_areas = [d.code for d in load_city_districts() if d.code.startswith(number[:4])]
    few = candidates(areas=city_areas, year=1985, sequences=[int(number[14:17])], check=number[17])
    assert 100 < few < BOUND
    # What is stored now, plus the masked form and a guessed sex.
    shown = idnumber.mask(number)
    now = candidates(areas=[shown[:6]], year=int(shown[6:10]), parity=1, check=shown[17])
    assert now >= BOUND


def load_city_districts():
    return load_city(Settings().city_file).districts


async def _dump() -> dict[str, list[dict[str, object]]]:
    """Every row of every table, as read with SQL and no key."""
    tables = sorted({m._meta.db_table for m in Tortoise.apps["xinyi"].values()})
    return {t: await bulk.fetch(f'SELECT * FROM "{t}"', []) for t in tables}


def _text(value: object) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "ignore")
    return str(value)


async def _use_the_city(client: httpx.AsyncClient, officer_client: httpx.AsyncClient) -> None:
    """Leave the traces real use leaves: an enrolment, failed matches, a department batch,
    an officer's look-up with its purpose, a counter code."""
    people = await Person.all().order_by("id").limit(4)
    numbers = [register.id_number_of(p) for p in people]
    phone = SoftAuthenticator(origin=ORIGIN)
    start = await client.post(
        "/api/v1/enrolment/start", json={"name": people[0].name, "id_number": numbers[0]}
    )
    assert start.status_code == 200, start.text
    finish = await client.post("/api/v1/enrolment/finish", json=phone.create(start.json()))
    assert finish.status_code == 200, finish.text
    wrong = await client.post(
        "/api/v1/enrolment/start", json={"name": "不是我", "id_number": numbers[1]}
    )
    assert wrong.status_code in (401, 403, 404, 422), wrong.text
    today = (clock.today() - dt.timedelta(days=10)).isoformat()
    await submit(client, "health", [{"external_id": "R-1", "id_number": numbers[2],
                                      "type": "PRO_BLOOD_DONATION", "decision_date": today,
                                      "decision_doc_no": "DOC-R-1"}])  # fmt: skip
    await make_staff(officer_client, SoftAuthenticator(origin=ORIGIN), ["officer"], "王核查")
    look = await officer_client.post(
        "/office/people",
        data={
            "csrf_token": token(officer_client),
            "id_number": numbers[3],
            "purpose": "objection",
            "purpose_detail": "异议复核",
        },
    )
    assert look.status_code == 200, look.text


async def test_a_dump_without_the_keys_leaves_every_person_ten_thousand_candidates(
    app, settings, client, other_client
) -> None:
    await seed_demo(settings, RESIDENTS, 2026)
    await _use_the_city(client, other_client)
    cipher: IdCipher = app.state.ctx.cipher
    dump = await _dump()
    people = dump["person"]
    assert len(people) == RESIDENTS
    assert set(people[0]) == PERSON_COLUMNS  # nothing else is kept about a person

    numbers = {
        int(row["id"]): cipher.decrypt(bytes(row["id_encrypted"]), bound_to=str(row["id_hash"]))
        for row in people
    }
    # 1. No number, nor a long piece of one, nor the old or new masked form, in any cell.
    cells = "\n".join(
        _text(value)
        for table, rows in dump.items()
        for row in rows
        for column, value in row.items()
        if (table, column) not in OPAQUE
    )
    assert not re.search(r"\d{4}\*{10}[\dX]{4}|\d{10}\*{7}[\dX]", cells)  # no mask is stored
    for number in numbers.values():
        born = idnumber.parse(number).birth_date
        for piece in (number, number[:17], number[:14], number[6:], number[10:],
                      f"{born:%Y%m%d}", born.isoformat()):  # fmt: skip
            assert piece not in cells, f"{piece} of a person's ID number is stored in clear"

    # 2. What is in clear about each person, and what an insider sees on screen, leaves at
    #    least 10,000 numbers (sex guessed right from the name, the worst case).
    districts = [d.code for d in load_city(settings.city_file).districts]
    fewest = None
    for row in people:
        number, year = numbers[int(row["id"])], int(row["birth_year"])
        sex = int(number[16]) % 2
        guesses = [
            # the dump alone: the district taken for the number's area, the birth year
            {"areas": [str(row["district_code"])], "year": year, "parity": sex, "check": None},
            # or any area of the city
            {"areas": districts, "year": year, "parity": sex, "check": None},
            # with the masked form an officer sees: area, birth year, check character
            {
                "areas": [idnumber.mask(number)[:6]],
                "year": year,
                "parity": sex,
                "check": idnumber.mask(number)[17],
            },
        ]
        for guess in guesses:
            count = candidates(**guess)  # type: ignore[arg-type]
            if _agrees(number, **guess):  # type: ignore[arg-type]
                fewest = count if fewest is None else min(fewest, count)
            assert count >= BOUND, (row["id"], guess, count)
    assert fewest is not None and fewest >= BOUND  # and the attack did cover the truth


async def test_a_ciphertext_moved_to_another_row_does_not_decrypt(app, client) -> None:
    cipher: IdCipher = app.state.ctx.cipher
    a = await register.create_person(cipher, idnumber.make("420202", dt.date(1990, 3, 3), 11),
                                     name="甲一")  # fmt: skip
    b = await register.create_person(cipher, idnumber.make("420203", dt.date(1991, 4, 4), 12),
                                     name="乙二")  # fmt: skip
    number_a = register.id_number_of(a)
    await Person.filter(id=b.id).update(id_encrypted=a.id_encrypted)  # the swap
    moved = await Person.get(id=b.id)
    with pytest.raises(UnboundCiphertext):
        register.id_number_of(moved)
    with pytest.raises(UnboundCiphertext):
        cipher.decrypt(moved.id_encrypted, bound_to=moved.id_hash)
    assert not register.holds(moved, number_a)
    # The row whose ciphertext was replaced matches nobody at enrolment, not even its own.
    start = await client.post(
        "/api/v1/enrolment/start",
        json={"name": "乙二", "id_number": idnumber.make("420203", dt.date(1991, 4, 4), 12)},
    )
    assert start.status_code >= 400
    assert register.id_number_of(await Person.get(id=a.id)) == number_a
