"""Notices in a resident's inbox."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class NoticeKind(StrEnum):
    """What a notice is about; the PWA words each as `notice.<kind>.title` / `.body`."""

    RECORD_NEW = "record_new"  # a new record, with its repair notice (两书同达)
    LIST_ENTRY = "list_entry"  # put on or lifted from a list
    CASE_STATUS = "case_status"  # a repair or objection case moved
    DEADLINE_PASSED = "deadline_passed"  # a department missed a deadline on my case
    REMINDER = "reminder"  # 催告: settle or object before a default can be reported
    COMMITMENT_SIGNED = "commitment_signed"  # a credit commitment I signed
    ACCOUNT_SECURITY = "account_security"  # a passkey added through a counter or recovery code
    HONOUR = "honour"  # nominated to the honour roll: consent asked in the app
    DEFERRAL = "deferral"  # 容缺受理 at a counter: the commitment to sign in the app


class Notice(Model):
    """One notice (通知) to one person. `key` makes sending idempotent: the same event never
    lands twice in an inbox, however often a sweep or a retry sends it."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField()
    kind = fields.CharField(max_length=24)
    key = fields.CharField(max_length=96, unique=True)
    params: dict[str, Any] = fields.JSONField(default=dict)
    link = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notice"
        indexes = (("person_id", "read_at"), ("person_id", "id"))
