"""The one way a workflow changes state.

Each workflow declares its states (a `StrEnum`) and a `Workflow`: which state may move to which.
`apply` moves one row as a conditional update, `UPDATE … SET status = :to WHERE id = :id AND
status = :from`, in one transaction with the change's audit entry. Two decisions arriving at
once both read "applied", but only one update matches: the other gets a `Conflict` with the
workflow's named reason and writes nothing. Read-check-write is how decisions get applied twice.

`core` knows no feature, so the caller hands in the audit entry as a coroutine function
(`record`), which runs inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from tortoise.models import Model
from tortoise.transactions import in_transaction

from . import clock
from .errors import Conflict, NotFound

S = TypeVar("S", bound=StrEnum)
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Workflow(Generic[S]):
    """A state machine: `moves[state]` is the set of states it may move to."""

    name: str
    moves: Mapping[S, frozenset[S]]
    status_field: str = "status"
    # The public reason when an item is not in a state the move starts from.
    conflict_reason: str = "already_decided"
    reasons: Mapping[S, str] = field(default_factory=dict)
    # The reason when the item is closed (no move left from its state), if the workflow has
    # one word for that whatever was asked (a case: `case_closed`).
    closed_reason: str | None = None

    def allowed(self, source: S, target: S) -> bool:
        return target in self.moves.get(source, frozenset())

    def reason_for(self, current: S, target: S) -> str:
        """Why `current` cannot become `target`: the closed reason for an item with no move
        left (where the workflow has one), else the reason named for the target."""
        if self.closed_reason and not self.moves.get(current):
            return self.closed_reason
        return self.reasons.get(target, self.conflict_reason)

    def sources(self, target: S) -> frozenset[S]:
        return frozenset(s for s, targets in self.moves.items() if target in targets)

    def check(self) -> None:
        """Every state named in a move is a state of the enum (tests call this)."""
        for source, targets in self.moves.items():
            for state in (source, *targets):
                assert state in type(source), f"{self.name}: {state!r} is not a state"


async def apply(
    workflow: Workflow[S],
    model: type[M],
    *,
    item_id: int,
    to: S,
    record: Callable[[M, S], Awaitable[object]],
    changes: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> M:
    """Move item `item_id` of `model` to state `to` from whichever allowed state it is in.

    `where` narrows the row (e.g. `partner_id` for another partner's offer → not found);
    `changes` are set together with the state; `record(item, from_state)` writes the audit
    entry inside the transaction. Returns the item as it is after the change."""
    status = workflow.status_field
    scope = {"id": item_id, **(where or {})}
    async with in_transaction():
        item = await model.filter(**scope).first()
        if item is None:
            raise NotFound(f"no such {workflow.name}")
        current = type(to)(getattr(item, status))
        if not workflow.allowed(current, to):
            raise Conflict(
                f"this {workflow.name} is {current.value} and cannot become {to.value}",
                reason=reason or workflow.reason_for(current, to),
                state=current.value,
            )
        values = {status: to.value, **(changes or {})}
        updated = await model.filter(**scope, **{status: current.value}).update(**values)
        if updated != 1:  # another decision moved it first
            raise Conflict(
                f"this {workflow.name} was changed at the same moment; reload it",
                reason=reason or workflow.reasons.get(to, workflow.conflict_reason),
            )
        for name, value in values.items():
            setattr(item, name, value)
        await record(item, current)
    return item


def step(history: list[dict[str, Any]], to: StrEnum, by: str = "") -> list[dict[str, Any]]:
    """A case's timeline with one more step (stored with the change that makes it)."""
    from_now = {"status": to.value, "at": _now_iso()}
    return [*history, {**from_now, "by": by} if by else from_now]


def _now_iso() -> str:
    return clock.now().isoformat(timespec="seconds")
