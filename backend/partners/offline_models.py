"""What offline counters sent when they came back online (离线核验记录): every confirmed
benefit and every offline check, once per item the counter made, with what the server made of
it. A row is written once and never changes state: the sync is idempotent per item."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class SyncOutcome(StrEnum):
    """What an offline item became (docs/partner-api.md, "Offline counters")."""

    RECORDED = "recorded"  # a confirmed benefit, now a redemption
    DUPLICATE = "duplicate"  # the same presentation was already recorded for this offer
    REFUSED = "refused"  # not valid at the time it was confirmed, or not this partner's offer
    LOGGED = "logged"  # an offline check without a confirmation: a logged look


class OfflineItem(Model):
    """One item an offline counter queued: a check or a confirmed benefit."""

    id = fields.BigIntField(primary_key=True)
    partner_id = fields.BigIntField()
    item_id = fields.CharField(max_length=64)  # made by the counter: idempotency per item
    kind = fields.CharField(max_length=8)  # check | confirm
    counter = fields.CharField(max_length=64)  # the counter device's own name for itself
    operator = fields.CharField(max_length=120, default="")
    offer_id = fields.BigIntField(null=True)
    identity = fields.CharField(max_length=64, default="")  # the presentation's identity
    confirmed_at = fields.DatetimeField()  # when the counter checked or confirmed it
    lists_as_of = fields.DatetimeField()  # when the counter's offline bundle was fetched
    received_at = fields.DatetimeField()
    outcome = fields.CharField(max_length=12)  # SyncOutcome
    reason = fields.CharField(max_length=32, default="")
    redemption_id = fields.BigIntField(null=True)  # recorded, or the first one (duplicate)
    person_id = fields.BigIntField(null=True)

    class Meta:
        table = "offline_item"
        unique_together = (("partner_id", "item_id"),)
        indexes = (("partner_id", "outcome"),)
