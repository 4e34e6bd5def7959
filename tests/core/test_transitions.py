"""The one transition helper: a move the table does not allow is refused with the named reason;
of two moves that both read the old state, the conditional update lets exactly one through,
with one audit entry (SQLite serialises transactions, so the race is forced here by letting
both read before either writes)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from backend.audit import service as audit
from backend.audit.models import AuditEntry
from backend.core import clock, transitions
from backend.core.errors import Conflict, NotFound
from backend.credit.models import ListEntry, ListStatus
from backend.credit.states import LIST_ENTRY


async def proposal() -> ListEntry:
    return await ListEntry.create(
        person_id=1, kind="gray", source="manual", reason="r", start=clock.today(),
        status=ListStatus.PROPOSED.value,
    )  # fmt: skip


async def audited(item: ListEntry, was: ListStatus) -> None:
    await audit.record(action="test.moved", actor_label="test", details={"from": was.value})


async def test_a_move_the_table_does_not_allow_is_refused_by_name(app: Any) -> None:
    entry = await proposal()
    with pytest.raises(Conflict) as refused:
        await transitions.apply(
            LIST_ENTRY, ListEntry, item_id=entry.id, to=ListStatus.LIFTED, record=audited
        )
    assert refused.value.extra["reason"] == "no_lift_proposal"
    assert refused.value.extra["state"] == "proposed"
    with pytest.raises(NotFound):
        await transitions.apply(
            LIST_ENTRY, ListEntry, item_id=entry.id, to=ListStatus.ACTIVE, record=audited,
            where={"person_id": 2},
        )  # fmt: skip
    assert (await ListEntry.get(id=entry.id)).status == "proposed"
    assert await AuditEntry.filter(action="test.moved").count() == 0


async def test_of_two_moves_that_read_the_same_state_one_wins(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await proposal()
    both_read = asyncio.Barrier(2)

    @contextlib.asynccontextmanager
    async def no_lock() -> AsyncIterator[None]:  # no transaction: reads interleave freely
        yield

    real_filter = ListEntry.filter

    class Racing:
        """ListEntry.filter whose first() waits until both movers have read."""

        def __init__(self, query: Any) -> None:
            self.query = query

        async def first(self) -> Any:
            found = await self.query.first()
            await both_read.wait()
            return found

        async def update(self, **values: Any) -> int:
            return int(await self.query.update(**values))

    monkeypatch.setattr(transitions, "in_transaction", no_lock)
    monkeypatch.setattr(
        ListEntry, "filter", classmethod(lambda cls, **kw: Racing(real_filter(**kw)))
    )
    results = await asyncio.gather(
        transitions.apply(LIST_ENTRY, ListEntry, item_id=entry.id, to=ListStatus.ACTIVE,
                          record=audited),
        transitions.apply(LIST_ENTRY, ListEntry, item_id=entry.id, to=ListStatus.REJECTED,
                          record=audited),
        return_exceptions=True,
    )  # fmt: skip
    monkeypatch.undo()
    conflicts = [r for r in results if isinstance(r, Conflict)]
    moved = [r for r in results if isinstance(r, ListEntry)]
    assert len(conflicts) == 1 and len(moved) == 1, results
    assert conflicts[0].extra["reason"] == "already_decided"
    stored = await ListEntry.get(id=entry.id)
    assert stored.status == moved[0].status
    assert await AuditEntry.filter(action="test.moved").count() == 1


def test_a_case_timeline_gains_one_step_per_move() -> None:
    history = transitions.step([], ListStatus.PROPOSED)
    history = transitions.step(history, ListStatus.ACTIVE, by="officer")
    assert [(s["status"], s.get("by")) for s in history] == [
        ("proposed", None),
        ("active", "officer"),
    ]
