"""Creating, checking and revoking organisation API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from enum import StrEnum

from tortoise.transactions import in_transaction

from ..audit import service as audit
from ..core.clock import now
from ..core.crypto import secret_hash
from ..core.errors import NotFound, ValidationFailed
from ..core.principal import Principal
from ..core.ttlcache import TTLCache
from .models import ApiToken


class TokenKind(StrEnum):
    """Whose token it is; the value's short form is part of the secret (`xy_dep_…`)."""

    DEPARTMENT = "department"
    PARTNER = "partner"


PREFIXES = {TokenKind.DEPARTMENT: "dep", TokenKind.PARTNER: "ptn"}
_KIND_VALUES = frozenset(k.value for k in TokenKind)
RECORDS_SUBMIT = "records.submit"  # a department token submits records …
CASES_DECIDE = "cases.decide"  # … and answers the repair and objection cases of its records
JOINT_CASES_REPORT = "jointcases.report"  # … and reports its joint cases (reportJointCase)
TOUCH_EVERY = dt.timedelta(minutes=1)


async def create_token(
    *, officer: Principal | None, kind: str, organisation: str, label: str, scopes: list[str]
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is stored."""
    if kind not in _KIND_VALUES:
        raise ValidationFailed(
            "unknown token kind",
            errors=[{"field": "kind", "message": "department or partner", "type": "enum"}],
        )
    prefix = secrets.token_hex(4)
    secret = f"xy_{PREFIXES[TokenKind(kind)]}_{prefix}_{secrets.token_urlsafe(32)}"
    row = await ApiToken.create(
        kind=TokenKind(kind),
        organisation=organisation,
        label=label[:100],
        prefix=prefix,
        token_hash=secret_hash(secret),
        scopes=",".join(sorted(set(scopes))),
        created_by_id=officer.account_id if officer else None,
    )
    await audit.record(
        action="api_token.created",
        actor=officer,
        actor_label="bootstrap",
        details={"token": prefix, "kind": kind, "organisation": organisation},
    )
    return row, secret


async def create_department_token(
    *,
    officer: Principal,
    department: str,
    label: str,
    departments: Collection[str],
    label_required: bool = False,
) -> tuple[ApiToken, str]:
    """A token that submits records for one department of the catalog (`departments`: the
    catalog's codes, handed in because the catalog belongs to a layer above this one)."""
    if department not in departments:
        raise ValidationFailed(
            "unknown department",
            errors=[
                {
                    "field": "department",
                    "message": "a department code from getScoringRules",
                    "type": "enum",
                }
            ],
        )
    if label_required and not label:
        raise ValidationFailed(
            "give the token a label",
            errors=[{"field": "label", "message": "required", "type": "missing"}],
        )
    return await create_token(
        officer=officer,
        kind=TokenKind.DEPARTMENT,
        organisation=department,
        label=label,
        scopes=[RECORDS_SUBMIT, CASES_DECIDE, JOINT_CASES_REPORT],
    )


# Tokens are looked up on every partner call: keep them for a few seconds per process.
# Revoking clears this process's cache at once and bumps the shared "tokens" generation:
# other processes drop theirs within core.ttlcache.CHECK_SECONDS (CACHE_SECONDS if the
# bump is lost, e.g. the process dies between the revocation and it).
CACHE_SECONDS = 10.0
_CACHE: TTLCache[ApiToken | None] = TTLCache(CACHE_SECONDS, shared="tokens")


async def authenticate(secret: str) -> ApiToken | None:
    if not secret.startswith("xy_") or len(secret) > 200:
        return None
    digest = secret_hash(secret)
    row = await _CACHE.get(digest, lambda: ApiToken.get_or_none(token_hash=digest, revoked_at=None))
    if row is None:
        return None
    moment = now()
    if row.last_used_at is None or moment - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = moment
        await ApiToken.filter(id=row.id).update(last_used_at=moment)
    return row


def forget_cached() -> None:
    """Drop this process's cached tokens (after a revocation; tests)."""
    _CACHE.forget()


async def revoke_token(
    *, officer: Principal, token_id: int, kind: TokenKind | None = None
) -> ApiToken:
    """Revoke a token (idempotent). Revocation sets `revoked_at` once, by a conditional update
    with its audit entry, so two revocations at once write one entry. With `kind`, a token of
    another kind is not found (the department-token endpoint never revokes a partner's key)."""
    row = await ApiToken.get_or_none(id=token_id)
    if row is None or (kind is not None and row.kind != kind):
        raise NotFound("no such token")
    if row.revoked_at is None:
        moment = now()
        async with in_transaction():
            if await ApiToken.filter(id=row.id, revoked_at=None).update(revoked_at=moment):
                row.revoked_at = moment
                await audit.record(
                    action="api_token.revoked", actor=officer, details={"token": row.prefix}
                )
    await _CACHE.invalidate()  # after the update: a lookup meanwhile cannot cache it valid
    return row


async def revoke_organisation(*, actor: Principal, kind: TokenKind, organisation: str) -> int:
    """Revoke every live token of one organisation at once (offboarding a partner), with one
    audit entry; answers how many were revoked. Caches are cleared after the update."""
    moment = now()
    async with in_transaction():
        revoked = await ApiToken.filter(
            kind=kind, organisation=organisation, revoked_at=None
        ).update(revoked_at=moment)
        await audit.record(
            action="api_token.revoked_all",
            actor=actor,
            details={"kind": kind.value, "organisation": organisation, "tokens": revoked},
        )
    await _CACHE.invalidate()
    return revoked


async def list_tokens(*, kind: str | None = None) -> list[ApiToken]:
    query = ApiToken.all() if kind is None else ApiToken.filter(kind=kind)
    return await query.order_by("-id")
