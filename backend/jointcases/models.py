"""Joint cases (联合激励/惩戒案例) and the roll-up's place in each source it reads."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CaseSource(StrEnum):
    """Where a case comes from: a department's report, or a use of a list the roll-up found."""

    REPORTED = "reported"  # reportJointCase, or the department console's form
    REDEMPTION = "redemption"  # a red-list resident's benefit at a partner counter
    RESTRICTION = "restriction"  # a gray/black-list resident's benefit withheld at a counter
    HINT = "hint"  # a handling hint (绿色通道, 审慎办理) given to a government counter
    DEFERRED = "deferred"  # 容缺受理 at a government counter (commitments.DeferredAcceptance)


class JointCase(Model):
    """One joint incentive or punishment case (联合激励/惩戒案例): a list used for a person by a
    department or at a partner's counter, with the measure applied. `origin` + `external_id`
    make it idempotent: a department's own id for a reported case, the source row for a
    rolled-up one."""

    id = fields.BigIntField(primary_key=True)
    origin = fields.CharField(max_length=40)  # "department:<code>" or "<source>"
    external_id = fields.CharField(max_length=64)
    source = fields.CharField(max_length=12)  # CaseSource
    list_kind = fields.CharField(max_length=8)  # red | gray | black
    measure = fields.CharField(max_length=40)  # measures.MEASURES
    department = fields.CharField(max_length=32, default="")  # catalog department, if any
    partner_id = fields.BigIntField(null=True)  # the counter's partner, if any
    person_id = fields.BigIntField(null=True, db_index=True)
    case_reference = fields.CharField(max_length=64, default="")  # the department's case number
    occurred_on = fields.DateField()
    month = fields.CharField(max_length=7)  # YYYY-MM of occurred_on: grouped the same everywhere
    summary = fields.CharField(max_length=500, default="")
    reported_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "joint_case"
        unique_together = (("origin", "external_id"),)
        indexes = (("month", "list_kind", "measure"), ("department", "occurred_on"))


class RollupCursor(Model):
    """The last row of one source the roll-up has turned into cases (its id)."""

    source = fields.CharField(max_length=16, primary_key=True)
    last_id = fields.BigIntField(default=0)

    class Meta:
        table = "joint_case_cursor"
