"""Population register tables."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


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

    class Meta:
        table = "person"


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
