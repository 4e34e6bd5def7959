"""Bearer tokens: shown once, stored hashed, scoped, revocable."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ApiToken(Model):
    """An organisation's API token (接口令牌). Only a SHA-256 hash and a short prefix are kept."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=16)  # service.TokenKind
    organisation = fields.CharField(max_length=32)  # department code
    label = fields.CharField(max_length=100, default="")
    prefix = fields.CharField(max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    scopes = fields.CharField(max_length=200)
    created_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_token"
