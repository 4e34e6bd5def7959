"""Signed credit commitments."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class CommitmentSignature(Model):
    """One person's signature over one version of a commitment text (信用承诺书).

    The WebAuthn assertion is kept whole with the passkey's public key, so anyone can later
    recompute the challenge from the text and the nonce and check the signature
    (`commitments.service.prove`)."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    account_id = fields.BigIntField()
    template_code = fields.CharField(max_length=32)
    version = fields.CharField(max_length=16)
    locale = fields.CharField(max_length=8)
    text_sha256 = fields.CharField(max_length=64)
    nonce = fields.CharField(max_length=32)
    credential_id = fields.CharField(max_length=512)
    public_key = fields.BinaryField()
    assertion: dict[str, Any] = fields.JSONField()
    purpose = fields.CharField(max_length=16)  # repair | standalone
    signed_at = fields.DatetimeField()

    class Meta:
        table = "commitment_signature"


class DeferredAcceptance(Model):
    """容缺受理: an application accepted at a government counter with one document missing,
    against the resident's signed commitment to hand it in by `due_on` (seed 五（一）).

    States (`deferrals.DeferralStatus`): awaiting_signature → committed → fulfilled, or
    breached when the due date passes (a breached-commitment record through the catalog);
    awaiting_signature → lapsed when the resident does not sign the same day."""

    id = fields.BigIntField(primary_key=True)
    person_id = fields.BigIntField(db_index=True)
    partner_id = fields.BigIntField(db_index=True)  # the government counter's partner
    counter_name = fields.CharField(max_length=128)  # its name then, for the resident's app
    operator_id = fields.BigIntField()  # the clerk's account
    matter = fields.CharField(max_length=100)  # 办理事项, as the clerk names it
    document = fields.CharField(max_length=32)  # a code of backend/data/lists/handling.json
    due_on = fields.DateField()
    status = fields.CharField(max_length=20, default="awaiting_signature")
    signature_id = fields.BigIntField(null=True)  # the CommitmentSignature once signed
    record_id = fields.BigIntField(null=True)  # the breached-commitment record, if any
    created_at = fields.DatetimeField()
    signed_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deferred_acceptance"
        indexes = (("status", "due_on"),)
