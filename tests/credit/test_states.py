"""The list-entry and record workflows: which state may become which, and the reason a move
that is not allowed is refused with."""

from __future__ import annotations

import itertools

import pytest

from backend.credit.models import ListStatus, RecordStatus
from backend.credit.states import LIST_ENTRY, RECORD

P, A, R, L = ListStatus.PROPOSED, ListStatus.ACTIVE, ListStatus.REJECTED, ListStatus.LIFTED
LIST_MOVES = {(P, A), (P, R), (A, L)}
RECORD_MOVES = {
    (RecordStatus.ACTIVE, RecordStatus.WITHDRAWN),
    (RecordStatus.ACTIVE, RecordStatus.REPAIRED),  # a repair the department approved
    (RecordStatus.REPAIRED, RecordStatus.WITHDRAWN),
}


def test_the_workflows_name_only_their_states() -> None:
    LIST_ENTRY.check()
    RECORD.check()


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ListStatus, repeat=2)))
def test_a_list_entry_moves_only_along_its_table(source: ListStatus, target: ListStatus) -> None:
    assert LIST_ENTRY.allowed(source, target) == ((source, target) in LIST_MOVES)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(RecordStatus, repeat=2)))
def test_a_record_moves_only_along_its_table(source: RecordStatus, target: RecordStatus) -> None:
    assert RECORD.allowed(source, target) == ((source, target) in RECORD_MOVES)


def test_refused_moves_name_their_reason() -> None:
    assert LIST_ENTRY.reasons.get(A, LIST_ENTRY.conflict_reason) == "already_decided"
    assert LIST_ENTRY.reasons.get(R, LIST_ENTRY.conflict_reason) == "already_decided"
    assert LIST_ENTRY.reasons.get(L, LIST_ENTRY.conflict_reason) == "no_lift_proposal"
    assert RECORD.conflict_reason == "withdrawn"
    assert LIST_ENTRY.sources(L) == frozenset({A}) and RECORD.sources(RecordStatus.ACTIVE) == set()
