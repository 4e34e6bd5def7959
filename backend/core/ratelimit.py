"""Per-process token buckets for API keys (e.g. a partner's verification calls). With
several app processes the effective limit is the sum; see docs/partner-api.md."""

from __future__ import annotations

import time
from dataclasses import dataclass

from .errors import TooManyRequests


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
            wait = int((1 - bucket.tokens) / self.rate) + 1
            raise TooManyRequests(
                "this API key is over its rate limit",
                headers={"Retry-After": str(wait)},
                retry_after=wait,
            )
        bucket.tokens -= 1
