"""Hash-chained, append-only audit entries."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class AuditEntry(Model):
    """One audited event. `hash` covers every field and `prev_hash`, so editing or removing
    any entry breaks the chain at that point; `mac` is an HMAC of `hash` under the audit key
    `key_id`, which is kept in the key folder and never in the database, so whoever holds only
    the database cannot re-chain edited entries."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    actor_account_id = fields.BigIntField(null=True, db_index=True)
    actor_label = fields.CharField(max_length=200, default="")
    organisation = fields.CharField(max_length=128, default="")
    action = fields.CharField(max_length=64)
    subject_person_id = fields.BigIntField(null=True, db_index=True)
    purpose = fields.CharField(max_length=200, default="")
    details: dict[str, Any] = fields.JSONField(default=dict)
    prev_hash = fields.CharField(max_length=64)
    # Not a unique index: the chain already makes every hash unique (each covers the one
    # before it), and an index over random digests cost each append a random page of a
    # structure as large as the trail (20-30 µs on an empty trail, 75-90 µs at a million
    # entries with the app's cache, more once it no longer fits): migration 0017.
    hash = fields.CharField(max_length=64)
    key_id = fields.CharField(max_length=16, default="")
    mac = fields.CharField(max_length=64, default="")

    class Meta:
        table = "audit_entry"


class AuditHead(Model):
    """The single row that serialises appends: its row lock orders writers on PostgreSQL."""

    id = fields.IntField(primary_key=True)
    last_hash = fields.CharField(max_length=64)
    count = fields.BigIntField(default=0)
    key_id = fields.CharField(max_length=16, default="")
    mac = fields.CharField(max_length=64, default="")  # HMAC of (count, last_hash)

    class Meta:
        table = "audit_head"


class AuditSubject(Model):
    """A person an audit entry about many people is about (`audit.subjects`): the entry's
    details chain the count and a digest of these rows, so the index cannot be edited unseen."""

    id = fields.BigIntField(primary_key=True)
    entry_id = fields.BigIntField()
    person_id = fields.BigIntField()

    class Meta:
        table = "audit_subject"
        indexes = (("person_id", "entry_id"), ("entry_id",))
