"""Population register tables."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class PersonStatus(StrEnum):
    """Whether the person is a resident of the city today (the register feed sets it)."""

    ACTIVE = "active"  # 在册: scored, may sign in, holds a pass
    MOVED_OUT = "moved_out"  # 迁出本市: not scored, passes revoked, records kept
    DECEASED = "deceased"  # 死亡注销: as moved out, and final


class Person(Model):
    """A person in the population register (人口基础信息). The ID number is stored encrypted
    (`id_encrypted`, bound to this row's `id_hash`) and found by a keyed hash (`id_hash`);
    its masked form is computed for display (`residents.register.shown_id`).

    Nothing else derived from the ID number is kept in clear: the birth year (for the ID-card
    check and ages, not the date) and the district the person is registered in (which need
    not be the area code of the number). docs/operations.md counts what that leaves."""

    id = fields.BigIntField(primary_key=True)
    id_hash = fields.CharField(max_length=64, unique=True)
    id_encrypted = fields.BinaryField()
    name = fields.CharField(max_length=64)
    birth_year = fields.SmallIntField(default=0, db_default=0)
    district_code = fields.CharField(max_length=6, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The register feed (docs/register-feed.md): the person's standing in the register and the
    # population database's sequence number of the last change applied (a line whose number is
    # not above it changes nothing, so re-importing an export is idempotent).
    status = fields.CharEnumField(
        PersonStatus,
        max_length=12,
        default=PersonStatus.ACTIVE,
        db_default=PersonStatus.ACTIVE,
        description="PersonStatus",
    )
    register_seq = fields.BigIntField(default=0, db_default=0)

    class Meta:
        table = "person"
        indexes = (("status",),)  # the few who left, for the city rescoring


class RegisterImport(Model):
    """One import of the population database's feed (人口库数据导入): a file through
    scripts/import_register or one importRegisterChanges request, with its counts and the
    first rejected lines (line number, field and reason: never the ID number)."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=8)  # "file" | "api"
    label = fields.CharField(max_length=200, default="")  # the file name or the token
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    lines = fields.IntField(default=0)
    created = fields.IntField(default=0)
    changed = fields.IntField(default=0)
    unchanged = fields.IntField(default=0)
    rejected = fields.IntField(default=0)
    moved_out = fields.IntField(default=0)
    deceased = fields.IntField(default=0)
    moved_in = fields.IntField(default=0)
    passes_revoked = fields.IntField(default=0)
    rejections: list[dict[str, Any]] = fields.JSONField(
        default=list
    )  # at most feed.REPORTED_REJECTIONS

    class Meta:
        table = "register_import"


class PersonOccupation(Model):
    """Membership of one of the 16 key occupational groups (重点职业人群)."""

    id = fields.BigIntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "xinyi.Person", related_name="occupations", on_delete=fields.CASCADE
    )
    group_code = fields.CharField(max_length=32, db_index=True)

    class Meta:
        table = "person_occupation"
        unique_together = (("person", "group_code"),)
