"""Announcements from a lower layer that a higher one acts on, wired by the app factory.

Credit knows when a person's standing (tier or lists) changed; passes, a layer above, must
then revoke the certificates that carry the old standing. Credit cannot import passes, so it
announces the change and `backend.app.wire` connects the pass revocation to it: the
dependency stays visible in one place and points down.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

StandingListener = Callable[[Sequence[int], str], Awaitable[object]]


class StandingChanged:
    """People whose tier or list flags changed, with a reason (`tier_or_lists_changed`…)."""

    def __init__(self) -> None:
        self._listeners: list[StandingListener] = []

    def connect(self, listener: StandingListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: StandingListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def announce(self, person_ids: Sequence[int], reason: str) -> None:
        if not person_ids:
            return
        for listener in self._listeners:
            await listener(person_ids, reason)


standing_changed = StandingChanged()
