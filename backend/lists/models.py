"""List entries: rule-derived from records, or manual with four-eyes approval."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ListEntry(Model):
    """One person on one list, with source, legal basis, decision document, start and end.
    Manual entries go proposed → active (approved by a second officer) → lifted."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    kind = fields.CharField(max_length=8)  # red | gray | black
    source = fields.CharField(max_length=8)  # rule | manual
    rule_code = fields.CharField(max_length=48, default="")
    record_ids: list[int] = fields.JSONField(default=list)
    reason = fields.CharField(max_length=500, default="")
    legal_basis = fields.CharField(max_length=300, default="")
    decision_doc_no = fields.CharField(max_length=64, default="")
    start = fields.DateField()
    end = fields.DateField(null=True)
    status = fields.CharField(max_length=12)  # proposed | active | rejected | lifted
    proposed_by_id = fields.BigIntField(null=True)
    decided_by_id = fields.BigIntField(null=True)
    lift_proposed_by_id = fields.BigIntField(null=True)
    lift_reason = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)
    lifted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "list_entry"
        indexes = (("kind", "status"), ("source", "rule_code", "status"))
