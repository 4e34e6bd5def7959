"""Signed credit reports (个人信用报告) and the office cases residents open: misuse reports
("this wasn't me") and requests for a human review of an automated decision (PIPL Art. 24)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class CreditReport(Model):
    """One signed report a resident made. `content` is the canonical content that was signed
    (Ed25519 over its SHA-256); `pdf_sha256` names the exact file handed out, so a copy with
    one changed byte is refused. The file itself is not kept: the resident has it."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    code = fields.CharField(max_length=16, unique=True)  # the short code on the report
    locale = fields.CharField(max_length=8)
    content: dict[str, Any] = fields.JSONField()
    content_sha256 = fields.CharField(max_length=64)
    signature = fields.CharField(max_length=100)  # b64url Ed25519 over the content hash
    kid = fields.CharField(max_length=64)
    pdf_sha256 = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    checks = fields.IntField(default=0)

    class Meta:
        table = "credit_report"


class RightsCaseKind(StrEnum):
    MISUSE = "misuse"  # 非本人操作/滥用举报: a look in the access log the resident disputes
    REVIEW = "review"  # 人工复核: a human review of the score or a rule-derived list entry


class RightsCaseStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class RightsCase(Model):
    """A case a resident opened in the credit office's queue, with what it is about and, once
    an officer answered, the answer (shown to the resident)."""

    id = fields.BigIntField(primary_key=True)
    case_no = fields.CharField(max_length=20, unique=True)
    kind = fields.CharField(max_length=8)  # RightsCaseKind
    person_id = fields.BigIntField(db_index=True)
    subject = fields.CharField(max_length=12)  # audit_entry | score | list_entry
    subject_id = fields.BigIntField(null=True)
    # One open case per subject: set while open, cleared when answered.
    open_subject = fields.CharField(max_length=64, null=True, unique=True)
    snapshot: dict[str, Any] = fields.JSONField(default=dict)  # the entry or score as it was
    statement = fields.TextField()
    filed_by_id = fields.BigIntField(null=True)  # a helper's account, when one filed it
    status = fields.CharField(max_length=12, default=RightsCaseStatus.OPEN.value)
    answer = fields.TextField(null=True)
    answered_by = fields.CharField(max_length=200, null=True)
    answered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    history: list[dict[str, Any]] = fields.JSONField(default=list)

    class Meta:
        table = "rights_case"
