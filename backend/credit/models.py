"""Credit records, current scores, score history and list entries, with the vocabularies their
columns hold. The columns stay plain text (a `StrEnum` member is stored as its value); the
workflows that move `status` are in `states.py`."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class RecordStatus(StrEnum):
    """A stored record's own state; "expired", "pending" and "under objection" are what a
    reader is shown on a given day (`records.display_status`), not states."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # 撤销: by its department, for good
    REPAIRED = "repaired"  # 信用修复: stops counting before its period ends


class ListKind(StrEnum):
    """The lists (红名单 / 重点关注名单 / 黑名单): names in the catalogs as `list.<kind>`."""

    RED = "red"
    GRAY = "gray"
    BLACK = "black"


class ListSource(StrEnum):
    RULE = "rule"  # derived from records by a list rule, kept in step with them
    MANUAL = "manual"  # proposed by one officer, decided by another


class ListStatus(StrEnum):
    """A list entry's state: manual entries go proposed → active | rejected, active → lifted;
    rule entries are created active and lifted when their rule stops holding."""

    PROPOSED = "proposed"
    ACTIVE = "active"
    REJECTED = "rejected"
    LIFTED = "lifted"


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
    status = fields.CharField(max_length=12, default=RecordStatus.ACTIVE.value)  # RecordStatus
    suspended = fields.BooleanField(default=False)  # its effect paused: an objection is late
    disputed = fields.BooleanField(default=False, db_default=False)  # 异议中: an objection is open
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
    """One person on one list (名单条目), with source, legal basis, decision document, start and
    end. `status` moves only by `states.LIST_ENTRY` (manual entries: four eyes)."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    kind = fields.CharField(max_length=8)  # ListKind
    source = fields.CharField(max_length=8)  # ListSource
    rule_code = fields.CharField(max_length=48, default="")
    record_ids: list[int] = fields.JSONField(default=list)
    reason = fields.CharField(max_length=500, default="")
    legal_basis = fields.CharField(max_length=300, default="")
    decision_doc_no = fields.CharField(max_length=64, default="")
    start = fields.DateField()
    end = fields.DateField(null=True)
    status = fields.CharField(max_length=12)  # ListStatus
    suspended = fields.BooleanField(default=False, db_default=False)  # paused: objection late
    disputed = fields.BooleanField(default=False, db_default=False)  # 异议中: an objection is open
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


class RegisterTally(Model):
    """How much of the population register one department token (or submitter account) has
    tested on one day (人口库比对额度): ID numbers looked up, unknown ones answered line by line
    (the daily budget), rejected and refused batches. A row per caller and day, updated by
    conditional `UPDATE`s so the budget holds across app processes."""

    id = fields.BigIntField(primary_key=True)
    caller = fields.CharField(max_length=48)  # register_budget.caller_key: token:<id>, …
    organisation = fields.CharField(max_length=32, default="")
    label = fields.CharField(max_length=200, default="")
    day = fields.DateField()
    checked = fields.BigIntField(default=0)  # well-formed ID numbers looked up in the register
    unknown = fields.BigIntField(default=0)  # not in the register, answered line by line
    rejected = fields.IntField(default=0)  # batches (and corrections) refused for any reason
    refused = fields.IntField(default=0)  # refused with 429: over the budget
    exhausted_at = fields.DatetimeField(null=True)  # the budget ran out: the office is alerted

    class Meta:
        table = "register_tally"
        unique_together = (("caller", "day"),)
        indexes = (("day",),)
