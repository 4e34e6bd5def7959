"""Objections and their states."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from ..core.transitions import Workflow


class ObjectionSubject(StrEnum):
    RECORD = "record"  # a credit record
    LIST_ENTRY = "list_entry"  # an entry on a red, gray or black list
    DEFAULT = "default"  # a partner-reported default (a redemption and the record it made)


class ObjectionStatus(StrEnum):
    SUBMITTED = "submitted"  # 已提交: the source answers by `answer_due`
    UPHELD = "upheld"  # 异议成立: corrected or withdrawn, re-scored at once
    REJECTED = "rejected"  # 异议不成立, with reasons; the resident may ask for a human review
    REVIEW_REQUESTED = "review_requested"  # 申请复核 by the credit office (PIPL Art. 24)
    REVIEW_UPHELD = "review_upheld"  # the credit office found for the resident
    REVIEW_REJECTED = "review_rejected"  # the credit office confirmed the rejection
    WITHDRAWN = "withdrawn"  # 已撤回 by the resident


OPEN = (ObjectionStatus.SUBMITTED, ObjectionStatus.REVIEW_REQUESTED)

X = ObjectionStatus
OBJECTION_WORKFLOW: Workflow[ObjectionStatus] = Workflow(
    name="objection",
    moves={
        X.SUBMITTED: frozenset({X.UPHELD, X.REJECTED, X.WITHDRAWN}),
        X.REJECTED: frozenset({X.REVIEW_REQUESTED}),
        X.REVIEW_REQUESTED: frozenset({X.REVIEW_UPHELD, X.REVIEW_REJECTED, X.WITHDRAWN}),
    },
    conflict_reason="case_closed",
    closed_reason="case_closed",
    reasons={
        X.REVIEW_REQUESTED: "not_rejected",
        X.REVIEW_UPHELD: "no_review_requested",
        X.REVIEW_REJECTED: "no_review_requested",
    },
)


class Objection(Model):
    """异议申请: one resident disputes one record, list entry or reported default."""

    id = fields.BigIntField(primary_key=True)
    case_no = fields.CharField(max_length=20, unique=True)
    person_id = fields.BigIntField(db_index=True)
    subject = fields.CharField(max_length=12)  # ObjectionSubject
    subject_id = fields.BigIntField()
    record_id = fields.BigIntField(null=True)  # the record it is about (none for manual entries)
    department = fields.CharField(max_length=32, db_index=True)  # who answers
    # Set while the case is open, so one subject has one open objection (unique, NULL when
    # closed: both dialects allow many NULLs in a unique column).
    open_subject = fields.CharField(max_length=40, null=True, unique=True)
    status = fields.CharField(max_length=20, default=ObjectionStatus.SUBMITTED.value)
    reason = fields.TextField()
    answer = fields.CharField(max_length=1000, default="")
    review_reason = fields.CharField(max_length=1000, default="")
    review_answer = fields.CharField(max_length=1000, default="")
    filed_by_id = fields.BigIntField(null=True)
    submitted_at = fields.DatetimeField()
    answer_due = fields.DateField()
    answered_at = fields.DatetimeField(null=True)
    answered_by = fields.CharField(max_length=200, default="")
    suspended_at = fields.DatetimeField(null=True)  # the effect paused (at filing or when late)
    overdue_at = fields.DatetimeField(null=True)
    reviewed_at = fields.DatetimeField(null=True)
    reviewed_by = fields.CharField(max_length=200, default="")
    # Every step so far, oldest first: {"status", "at", "by"} (the timeline residents see).
    history: list[dict[str, Any]] = fields.JSONField(default=list)

    class Meta:
        table = "objection"
        indexes = (("status", "department"), ("subject", "subject_id"))
