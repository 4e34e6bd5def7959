"""How a list entry and a record change state, and the public reasons a change is refused.

A list entry's status and a record's withdrawal change only through `core.transitions.apply`,
a conditional update in one transaction with the change's audit entry: two officers deciding
one proposal at once give one decision, one audit entry and one `409 already_decided`.
Proposing to lift an active entry changes fields, not the state, and is a conditional update
of its own (`lists.propose_lift`).
"""

from __future__ import annotations

from enum import StrEnum

from ..core.transitions import Workflow
from .models import ListStatus, RecordStatus


class Refusal(StrEnum):
    """Public reasons (`reason` of a problem) for a credit or list step that did not happen."""

    ALREADY_DECIDED = "already_decided"  # 409: the proposal was approved or rejected before
    FOUR_EYES = "four_eyes"  # 403: the deciding officer is not independent of the proposer
    NOT_ACTIVE = "not_active"  # 409: only an entry in force can be proposed for lifting
    LIFT_PENDING = "lift_pending"  # 409: lifting this entry is already proposed
    NO_LIFT_PROPOSAL = "no_lift_proposal"  # 409: nothing to approve (or already lifted)
    LIFT_REASON = "lift_reason"  # 422: lifting needs a reason
    WITHDRAWN = "withdrawn"  # 409: a withdrawn record cannot be corrected
    RECORD_CHANGED = "record_changed"  # 409: another correction was stored at the same moment
    RECORD_EXISTS = "record_exists"  # 409: this external id already holds another record type
    CONCURRENT_BATCH = "concurrent_batch"  # 409: the same external ids were stored at once
    REGISTER_BUDGET = "register_budget"  # 429: today's unknown ID numbers are used up


# Rule entries take the active → lifted move too, in bulk, when their rule stops holding
# (`lists.sync_derived`): one conditional update and one audit entry for the whole batch.
LIST_ENTRY: Workflow[ListStatus] = Workflow(
    name="list entry",
    moves={
        ListStatus.PROPOSED: frozenset({ListStatus.ACTIVE, ListStatus.REJECTED}),
        ListStatus.ACTIVE: frozenset({ListStatus.LIFTED}),
    },
    conflict_reason=Refusal.ALREADY_DECIDED,
    reasons={ListStatus.LIFTED: Refusal.NO_LIFT_PROPOSAL},
)

# A repair (active → repaired) is decided by the recording department in the repair workflow;
# withdrawal is final.
RECORD: Workflow[RecordStatus] = Workflow(
    name="record",
    moves={
        RecordStatus.ACTIVE: frozenset({RecordStatus.WITHDRAWN, RecordStatus.REPAIRED}),
        RecordStatus.REPAIRED: frozenset({RecordStatus.WITHDRAWN}),
    },
    conflict_reason=Refusal.WITHDRAWN,
    reasons={RecordStatus.REPAIRED: Refusal.NOT_ACTIVE},
)
