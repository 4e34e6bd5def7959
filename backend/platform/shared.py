"""The database as the store every app process shares for the partner rate limit
(`core.ratelimit.SharedRateLimiter`) and the generations of the access caches
(`core.ttlcache`). Both are asked rarely — once per leased slice, once per check interval —
so a round trip here is not on every request (docs/operations.md, "Several processes")."""

from __future__ import annotations

from collections.abc import Mapping

from tortoise.expressions import F

from ..core.ratelimit import Grant
from .models import RateBucket, SharedGeneration

# Compare-and-set attempts before a lease gives up (each failure means another process took
# tokens between our read and our write; eight in a row would take a stampede).
ATTEMPTS = 8


class DatabaseLeases:
    """Leases from a row per key: read the bucket, refill it for the time elapsed, and take
    the tokens by an UPDATE that matches only the values read (no lock held, nothing to roll
    back; a lost race reads again). A refusal writes nothing."""

    async def lease(self, key: str, *, want: int, rate: float, burst: int, now: float) -> Grant:
        now_us = int(now * 1_000_000)
        cap = max(1, burst) * 1000
        for _ in range(ATTEMPTS):
            row = await RateBucket.filter(key=key).values_list("tokens_milli", "updated_us")
            if not row:
                # A new key starts with a full bucket; a concurrent first lease may win.
                await RateBucket.bulk_create(
                    [RateBucket(key=key, tokens_milli=cap, updated_us=now_us)],
                    ignore_conflicts=True,
                )
                continue
            tokens, updated = (int(v) for v in row[0])
            elapsed_us = max(0, now_us - updated)  # another host's clock may run ahead
            have = min(cap, tokens + int(elapsed_us * rate / 1000))
            grant = min(want, have // 1000)
            if grant <= 0:
                return Grant(0, (1000 - have) / 1000 / rate if rate > 0 else 3600.0)
            taken = await RateBucket.filter(
                key=key, tokens_milli=tokens, updated_us=updated
            ).update(tokens_milli=have - grant * 1000, updated_us=max(now_us, updated))
            if taken:
                return Grant(grant)
        return Grant(0, 1 / rate if rate > 0 else 3600.0)


class DatabaseGenerations:
    """A row per channel; `bump` adds one, `read` answers them all (a handful of rows)."""

    async def read(self) -> Mapping[str, int]:
        rows = await SharedGeneration.all().values_list("name", "value")
        return {str(name): int(value) for name, value in rows}

    async def bump(self, name: str) -> None:
        if await SharedGeneration.filter(name=name).update(value=F("value") + 1):
            return
        await SharedGeneration.bulk_create(
            [SharedGeneration(name=name, value=0)], ignore_conflicts=True
        )
        await SharedGeneration.filter(name=name).update(value=F("value") + 1)
