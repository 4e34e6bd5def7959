"""Server-side sessions behind a signed cookie (PyJWT), revocable one by one or all at once."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

import jwt

from ..core import clock
from ..core.crypto import new_token, secret_hash
from ..core.permissions import Role
from ..core.principal import Principal
from .models import Account, AccountStatus, WebSession

COOKIE = "xinyi_session"
CSRF_COOKIE = "xinyi_csrf"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class IssuedSession:
    cookie_value: str
    csrf_token: str
    expires_at: dt.datetime
    session: WebSession


@dataclass(frozen=True)
class SignedIn:
    """What a finished enrolment or sign-in ceremony gives: the account and its new session."""

    account: Account
    session: IssuedSession


def roles_of(account: Account) -> frozenset[Role]:
    return frozenset(Role(r) for r in account.roles.split(",") if r)


async def open_session(
    *, account: Account, secret_key: str, hours: int, device_label: str = ""
) -> IssuedSession:
    token = new_token()
    expires = clock.now() + dt.timedelta(hours=hours)
    session = await WebSession.create(
        account=account,
        token_hash=secret_hash(token),
        csrf_token=new_token(24),
        device_label=device_label[:120],
        expires_at=expires,
    )
    value = jwt.encode(
        {"sub": str(account.id), "tok": token, "exp": int(expires.timestamp())},
        secret_key,
        algorithm=ALGORITHM,
    )
    return IssuedSession(value, session.csrf_token, expires, session)


async def sign_in(
    *, account: Account, secret_key: str, hours: int, device_label: str = ""
) -> SignedIn:
    issued = await open_session(
        account=account, secret_key=secret_key, hours=hours, device_label=device_label
    )
    return SignedIn(account, issued)


async def principal_from_cookie(cookie_value: str, secret_key: str) -> Principal | None:
    try:
        claims = jwt.decode(cookie_value, secret_key, algorithms=[ALGORITHM])
    except jwt.PyJWTError:
        return None
    token = claims.get("tok")
    if not isinstance(token, str):
        return None
    session = await WebSession.get_or_none(token_hash=secret_hash(token)).prefetch_related(
        "account"
    )
    if session is None or session.revoked_at is not None or session.expires_at <= clock.now():
        return None
    account: Account = session.account
    if account.status != AccountStatus.ACTIVE or not hmac.compare_digest(
        claims.get("sub", ""), str(account.id)
    ):
        return None
    return Principal.build(
        account_id=account.id,
        kind=account.kind,
        display_name=account.display_name,
        roles=roles_of(account),
        session_id=session.id,
        person_id=account.person_id,  # type: ignore[attr-defined]
        organisation=account.organisation,
        csrf_token=session.csrf_token,
        via_cookie=True,
    )


async def revoke(session_id: int) -> None:
    await WebSession.filter(id=session_id, revoked_at=None).update(revoked_at=clock.now())


async def revoke_all(account_id: int) -> int:
    return await WebSession.filter(account_id=account_id, revoked_at=None).update(
        revoked_at=clock.now()
    )
