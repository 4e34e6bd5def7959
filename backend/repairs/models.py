"""Repair requests and their states."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from ..core.transitions import Workflow


class RepairStatus(StrEnum):
    SUBMITTED = "submitted"  # 已提交: waiting for the department to accept or return it
    RETURNED = "returned"  # 退回补正: the department asks for more material
    ACCEPTED = "accepted"  # 已受理: the department decides within its working days
    APPROVED = "approved"  # 准予修复
    REJECTED = "rejected"  # 不予修复
    WITHDRAWN = "withdrawn"  # 已撤回 by the resident


OPEN = (RepairStatus.SUBMITTED, RepairStatus.RETURNED, RepairStatus.ACCEPTED)

S = RepairStatus
REPAIR_WORKFLOW: Workflow[RepairStatus] = Workflow(
    name="repair request",
    moves={
        S.SUBMITTED: frozenset({S.ACCEPTED, S.RETURNED, S.REJECTED, S.WITHDRAWN}),
        S.RETURNED: frozenset({S.SUBMITTED, S.WITHDRAWN}),
        S.ACCEPTED: frozenset({S.APPROVED, S.REJECTED, S.WITHDRAWN}),
    },
    conflict_reason="case_closed",
    closed_reason="case_closed",
    reasons={
        S.ACCEPTED: "not_submitted",
        S.RETURNED: "not_submitted",
        S.SUBMITTED: "not_returned",
        S.APPROVED: "not_accepted",
    },
)


class RepairRequest(Model):
    """信用修复申请: one resident, one negative record, one signed commitment."""

    id = fields.BigIntField(primary_key=True)
    case_no = fields.CharField(max_length=20, unique=True)
    person_id = fields.BigIntField(db_index=True)
    record_id = fields.BigIntField(db_index=True)
    department = fields.CharField(max_length=32, db_index=True)
    # Set while the case is open: one record has one open request (unique; NULL once closed).
    open_record_id = fields.BigIntField(null=True, unique=True)
    status = fields.CharField(max_length=12, default=RepairStatus.SUBMITTED.value)
    statement = fields.TextField()
    missing = fields.CharField(max_length=1000, default="")  # what the department asked for
    decision_reason = fields.CharField(max_length=1000, default="")
    legal_basis = fields.CharField(max_length=300, default="")
    commitment_id = fields.BigIntField(null=True)  # the passkey-signed commitment
    # Filed at a counter for a resident without a smartphone: the officer who checked the ID
    # card and took the commitment on paper.
    filed_by_id = fields.BigIntField(null=True)
    submitted_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_by = fields.CharField(max_length=200, default="")
    feedback_due = fields.DateField()  # the resident has an answer by the end of this day
    decision_due = fields.DateField(null=True)  # the department decides by the end of this day
    overdue_at = fields.DatetimeField(null=True)  # flagged and escalated to the credit office
    # Every step so far, oldest first: {"status", "at", "by"} (the timeline residents see).
    history: list[dict[str, Any]] = fields.JSONField(default=list)

    class Meta:
        table = "repair_request"
        indexes = (("status", "department"),)
