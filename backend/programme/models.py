"""The honour roll (光荣榜) and the campaigns calendar (信用宣传活动)."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class HonourTitle(StrEnum):
    """The titles on the roll, each tied to its honour record type in the catalog."""

    INTEGRITY_STAR = "integrity_star"  # 诚信之星 (PRO_HONOUR_INTEGRITY_STAR)
    MORAL_MODEL = "moral_model"  # 道德模范 (PRO_HONOUR_MORAL_MODEL)


class HonourStatus(StrEnum):
    """The office's side: one officer nominates, an independent officer approves or rejects."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class HonourConsent(StrEnum):
    """The resident's side, independent of the office's: nothing is published without GIVEN,
    and GIVEN can be withdrawn (and given again) at any time."""

    PENDING = "pending"
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class HonourEntry(Model):
    """One nomination to the honour roll (诚信之星 / 道德模范) for one year. It is shown on the
    public roll only when approved by a second officer and consented to by the resident."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    title = fields.CharField(max_length=16)
    year = fields.SmallIntField()
    district_code = fields.CharField(max_length=6)
    citation_zh = fields.CharField(max_length=120)
    citation_en = fields.CharField(max_length=200, default="")
    record_id = fields.BigIntField(null=True)  # the honour record it comes from, if any
    status = fields.CharField(max_length=12, default=HonourStatus.PROPOSED.value)
    consent = fields.CharField(max_length=12, default=HonourConsent.PENDING.value)
    proposed_by_id = fields.BigIntField()
    decided_by_id = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    consent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "honour_entry"
        unique_together = (("person_id", "title", "year"),)
        indexes = (("status", "consent", "year"),)


class CampaignStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Campaign(Model):
    """One campaign on the public calendar (食品安全宣传周, 3·15 …), edited by the office."""

    id = fields.BigIntField(primary_key=True)
    title_zh = fields.CharField(max_length=60)
    title_en = fields.CharField(max_length=120)
    description_zh = fields.CharField(max_length=500, default="")
    description_en = fields.CharField(max_length=1000, default="")
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    departments = fields.CharField(max_length=300, default="")  # catalog codes, comma-separated
    status = fields.CharField(max_length=12, default=CampaignStatus.SCHEDULED.value)
    created_by_id = fields.BigIntField()
    updated_by_id = fields.BigIntField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "campaign"
        indexes = (("starts_on",),)
