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
