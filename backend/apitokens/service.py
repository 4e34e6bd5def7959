"""Creating, checking and revoking organisation API tokens."""

from __future__ import annotations

import datetime as dt
import secrets
import time

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


# Tokens are looked up on every partner call: keep them for a few seconds per process.
# Revoking clears this process's cache at once; other processes follow within CACHE_SECONDS.
CACHE_SECONDS = 10.0
_CACHE: dict[str, tuple[float, ApiToken | None]] = {}


async def authenticate(secret: str) -> ApiToken | None:
    if not secret.startswith("xy_") or len(secret) > 200:
        return None
    digest = secret_hash(secret)
    hit = _CACHE.get(digest)
    if hit is not None and hit[0] > time.monotonic():
        row = hit[1]
    else:
        row = await ApiToken.get_or_none(token_hash=digest, revoked_at=None)
        if len(_CACHE) > 10_000:
            _CACHE.clear()
        _CACHE[digest] = (time.monotonic() + CACHE_SECONDS, row)
    if row is None:
        return None
    now = dt.datetime.now(dt.UTC)
    if row.last_used_at is None or now - row.last_used_at > TOUCH_EVERY:
        row.last_used_at = now
        await ApiToken.filter(id=row.id).update(last_used_at=now)
    return row


async def revoke_token(*, officer: Principal, token_id: int) -> ApiToken:
    row = await ApiToken.get_or_none(id=token_id)
    if row is None:
        raise NotFound("no such token")
    _CACHE.clear()
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        await row.save(update_fields=["revoked_at"])
        await audit.record(action="api_token.revoked", actor=officer, details={"token": row.prefix})
    return row


async def list_tokens(*, kind: str | None = None) -> list[ApiToken]:
    query = ApiToken.all() if kind is None else ApiToken.filter(kind=kind)
    return await query.order_by("-id")
