"""Repeated failed real-name matches are slowed, then locked — per client and per ID number."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from backend.auth import throttle
from backend.auth.models import Challenge, Throttle
from backend.auth.throttle import FREE_FAILURES, LOCK_AFTER, LOCK_FOR, MAX_DELAY, Verdict, assess
from backend.core import clock as city_clock
from backend.residents import idnumber
from tests.conftest import ORIGIN
from tests.factories import make_person

START = "/api/v1/enrolment/start"
T0 = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)


def s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("failures", "last_ago", "locked_for", "expected"),
    [
        (0, None, None, Verdict(True)),
        (1, 0, None, Verdict(True)),
        (FREE_FAILURES - 1, 0, None, Verdict(True)),  # the free tries cost nothing
        (FREE_FAILURES, 0, None, Verdict(False, 3)),  # then 2 s (+1 rounding up)
        (FREE_FAILURES, 1, None, Verdict(False, 2)),
        (FREE_FAILURES, 2, None, Verdict(True)),
        (FREE_FAILURES + 1, 0, None, Verdict(False, 5)),  # 4 s
        (FREE_FAILURES + 1, 4, None, Verdict(True)),
        (FREE_FAILURES + 2, 7.5, None, Verdict(False, 1)),  # 8 s
        (FREE_FAILURES + 5, 0, None, Verdict(False, 65)),  # 64 s: exponential
        (FREE_FAILURES + 20, 0, None, Verdict(False, MAX_DELAY + 1)),  # capped
        (FREE_FAILURES + 20, MAX_DELAY, None, Verdict(True)),
        (LOCK_AFTER, 0, 3600, Verdict(False, 3601)),  # locked
        (LOCK_AFTER, 1800, 1800, Verdict(False, 1801)),  # a lock outlasts the delay
        (LOCK_AFTER, 3600, 0, Verdict(True)),  # the lock has ended
        (0, None, 10, Verdict(False, 11)),  # a lock holds whatever the count
    ],
)
def test_assess(failures, last_ago, locked_for, expected) -> None:
    verdict = assess(
        failures=failures,
        last_failure_at=None if last_ago is None else T0 - s(last_ago),
        locked_until=None if locked_for is None else T0 + s(locked_for),
        now=T0,
    )
    assert verdict == expected


def test_delays_grow_then_stop_growing() -> None:
    waits = [
        assess(failures=n, last_failure_at=T0, locked_until=None, now=T0).retry_after
        for n in range(FREE_FAILURES, FREE_FAILURES + 12)
    ]
    assert waits == sorted(waits) and waits[0] < waits[3] < waits[-1] == MAX_DELAY + 1


class Clock:
    """The city's clock, moved forward by the test (conftest resets it after each test)."""

    def advance(self, seconds: float) -> None:
        city_clock.shift(s(seconds))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def client_at(app) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    """More browsers, each with its own client address."""
    made: list[httpx.AsyncClient] = []

    def make(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 5000))  # type: ignore[arg-type]
        made.append(httpx.AsyncClient(transport=transport, base_url=ORIGIN))
        return made[-1]

    yield make
    for http in made:
        await http.aclose()


def unknown_number(n: int) -> str:
    return idnumber.make("420203", dt.date(1970, 1, 1), 500 + n)


async def test_one_client_is_slowed_then_locked(client, app, clock) -> None:
    who = await make_person(app.state.ctx.cipher)
    for n in range(FREE_FAILURES):
        miss = await client.post(START, json={"name": "王五", "id_number": unknown_number(n)})
        assert miss.status_code == 422, miss.text

    slowed = await client.post(START, json={"name": "王五", "id_number": unknown_number(50)})
    assert slowed.status_code == 429
    assert slowed.headers["content-type"] == "application/problem+json"
    assert slowed.json()["code"] == "too_many_requests"
    wait = int(slowed.headers["retry-after"])
    assert wait == slowed.json()["retry_after"] and 1 <= wait <= 3

    # Waiting as told allows one more try each time; the waits grow; then a lock.
    waits = [wait]
    failures = FREE_FAILURES
    while failures < LOCK_AFTER:
        clock.advance(waits[-1])
        miss = await client.post(
            START, json={"name": "王五", "id_number": unknown_number(failures)}
        )
        assert miss.status_code == 422, miss.text
        failures += 1
        answer = await client.post(START, json={"name": "王五", "id_number": unknown_number(99)})
        assert answer.status_code == 429
        waits.append(int(answer.headers["retry-after"]))
    assert waits[:-1] == sorted(waits[:-1]) and waits[-2] > waits[0]
    assert waits[-1] > MAX_DELAY  # locked for an hour, not slowed
    assert waits[-1] == pytest.approx(LOCK_FOR.total_seconds(), abs=2)

    # While locked even the right name and number are refused from this client.
    clock.advance(MAX_DELAY + 1)
    before = await Challenge.all().count()
    right = await client.post(START, json={"name": who.name, "id_number": who.id_number})
    assert right.status_code == 429
    assert await Challenge.all().count() == before

    # After the lock the client may try again.
    clock.advance(LOCK_FOR.total_seconds())
    right = await client.post(START, json={"name": who.name, "id_number": who.id_number})
    assert right.status_code == 200, right.text


