"""Consent decisions (授权记录): append-only, the newest one is in force."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ConsentDecision(Model):
    """One decision of a person about the score and pass service: given or withdrawn, with
    the version of the notice they were shown. Never updated: the newest row is in force."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    given = fields.BooleanField()
    notice_version = fields.CharField(max_length=16)
    decided_by_id = fields.BigIntField(null=True)  # the account that decided (the resident)
    via = fields.CharField(max_length=16, default="app")  # app | account_closed
    decided_at = fields.DatetimeField()

    class Meta:
        table = "consent_decision"
