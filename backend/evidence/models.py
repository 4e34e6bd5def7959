"""Evidence files, kept in the database so every app process on every host sees them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CaseKind(StrEnum):
    REPAIR = "repair"
    OBJECTION = "objection"


class EvidenceFile(Model):
    """One uploaded file of a case: its sniffed type, size and SHA-256, and the bytes."""

    id = fields.BigIntField(primary_key=True)
    case_kind = fields.CharField(max_length=12)
    case_id = fields.BigIntField()
    person_id = fields.BigIntField()
    filename = fields.CharField(max_length=120)
    media_type = fields.CharField(max_length=32)
    size = fields.IntField()
    sha256 = fields.CharField(max_length=64)
    content = fields.BinaryField()
    uploaded_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "evidence_file"
        indexes = (("case_kind", "case_id"),)