async def test_failures_for_one_id_number_are_counted_across_clients(
    client, other_client, app, client_at, clock
) -> None:
    who = await make_person(app.state.ctx.cipher)
    clients = [client, other_client, client_at("10.1.1.1"), client_at("10.1.1.2")]
    for http in clients[:FREE_FAILURES]:
        miss = await http.post(START, json={"name": "李四", "id_number": who.id_number})
        assert miss.status_code == 422

    # A fresh client guessing names for the same number is slowed too…
    fourth = await clients[FREE_FAILURES].post(
        START, json={"name": "赵六", "id_number": who.id_number}
    )
    assert fourth.status_code == 429 and "retry-after" in fourth.headers
    # …and so is the right answer, whoever sends it.
    right = await client_at("10.2.2.2").post(
        START, json={"name": who.name, "id_number": who.id_number}
    )
    assert right.status_code == 429
    # Other numbers from a fresh client are not affected.
    other = await make_person(app.state.ctx.cipher, name="刘芳", male=False)
    ok = await client_at("10.3.3.3").post(
        START, json={"name": other.name, "id_number": other.id_number}
    )
    assert ok.status_code == 200, ok.text


async def test_a_correct_match_while_throttled_is_refused(client, app, clock) -> None:
    who = await make_person(app.state.ctx.cipher)
    for _ in range(FREE_FAILURES):
        await client.post(START, json={"name": "李四", "id_number": who.id_number})
    before = await Challenge.all().count()
    right = await client.post(START, json={"name": who.name, "id_number": who.id_number})
    assert right.status_code == 429
    assert right.json()["retry_after"] >= 1
    assert await Challenge.all().count() == before  # no ceremony was started

    clock.advance(int(right.headers["retry-after"]))
    right = await client.post(START, json={"name": who.name, "id_number": who.id_number})
    assert right.status_code == 200


async def test_a_success_clears_the_id_counter_but_not_the_client_counter(
    client, app, clock
) -> None:
    who = await make_person(app.state.ctx.cipher)
    await client.post(START, json={"name": "李四", "id_number": who.id_number})
    assert await Throttle.filter(key__startswith="match:id:").count() == 1
    right = await client.post(START, json={"name": who.name, "id_number": who.id_number})
    assert right.status_code == 200
    assert await Throttle.filter(key__startswith="match:id:").count() == 0
    row = await Throttle.get(key__startswith="match:client:")
    assert row.failures == 1


async def test_old_failures_are_forgotten(client, app, clock) -> None:
    for n in range(FREE_FAILURES):
        await client.post(START, json={"name": "王五", "id_number": unknown_number(n)})
    assert (
        await client.post(START, json={"name": "王五", "id_number": unknown_number(9)})
    ).status_code == 429
    clock.advance(throttle.WINDOW.total_seconds() + 1)
    miss = await client.post(START, json={"name": "王五", "id_number": unknown_number(9)})
    assert miss.status_code == 422
    row = await Throttle.get(key__startswith="match:client:")
    assert row.failures == 1  # a new count started


async def test_id_numbers_are_not_stored_in_throttle_keys(client, app, clock) -> None:
    who = await make_person(app.state.ctx.cipher)
    await client.post(START, json={"name": "李四", "id_number": who.id_number})
    keys = await Throttle.all().values_list("key", flat=True)
    assert len(keys) == 2
    assert all(who.id_number not in k and who.id_number[-6:] not in k for k in keys)


async def test_guesses_sent_in_parallel_are_throttled_too(client, app) -> None:
    """Every attempt is counted before it is checked, under a row lock: a burst of parallel
    guesses cannot all pass the check before the first failure is written."""
    who = await make_person(app.state.ctx.cipher, name="王小明")
    guesses = [
        client.post("/api/v1/enrolment/start", json={"name": f"王{i}", "id_number": who.id_number})
        for i in range(30)
    ]
    codes = [r.status_code for r in await asyncio.gather(*guesses)]
    assert codes.count(422) <= 3 and codes.count(429) >= 27, codes
    rows = {t.key.split(":")[1]: t.failures for t in await Throttle.all()}
    assert rows["id"] == codes.count(422) and rows["client"] == codes.count(422)
