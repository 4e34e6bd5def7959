"""Population register tables."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Person(Model):
    """A person in the population register (人口基础信息). The ID number is stored encrypted
    (`id_encrypted`), found by a keyed hash (`id_hash`) and shown masked (`id_masked`)."""

    id = fields.BigIntField(primary_key=True)
    id_hash = fields.CharField(max_length=64, unique=True)
    id_encrypted = fields.BinaryField()
    id_masked = fields.CharField(max_length=18)
    name = fields.CharField(max_length=64)
    sex = fields.CharField(max_length=1)
    birth_date = fields.DateField()
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
