"""The app's periodic jobs (expiry, deadline sweeps), each in its own loop. Every job is safe
to run in several processes at once: each due change is a conditional update, made once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger("xinyi.periodic")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Awaitable[object]]
    every_seconds: float


async def _loop(job: Job) -> None:
    while True:
        try:
            await job.run()
        except Exception:  # keep the loop alive; the next tick retries
            log.exception("periodic job %s failed", job.name)
        await asyncio.sleep(job.every_seconds)


@contextlib.asynccontextmanager
async def background(enabled: bool, jobs: Sequence[Job]) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(_loop(job)) for job in jobs] if enabled else []
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
