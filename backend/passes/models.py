"""Device keys and issued pass certificates."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class DeviceKey(Model):
    """A phone's non-extractable WebCrypto P-256 key (设备密钥) — or a printed paper pass
    (`kind` paper, `public_key` "paper:…", until `expires_at`): what the resident sees under
    "My devices" and can remove, revoking its passes."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.BigIntField(db_index=True)
    public_key = fields.CharField(max_length=64, unique=True)  # compressed point, b64url
    label = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_issued_at = fields.DatetimeField(null=True)
    removed_at = fields.DatetimeField(null=True)
    kind = fields.CharField(max_length=8, default="phone")  # phone | paper
    expires_at = fields.DatetimeField(null=True)  # paper: its certificate's expiry

    class Meta:
        table = "device_key"


class PassCertificate(Model):
    """An issued certificate. `status_index` is its bit in the signed status list."""

    id = fields.BigIntField(primary_key=True)
    pass_id = fields.CharField(max_length=24, unique=True)  # hex of the 12 random bytes
    person_id = fields.BigIntField(db_index=True)
    device_key_id = fields.BigIntField(null=True, db_index=True)
    kind = fields.CharField(max_length=8)  # phone | paper
    status_index = fields.IntField()
    tier = fields.CharField(max_length=16)
    flags = fields.SmallIntField()
    kid = fields.CharField(max_length=16)
    issued_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)
    revoked_at = fields.DatetimeField(null=True)
    revoke_reason = fields.CharField(max_length=32, default="")

    class Meta:
        table = "pass_certificate"
        indexes = (("status_index", "expires_at"),)
