"""Token buckets for API keys (e.g. a partner's verification calls).

`RateLimiter` keeps its buckets in this process (the anonymous report check uses it: a flood
there is slowed per process). `SharedRateLimiter` keeps one bucket per key for all the app's
processes in a shared store (`platform.shared`: a row per key in the database) and spends it
locally: when a process has no token left for a key it leases a small slice of the shared
bucket (one conditional UPDATE) and spends that slice without asking again. The per-request
cost is a dictionary look-up; the store is asked once per slice, and once per refill time
after a refusal (a flood of refused calls does not reach the database either).

What that costs in precision, with P processes and a slice of S tokens (docs/partner-api.md):
every token spent was first taken from the shared bucket, so over any span of T seconds a key
gets at most `burst + rate × T + P × (S - 1)` calls — the last term is what other processes
leased earlier and still hold. Held tokens are also why a key can be refused by one process
(the bucket is empty) while another still holds up to S - 1 of them."""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Protocol

from .errors import TooManyRequests

LEASE_SECONDS = 0.1  # a slice is about this much of the key's rate …
MAX_SLICE = 1000  # … and never more than this many tokens (nor more than the burst)


def _refuse(wait_seconds: float) -> TooManyRequests:
    wait = int(wait_seconds) + 1
    return TooManyRequests(
        "this API key is over its rate limit",
        headers={"Retry-After": str(wait)},
        retry_after=wait,
    )


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self._buckets: dict[str, Bucket] = {}

    def take(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens < 1:
            raise _refuse((1 - bucket.tokens) / self.rate)
        bucket.tokens -= 1

    async def acquire(self, key: str) -> None:
        self.take(key)


@dataclass(frozen=True)
class Grant:
    tokens: int  # how many tokens were taken from the shared bucket (0: refused)
    wait: float = 0.0  # refused: seconds until the bucket holds a whole token again


class LeaseStore(Protocol):
    async def lease(self, key: str, *, want: int, rate: float, burst: int, now: float) -> Grant:
        """Take up to `want` whole tokens from the key's shared bucket (full at first, refilled
        at `rate` per second up to `burst`, `now` in seconds since the epoch)."""
        ...


@dataclass
class _Held:
    tokens: int = 0
    refused_until: float = 0.0  # monotonic: the store said "empty" until then


class SharedRateLimiter:
    def __init__(self, rate: float, burst: int, store: LeaseStore) -> None:
        self.rate, self.burst = rate, burst
        self.store = store
        self._held: dict[str, _Held] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def slice(self) -> int:
        """How many tokens one lease asks for."""
        return max(1, min(MAX_SLICE, int(self.burst), math.ceil(self.rate * LEASE_SECONDS)))

    async def acquire(self, key: str) -> None:
        held = self._held.get(key)
        if held is not None and held.tokens > 0:
            held.tokens -= 1
            return
        if held is not None and time.monotonic() < held.refused_until:
            raise _refuse(held.refused_until - time.monotonic())
        # One lease per key at a time in this process: the calls waiting behind it spend it.
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            held = self._held.setdefault(key, _Held())
            if held.tokens > 0:
                held.tokens -= 1
                return
            if time.monotonic() < held.refused_until:
                raise _refuse(held.refused_until - time.monotonic())
            grant = await self.store.lease(
                key, want=self.slice(), rate=self.rate, burst=int(self.burst), now=time.time()
            )
            if grant.tokens <= 0:
                held.refused_until = time.monotonic() + grant.wait
                raise _refuse(grant.wait)
            held.tokens = grant.tokens - 1


class KeyLimiter(Protocol):
    """What the routes need of `app.state.api_key_limiter` (either limiter above)."""

    rate: float
    burst: int

    async def acquire(self, key: str) -> None: ...
