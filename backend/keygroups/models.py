"""One person's membership of a key occupational group, as one department reported it."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class OccupationMembership(Model):
    """A person in a key group (律师, 教师, …) from `valid_from` until `valid_until` (open when
    null), as the department holding the licence or registry (执业证号 / 注册号) reported it.
    Idempotent on (department, external_id): the department's own id of the membership.
    Memberships do not score: a record of the group's types does (docs/programme.md)."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    department = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=64)
    group_code = fields.CharField(max_length=32)
    valid_from = fields.DateField()
    valid_until = fields.DateField(null=True)
    licence = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "occupation_membership"
        unique_together = (("department", "external_id"),)
        indexes = (Index(fields=["group_code", "department"]),)
