"""Accounts, passkeys, WebAuthn challenges, sessions and one-time codes.

An account's `status` is a workflow (`AccountStatus`, moved only by `accounts.ACCOUNT_WORKFLOW`).
The other timestamps below are not: a challenge, an enrolment code or a recovery code is a
single-use claim (`used_at` is set once by a conditional update, and the claim is what makes
it single use), and a session's `revoked_at` only ever goes from unset to set.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class AccountKind(StrEnum):
    RESIDENT = "resident"
    STAFF = "staff"


class AccountStatus(StrEnum):
    """Where an account is in its life (账户状态). A staff account is created `invited` with a
    one-time code and becomes `active` when its first passkey is registered; a resident's
    account is created `active` together with its first passkey. Only `active` accounts sign in.
    A staff account an officer creates from the console starts `proposed`: it has no code until
    a second, independent officer approves it and hands the code over (`auth.staff`)."""

    PROPOSED = "proposed"  # an officer proposed it; a second, independent officer approves
    INVITED = "invited"
    ACTIVE = "active"
    DISABLED = "disabled"


class Account(Model):
    """A sign-in identity: a resident (linked to a register entry) or a staff member."""

    id = fields.BigIntField(primary_key=True)
    # An AccountKind value. A plain CharField on purpose: changing the column's type would make
    # Tortoise rebuild the table on SQLite, and dropping the old table cascades to passkeys.
    kind = fields.CharField(max_length=16)
    person: fields.OneToOneNullableRelation[Any] = fields.OneToOneField(
        "xinyi.Person", related_name="account", null=True, on_delete=fields.RESTRICT
    )
    display_name = fields.CharField(max_length=64)
    organisation = fields.CharField(max_length=128, default="")
    roles = fields.CharField(max_length=200)  # comma-separated Role values
    user_handle = fields.CharField(max_length=64, unique=True)  # WebAuthn user.id, b64url
    locale = fields.CharField(max_length=8, null=True)
    elder_mode = fields.BooleanField(default=False)
    created_by_id = fields.BigIntField(null=True)
    # The officer who approved a proposed staff account and was shown its one-time code for
    # the hand-over: with `created_by_id`, what four eyes reads (`auth.foureyes`).
    approved_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # The database default fills rows that existed before the column (migration 0004). A fixed
    # description and length, so a new state changes no column (see `kind`).
    status = fields.CharEnumField(
        AccountStatus,
        description="AccountStatus",
        max_length=16,
        default=AccountStatus.ACTIVE,
        db_default=AccountStatus.ACTIVE,
    )
    disabled_at = fields.DatetimeField(null=True)  # when it became `disabled`

    class Meta:
        table = "account"


class Passkey(Model):
    """A WebAuthn credential (通行密钥). Several per account."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "xinyi.Account", related_name="passkeys", on_delete=fields.CASCADE
    )
    credential_id = fields.CharField(max_length=1400, unique=True)  # b64url
    public_key = fields.BinaryField()
    sign_count = fields.BigIntField(default=0)
    transports = fields.CharField(max_length=100, default="")
    aaguid = fields.CharField(max_length=36, default="")
    backed_up = fields.BooleanField(default=False)
    nickname = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "passkey"


class Challenge(Model):
    """A single-use WebAuthn challenge with a short expiry. `intent` says what finishing
    the ceremony may do (e.g. create the account of a matched person)."""

    id = fields.BigIntField(primary_key=True)
    challenge = fields.CharField(max_length=128, unique=True)  # b64url
    purpose = fields.CharField(max_length=16)  # register | login
    intent: dict[str, Any] = fields.JSONField(default=dict)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "webauthn_challenge"


class WebSession(Model):
    """A signed-in session. The cookie holds a signed token naming it, so it can be revoked."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "xinyi.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)
    csrf_token = fields.CharField(max_length=64)
    device_label = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "web_session"


class EnrolmentCode(Model):
    """A one-time code (一次性注册码) issued after an in-person ID check, or to new staff.
    Expires in 24 hours, single use; stored only as a hash."""

    id = fields.BigIntField(primary_key=True)
    code_hash = fields.CharField(max_length=64, unique=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "xinyi.Account", related_name="enrolment_codes", null=True, on_delete=fields.CASCADE
    )
    person: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "xinyi.Person", related_name="enrolment_codes", null=True, on_delete=fields.CASCADE
    )
    issued_by_id = fields.BigIntField(null=True)
    purpose = fields.CharField(max_length=200, default="")
    # A resident's counter code: when the issuing officer confirmed the ID-card check, and the
    # counter (service point) they issued it at; the resident's access log names both.
    id_card_checked_at = fields.DatetimeField(null=True)
    counter = fields.CharField(max_length=120, default="")
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "enrolment_code"


class RecoveryCode(Model):
    """Printable recovery codes (恢复码): each registers a new passkey once."""

    id = fields.BigIntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "xinyi.Account", related_name="recovery_codes", on_delete=fields.CASCADE
    )
    code_hash = fields.CharField(max_length=64, unique=True)
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "recovery_code"


class Throttle(Model):
    """Failure counters that slow then lock repeated failed attempts (per client, per ID)."""

    key = fields.CharField(max_length=100, primary_key=True)
    failures = fields.IntField(default=0)
    first_failure_at = fields.DatetimeField()
    last_failure_at = fields.DatetimeField()
    locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "throttle"


class StaffChangeKind(StrEnum):
    """What a staff change proposes (人员变更)."""

    ROLES = "roles"  # new roles for the account
    DISABLE = "disable"  # offboard an officer or auditor


class StaffChangeStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class StaffChange(Model):
    """A four-eyes change to a staff account (四眼原则): new roles (elevating an account to
    officer or auditor, or any other change of roles) or disabling an officer or auditor. One
    officer proposes, a second, independent officer approves (`auth.staffchanges`)."""

    id = fields.BigIntField(primary_key=True)
    account_id = fields.BigIntField(db_index=True)
    kind = fields.CharEnumField(StaffChangeKind, max_length=16, description="StaffChangeKind")
    roles = fields.CharField(max_length=200, default="")  # the proposed roles, comma-separated
    reason = fields.CharField(max_length=200, default="")
    status = fields.CharEnumField(
        StaffChangeStatus,
        max_length=16,
        description="StaffChangeStatus",
        default=StaffChangeStatus.PROPOSED,
    )
    proposed_by_id = fields.BigIntField()
    decided_by_id = fields.BigIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_change"
