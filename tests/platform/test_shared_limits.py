"""The store every app process shares (`platform.shared`): leases from one bucket per key, and
the generations that empty access caches everywhere. Several limiters and caches in one test
stand for several processes; `test_several_processes.py` runs real ones."""

from __future__ import annotations

import asyncio
import time

import pytest

from backend.core.errors import TooManyRequests
from backend.core.ratelimit import Grant, SharedRateLimiter
from backend.core.ttlcache import GENERATIONS, TTLCache
from backend.platform.models import RateBucket
from backend.platform.shared import DatabaseGenerations, DatabaseLeases


class CountingLeases:
    def __init__(self, store: DatabaseLeases) -> None:
        self.store, self.calls = store, 0

    async def lease(self, key: str, *, want: int, rate: float, burst: int, now: float) -> Grant:
        self.calls += 1
        return await self.store.lease(key, want=want, rate=rate, burst=burst, now=now)


async def test_a_bucket_is_leased_in_slices_and_refilled_at_its_rate(app) -> None:
    leases = DatabaseLeases()
    t = 1_900_000_000.0
    grants = [(await leases.lease("k", want=5, rate=10, burst=12, now=t)).tokens for _ in range(4)]
    assert grants == [5, 5, 2, 0]  # a full bucket of 12, then nothing
    refused = await leases.lease("k", want=5, rate=10, burst=12, now=t)
    assert refused.tokens == 0 and refused.wait == pytest.approx(0.1)
    assert (await leases.lease("k", want=5, rate=10, burst=12, now=t + 0.35)).tokens == 3
    # Never more than the burst, however long the key was idle.
    assert (await leases.lease("k", want=50, rate=10, burst=12, now=t + 3600)).tokens == 12
    row = await RateBucket.get(key="k")
    assert row.tokens_milli == 0 and row.updated_us == int((t + 3600) * 1_000_000)


async def test_two_processes_share_one_limit_within_their_held_slices(app) -> None:
    store = CountingLeases(DatabaseLeases())
    first = SharedRateLimiter(rate=50, burst=20, store=store)
    second = SharedRateLimiter(rate=50, burst=20, store=store)
    assert first.slice() == 5
    allowed = refused = 0
    started = time.monotonic()
    for _ in range(20):
        for limiter in (first, second):
            try:
                await limiter.acquire("token:1")
                allowed += 1
            except TooManyRequests as exc:
                refused += 1
                assert exc.headers["Retry-After"] == "1"
    elapsed = time.monotonic() - started
    # Per-process buckets would have let 40 through. Shared: the bucket (20), what refilled
    # meanwhile, and at most slice - 1 held by each limiter (docs/partner-api.md).
    assert 20 <= allowed <= 20 + 2 * 4 + int(50 * elapsed) + 1, (allowed, elapsed)
    assert refused == 40 - allowed
    # Calls are spent locally: the store is asked about once per slice, and refusals are
    # remembered until the bucket holds a token again (not asked once per refused call).
    assert store.calls <= allowed // 5 + 2 + 2 * (1 + int(50 * elapsed)), store.calls


async def test_a_process_asks_once_for_its_waiting_calls(app) -> None:
    store = CountingLeases(DatabaseLeases())
    limiter = SharedRateLimiter(rate=50, burst=100, store=store)
    await asyncio.gather(*(limiter.acquire("token:2") for _ in range(5)))
    assert store.calls == 1  # one lease of 5, spent by the four that waited behind it


async def test_a_bump_elsewhere_empties_this_process_cache(app) -> None:
    loads: list[int] = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    cache: TTLCache[int] = TTLCache(60, shared="test-channel")
    GENERATIONS.use(DatabaseGenerations(), every=3600)  # only explicit checks below
    await GENERATIONS.check(now=time.monotonic())  # seen: the generations as they are
    assert await cache.get("a", load) == 1
    assert await cache.get("a", load) == 1  # cached
    await DatabaseGenerations().bump("test-channel")  # "another process" revoked something
    assert await cache.get("a", load) == 1  # not looked at before the interval ends
    await GENERATIONS.check(now=time.monotonic() + 3601)
    assert await cache.get("a", load) == 2  # the generation moved: loaded again
    await DatabaseGenerations().bump("test-channel")
    await cache.invalidate("a")  # this process: forgets at once and bumps for the others
    assert await cache.get("a", load) == 3
    values = await DatabaseGenerations().read()
    assert values["test-channel"] == 3


async def test_a_load_that_began_before_a_forget_is_not_kept(app) -> None:
    cache: TTLCache[str] = TTLCache(60)
    gate = asyncio.Event()

    async def slow() -> str:
        await gate.wait()
        return "stale"

    pending = asyncio.create_task(cache.get("k", slow))
    await asyncio.sleep(0)
    cache.forget()  # e.g. a revocation committed while the slow read was under way
    gate.set()
    assert await pending == "stale"

    async def fresh() -> str:
        return "fresh"

    assert await cache.get("k", fresh) == "fresh"
