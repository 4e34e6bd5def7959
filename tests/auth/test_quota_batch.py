"""Counting many quota uses at once (`auth.quota.take_many`, used by the audit group commit of
verifications): repeats are counted in order, each refusal is answered to its own use, and a
refused use is not counted."""

from __future__ import annotations

import asyncio
import datetime as dt

from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.auth import quota
from backend.auth.quota import Quota
from backend.core import clock
from backend.core.errors import TooManyRequests

TWO = Quota("batch-test", 2, dt.timedelta(hours=1), "too many")


async def test_repeats_in_one_batch_are_counted_in_order(app) -> None:
    start = clock.now()  # `used` reads the window against the clock
    answers = await quota.take_many(TWO, ["a", "b", "a", "a", "b"], start)
    assert [type(a).__name__ if a else None for a in answers] == [
        None, None, None, "TooManyRequests", None,
    ]  # fmt: skip
    assert await quota.used(TWO, "a") == 2 and await quota.used(TWO, "b") == 2
    refused = answers[3]
    assert isinstance(refused, TooManyRequests) and refused.status == 429
    assert 3500 < int(refused.headers["Retry-After"]) <= 3601
    later = await quota.take_many(TWO, ["a"], start + dt.timedelta(minutes=61))
    assert later == [None]  # a new window


async def test_a_guarded_entry_is_written_only_when_its_guard_allows(app) -> None:
    async def allow_even(subjects: list[int]) -> list[TooManyRequests | None]:
        return [None if s % 2 == 0 else TooManyRequests("odd") for s in subjects]

    async def one(n: int) -> str:
        try:
            await audit.record(action="pass.verified", guard=audit.Guard(allow_even, n))
        except TooManyRequests:
            return "refused"
        return "written"

    results = await asyncio.gather(*(one(n) for n in range(4)))  # one batch
    assert results == ["written", "refused", "written", "refused"]
    assert await AuditEntry.filter(action="pass.verified").count() == 2
    assert (await audit.verify_chain()).ok


async def test_a_planned_guard_counts_a_batch_as_its_check_does(app) -> None:
    """With `plan`, a SQLite batch runs as one call on the database's thread (PostgreSQL runs
    the check): the same answers, each refused use uncounted, the chain intact."""

    async def check(subjects: list[str]) -> list[TooManyRequests | None]:
        return await quota.take_many(TWO, subjects)

    def plan(subjects: list[str]) -> audit.GuardPlan:
        return quota.plan_many(TWO, subjects)

    async def one(subject: str) -> str:
        try:
            await audit.record(action="pass.verified", guard=audit.Guard(check, subject, plan=plan))
        except TooManyRequests as refused:
            assert refused.status == 429 and 3500 < int(refused.headers["Retry-After"]) <= 3601
            return "refused"
        return "written"

    await audit.record(action="before")  # the head exists, so the batch below is one
    results = await asyncio.gather(*(one(s) for s in ["a", "b", "a", "a", "b", "c"]))
    assert results == ["written", "written", "written", "refused", "written", "written"]
    assert await quota.used(TWO, "a") == 2 and await quota.used(TWO, "c") == 1
    assert await AuditEntry.filter(action="pass.verified").count() == 5
    assert (await audit.verify_chain()).ok
