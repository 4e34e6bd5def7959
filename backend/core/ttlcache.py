"""A tiny per-process cache with expiry, for hot reads that may be a few seconds stale
(API tokens, partners, live offers), and the shared generations that keep such caches honest
across app processes.

A cache made with `shared="name"` belongs to a channel. A writer that changes what the cache
decides (a token revoked, a partner suspended, an offer withdrawn) calls `await
cache.invalidate(key)`: this process forgets at once, and the channel's generation — a counter
in a shared store (a database row, `platform.shared`) — goes up by one. Every process reads the
generations at most every `GENERATIONS.every` seconds, on the first cache read after that time,
and empties a channel's caches whose generation moved. The per-read cost is one clock read and
one comparison; the delay before another process stops using a stale entry is at most
`every` plus the time of that one read (docs/operations.md, "Several processes"). Without a
store (a bare test, a one-process tool) the caches are per-process, as they always were, and
the expiry still bounds staleness."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Generic, Protocol, TypeVar

V = TypeVar("V")

CHECK_SECONDS = 0.5  # how often a process looks at the shared generations (at most)


class GenerationStore(Protocol):
    async def read(self) -> Mapping[str, int]: ...

    async def bump(self, name: str) -> None: ...


class _Forgettable(Protocol):
    def forget(self, key: Hashable | None = None) -> None: ...


class SharedGenerations:
    """The process's view of the shared generations: what it last saw per channel, and the
    caches of each channel. The app factory hands it its store (`use`)."""

    def __init__(self) -> None:
        self.store: GenerationStore | None = None
        self.every = CHECK_SECONDS
        self._next_check = 0.0
        self._seen: dict[str, int] = {}
        self._caches: dict[str, list[_Forgettable]] = {}

    def use(self, store: GenerationStore | None, every: float = CHECK_SECONDS) -> None:
        """A new store (an app starting, on its database): what the caches hold came from
        another one, or from before — forget it all (a fresh database has no generation rows
        yet, so the first check would not)."""
        self.store, self.every = store, every
        self._next_check, self._seen = 0.0, {}
        for caches in self._caches.values():
            for cache in caches:
                cache.forget()

    def register(self, name: str, cache: _Forgettable) -> None:
        self._caches.setdefault(name, []).append(cache)

    async def check(self, now: float | None = None) -> None:
        """Empty the caches of every channel whose generation moved since the last look;
        does nothing until `every` seconds have passed since then."""
        store = self.store
        moment = time.monotonic() if now is None else now
        if store is None or moment < self._next_check:
            return
        # Set before the read: requests meanwhile do not all read again.
        self._next_check = moment + self.every
        try:
            values = await store.read()
        except BaseException:
            self._next_check = 0.0  # unknown freshness: the next read tries again
            raise
        for name, value in values.items():
            if self._seen.get(name) != value:
                self._seen[name] = value
                for cache in self._caches.get(name, ()):
                    cache.forget()

    async def bump(self, name: str) -> None:
        if self.store is not None:
            await self.store.bump(name)


GENERATIONS = SharedGenerations()


class TTLCache(Generic[V]):
    def __init__(self, seconds: float, max_items: int = 10_000, *, shared: str = "") -> None:
        self.seconds = seconds
        self.max_items = max_items
        self.shared = shared
        self._items: dict[Hashable, tuple[float, V]] = {}
        # Moves on every forget: a load that began before a forget does not store its (maybe
        # stale) answer after it.
        self._epoch = 0
        if shared:
            GENERATIONS.register(shared, self)

    async def get(self, key: Hashable, load: Callable[[], Awaitable[V]]) -> V:
        now = time.monotonic()
        if self.shared:
            await GENERATIONS.check(now)
        hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        epoch = self._epoch
        value = await load()
        if epoch == self._epoch:
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[key] = (now + self.seconds, value)
        return value

    def forget(self, key: Hashable | None = None) -> None:
        """Forget in this process only (a change other processes need not hear about soon)."""
        self._epoch += 1
        if key is None:
            self._items.clear()
        else:
            self._items.pop(key, None)

    async def invalidate(self, key: Hashable | None = None) -> None:
        """Forget here and tell every process (the channel's generation goes up)."""
        self.forget(key)
        if self.shared:
            await GENERATIONS.bump(self.shared)
