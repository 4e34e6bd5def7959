"""Creating, checking and revoking organisation API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from ..audit import service as audit
from ..core.crypto import secret_hash
from ..core.errors import NotFound, ValidationFailed
from ..core.principal import Principal
from .models import ApiToken

KINDS = {"department": "dep", "partner": "ptn"}
TOUCH_EVERY = dt.timedelta(minutes=1)


async def create_token(
    *, officer: Principal | None, kind: str, organisation: str, label: str, scopes: list[str]
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its hash is stored."""
    if kind not in KINDS:
        raise ValidationFailed(
            "unknown token kind",
            errors=[{"field": "kind", "message": "department or partner", "type": "enum"}],
        )
    prefix = secrets.token_hex(4)
    secret = f"xy_{KINDS[kind]}_{prefix}_{secrets.token_urlsafe(32)}"
    row = await ApiToken.create(
        kind=kind,
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


async def authenticate(secret: str) -> ApiToken | None:
    if not secret.startswith("xy_") or len(secret) > 200:
        return None
    row = await ApiToken.get_or_none(token_hash=secret_hash(secret), revoked_at=None)
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC)
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return row


async def revoke_token(*, officer: Principal, token_id: int) -> ApiToken:
    row = await ApiToken.get_or_none(id=token_id)
    if row is None:
        raise NotFound("no such token")
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        await row.save(update_fields=["revoked_at"])
        await audit.record(action="api_token.revoked", actor=officer, details={"token": row.prefix})
    return row


async def list_tokens(*, kind: str | None = None) -> list[ApiToken]:
    query = ApiToken.all() if kind is None else ApiToken.filter(kind=kind)
    return await query.order_by("-id")
