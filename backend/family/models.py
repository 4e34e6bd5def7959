"""Helper grants (亲情账号授权)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class GrantStatus(StrEnum):
    INVITED = "invited"  # the resident (or a counter officer for them) asked; not accepted yet
    ACTIVE = "active"  # accepted: the helper may act for the resident
    ENDED = "ended"  # ended by either side, or declined; never active again


class HelperGrant(Model):
    """A resident (`person_id`) lets an enrolled family member (`helper_person_id`, signed in
    as `helper_account_id`) see their data and act for them, each action logged for both."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    helper_person_id = fields.BigIntField(db_index=True)
    helper_account_id = fields.BigIntField(db_index=True)
    relation = fields.CharField(max_length=16, default="family")
    status = fields.CharField(max_length=12, default=GrantStatus.INVITED.value)
    # One open grant per pair: set while invited or active, cleared when it ends.
    open_pair = fields.CharField(max_length=48, null=True, unique=True)
    invited_via = fields.CharField(max_length=12, default="app")  # app | counter
    invited_by_id = fields.BigIntField(null=True)  # the account that set it up
    created_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    ended_at = fields.DatetimeField(null=True)
    ended_by = fields.CharField(max_length=12, null=True)  # resident | helper | counter
    history: list[dict[str, Any]] = fields.JSONField(default=list)

    class Meta:
        table = "helper_grant"
