"""Credit records, current scores, score history and list entries."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CreditRecord(Model):
    """A credit record (信用记录) submitted by a department. Catalog facts (dimension,
    points, periods) are copied in at submission so a record keeps the rules it was made under."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField()
    department = fields.CharField(max_length=32)
    external_id = fields.CharField(max_length=64)
    type_code = fields.CharField(max_length=48)
    dimension = fields.CharField(max_length=16)
    points = fields.SmallIntField()
    severity = fields.CharField(max_length=8)
    decision_date = fields.DateField()
    repairable_from = fields.DateField()
    expires_on = fields.DateField()
    status = fields.CharField(max_length=12, default="active")  # active | withdrawn | repaired
    suspended = fields.BooleanField(default=False)
    summary = fields.CharField(max_length=500, default="")
    decision_doc_no = fields.CharField(max_length=64, default="")
    catalog_version = fields.CharField(max_length=16)
    revision = fields.IntField(default=1)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "credit_record"
        unique_together = (("department", "external_id"),)
        indexes = (
            (
                "person_id",
                "dimension",
                "status",
                "suspended",
                "decision_date",
                "expires_on",
                "points",
            ),
            ("type_code", "person_id", "status", "suspended", "decision_date", "expires_on"),
            ("created_at",),
            ("expires_on",),
        )


class Score(Model):
    """The current score of a person with credit information (one row per person)."""

    person_id = fields.BigIntField(primary_key=True)
    score = fields.SmallIntField()
    tier = fields.CharField(max_length=16)
    model_version = fields.CharField(max_length=16)
    breakdown: dict[str, int] = fields.JSONField(default=dict)
    as_of = fields.DateField()
    computed_at = fields.DatetimeField()

    class Meta:
        table = "score"
        indexes = (("tier",),)


class ScoreHistory(Model):
    """A score change: written only when the score or tier moves."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    score = fields.SmallIntField()
    tier = fields.CharField(max_length=16)
    model_version = fields.CharField(max_length=16)
    as_of = fields.DateField()
    cause = fields.CharField(max_length=16)  # record | correction | expiry | rescore | list
    computed_at = fields.DatetimeField()

    class Meta:
        table = "score_history"


class RescoreRun(Model):
    """Progress of a whole-city rescoring, so an interrupted run resumes where it stopped."""

    id = fields.BigIntField(primary_key=True)
    as_of = fields.DateField()
    model_version = fields.CharField(max_length=16)
    last_person_id = fields.BigIntField(default=0)
    people = fields.BigIntField(default=0)
    changed = fields.BigIntField(default=0)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "rescore_run"


class ExpirySweep(Model):
    """The last day whose expiries were applied (so restarts neither skip nor repeat work)."""

    key = fields.CharField(max_length=32, primary_key=True)
    day = fields.DateField()

    class Meta:
        table = "expiry_sweep"


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
