"""Partners, their members, offers and redemptions. Their states are the enums of
`states.py`, and change only through its workflows."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from .states import OfferStatus, PartnerStatus, RedemptionOutcome


class Partner(Model):
    """An organisation that grants benefits. It joins after the credit office approves it."""

    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=128)
    domain = fields.CharField(max_length=24)  # eligibility.DOMAINS
    contact_name = fields.CharField(max_length=64)
    contact_phone = fields.CharField(max_length=32)
    address = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=12, default=PartnerStatus.APPLIED.value)
    record_department = fields.CharField(
        max_length=32, default=""
    )  # catalog department for outcomes
    decided_by_id = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "partner"


class PartnerMember(Model):
    """A staff account (partner admin or counter operator) working for a partner."""

    id = fields.BigIntField(primary_key=True)
    partner_id = fields.BigIntField(db_index=True)
    account_id = fields.BigIntField(unique=True)

    class Meta:
        table = "partner_member"


class Offer(Model):
    """An incentive offer (信用惠民措施). Residents see it once the credit office approves it."""

    id = fields.BigIntField(primary_key=True)
    partner_id = fields.BigIntField(db_index=True)
    title_zh = fields.CharField(max_length=100)
    title_en = fields.CharField(max_length=100)
    description_zh = fields.CharField(max_length=500, default="")
    description_en = fields.CharField(max_length=500, default="")
    domain = fields.CharField(max_length=24)
    kind = fields.CharField(max_length=16)  # eligibility.KINDS
    amount_cents = fields.IntField(default=0)  # deposit waived or pay-later limit, in fen
    discount_percent = fields.SmallIntField(default=0)
    limit_note_zh = fields.CharField(max_length=100, default="")
    limit_note_en = fields.CharField(max_length=100, default="")
    min_tier = fields.CharField(max_length=16, default="good")
    excluded_lists = fields.CharField(max_length=20, default="black")
    # Lists a resident must be on (a red-list only benefit, 守信激励), comma-separated.
    required_lists = fields.CharField(max_length=20, default="")
    quota = fields.IntField(null=True)
    used = fields.IntField(default=0)
    grace_days = fields.SmallIntField(default=30)
    # How often one person may use the offer (None: no limit of its own), per `PerPersonPeriod`.
    per_person_limit = fields.IntField(null=True)
    per_person_period = fields.CharField(max_length=8, default="ever")
    valid_from = fields.DateField()
    valid_until = fields.DateField()
    status = fields.CharField(max_length=12, default=OfferStatus.PENDING.value)
    decided_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "offer"
        indexes = (("status", "domain"),)


class Redemption(Model):
    """A benefit used (惠民应用): one presentation, one offer, once."""

    id = fields.BigIntField(primary_key=True)
    offer_id = fields.BigIntField(db_index=True)
    partner_id = fields.BigIntField(db_index=True)
    person_id = fields.BigIntField(db_index=True)
    pass_id = fields.CharField(max_length=24)
    presentation_hash = fields.CharField(max_length=64)
    idempotency_key = fields.CharField(max_length=64, null=True)
    # SHA-256 of what the keyed request asked for (offer and pass text): the same key with a
    # different request is refused (idempotency_key_reused), not answered with this one.
    request_fingerprint = fields.CharField(max_length=64, null=True)
    operator = fields.CharField(max_length=120, default="")
    deposit_waived_cents = fields.IntField(default=0)
    due_on = fields.DateField(null=True)
    outcome = fields.CharField(max_length=12, default=RedemptionOutcome.OPEN.value)
    outcome_at = fields.DatetimeField(null=True)
    notice_sent_on = fields.DateField(null=True)
    # 催告: the system's own reminder once the due date passed, and the day by which the
    # resident may settle or object; a default is reported only after that day.
    reminded_on = fields.DateField(null=True)
    settle_by = fields.DateField(null=True)
    record_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "redemption"
        unique_together = (("offer_id", "presentation_hash"), ("partner_id", "idempotency_key"))
