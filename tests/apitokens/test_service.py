"""Token secrets: only a hash is kept, a wrong or altered secret never authenticates, use is
recorded at most once a minute, and revocation is immediate and written once."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from backend.apitokens import service as tokens
from backend.apitokens.models import ApiToken
from backend.audit.models import AuditEntry
from backend.core.crypto import secret_hash
from backend.core.errors import ValidationFailed
from backend.core.principal import Principal


async def test_the_service_checks_secrets(app) -> None:
    row, secret = await tokens.create_token(
        officer=None, kind="department", organisation="tax", label="", scopes=["records.submit"]
    )
    assert (await tokens.authenticate(secret)).id == row.id  # type: ignore[union-attr]
    for wrong in (
        "",
        secret[:-1],
        secret + "x",
        secret.replace("xy_", "yx_", 1),
        "xy_" + "a" * 250,
        secret.upper(),
    ):
        assert await tokens.authenticate(wrong) is None, wrong
    # last_used_at is touched at most once a minute (not a write per request).
    first = (await ApiToken.get(id=row.id)).last_used_at
    assert first is not None
    await tokens.authenticate(secret)
    assert (await ApiToken.get(id=row.id)).last_used_at == first
    await ApiToken.filter(id=row.id).update(last_used_at=first - dt.timedelta(minutes=5))
    tokens.forget_cached()  # the per-process token cache (10 s) would still hold the fresh row
    await tokens.authenticate(secret)
    assert (await ApiToken.get(id=row.id)).last_used_at > first - dt.timedelta(minutes=1)
    # Two tokens never share a secret or a prefix-derived hash.
    _, other = await tokens.create_token(
        officer=None, kind="department", organisation="tax", label="", scopes=[]
    )
    assert other != secret and secret_hash(other) != secret_hash(secret)
    with pytest.raises(ValidationFailed):
        await tokens.create_token(
            officer=None, kind="partner-ish", organisation="x", label="", scopes=[]
        )
    await tokens.revoke_token(officer=None, token_id=row.id)  # type: ignore[arg-type]
    assert await tokens.authenticate(secret) is None


async def test_two_revocations_at_once_write_one_audit_entry(app) -> None:
    row, secret = await tokens.create_token(
        officer=None, kind="department", organisation="tax", label="", scopes=["records.submit"]
    )
    officer = Principal(account_id=0, kind="staff", display_name="令牌管理员", roles=frozenset())
    first, second = await asyncio.gather(
        tokens.revoke_token(officer=officer, token_id=row.id),
        tokens.revoke_token(officer=officer, token_id=row.id),
    )
    assert first.id == second.id == row.id
    assert (await ApiToken.get(id=row.id)).revoked_at is not None
    assert await AuditEntry.filter(action="api_token.revoked").count() == 1
    assert await tokens.authenticate(secret) is None
