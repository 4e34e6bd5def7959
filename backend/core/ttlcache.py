"""A tiny per-process cache with expiry, for hot reads that may be a few seconds stale
(API tokens, partners, live offers). Writers in this process invalidate what they change."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    def __init__(self, seconds: float, max_items: int = 10_000) -> None:
        self.seconds = seconds
        self.max_items = max_items
        self._items: dict[Hashable, tuple[float, V]] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        hit = self._items.get(key)
        now = time.monotonic()
        if hit is not None and hit[0] > now:
            return hit[1]
        value = await load()
        if len(self._items) >= self.max_items:
            self._items.clear()
        self._items[key] = (now + self.seconds, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        if key is None:
            self._items.clear()
        else:
            self._items.pop(key, None)
