"""Sessions behind a signed cookie: CSRF on writes, logout, revoke-all, tampered cookies."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest

from backend.auth import sessions
from backend.auth.models import Account, AccountStatus, WebSession
from backend.core.crypto import new_token
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, login, make_person

ME = "/api/v1/me"
PREFS = "/api/v1/me/preferences"


@pytest.fixture
async def browser(app) -> AsyncIterator[httpx.AsyncClient]:
    """A third browser."""
    transport = httpx.ASGITransport(app=app, client=("10.3.3.3", 3))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
async def resident(client, authenticator, app) -> int:
    who = await make_person(app.state.ctx.cipher, name="吴桐")
    return (await enrol(client, authenticator, who))["account_id"]


async def test_a_cookie_write_without_the_right_csrf_token_is_refused(client, resident) -> None:
    for headers in (
        {},
        {"X-CSRF-Token": ""},
        {"X-CSRF-Token": "wrong"},
        {"X-CSRF-Token": "x" * 32},
    ):
        body = {"locale": "en", "elder_mode": True}
        refused = await client.patch(PREFS, json=body, headers=headers)
        assert refused.status_code == 403, headers
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "csrf_failed"
    account = await Account.get(id=resident)
    assert account.locale is None and account.elder_mode is False


async def test_the_csrf_token_of_another_session_does_not_work(
    client, other_client, authenticator, resident
) -> None:
    await login(other_client, authenticator)
    refused = await client.patch(PREFS, json={"locale": "en"}, headers=csrf(other_client))
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"


async def test_with_the_csrf_token_the_write_works(client, resident) -> None:
    token = (await client.get(ME)).json()["csrf_token"]
    assert token == client.cookies.get("xinyi_csrf")
    ok = await client.patch(
        PREFS, json={"locale": "en", "elder_mode": True}, headers={"X-CSRF-Token": token}
    )
    assert ok.status_code == 200 and ok.json() == {"locale": "en", "elder_mode": True}
    assert (await Account.get(id=resident)).locale == "en"


async def test_logout_revokes_only_this_session(
    client, other_client, authenticator, resident
) -> None:
    assert (await login(other_client, authenticator)).status_code == 200
    out = await client.post("/api/v1/logout", headers=csrf(client))
    assert out.status_code == 204
    assert "xinyi_session" not in client.cookies
    assert (await client.get(ME)).status_code == 401
    assert (await other_client.get(ME)).json()["id"] == resident
    assert await WebSession.filter(account_id=resident, revoked_at__isnull=True).count() == 1


async def test_a_revoked_session_cookie_stays_dead(client, resident) -> None:
    cookie = client.cookies.get("xinyi_session")
    await client.post("/api/v1/logout", headers=csrf(client))
    client.cookies.set("xinyi_session", cookie)
    assert (await client.get(ME)).status_code == 401


async def test_revoke_all_signs_out_every_session_of_the_account_only(
    client, other_client, browser, authenticator, app, resident
) -> None:
    assert (await login(other_client, authenticator)).status_code == 200
    someone = await make_person(app.state.ctx.cipher, name="郑爽", male=False)
    theirs = await enrol(browser, SoftAuthenticator(origin=ORIGIN), someone)

    response = await client.post("/api/v1/me/sessions/revoke-all", headers=csrf(client))
    assert response.status_code == 200 and response.json() == {"revoked_sessions": 2}
    assert (await client.get(ME)).status_code == 401
    assert (await other_client.get(ME)).status_code == 401
    assert (await browser.get(ME)).json()["id"] == theirs["account_id"]

    # Signing in again opens a new session.
    assert (await login(client, authenticator)).status_code == 200
    assert (await client.get(ME)).json()["id"] == resident


async def test_an_expired_session_is_signed_out(client, resident) -> None:
    await WebSession.filter(account_id=resident).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    assert (await client.get(ME)).status_code == 401


async def test_a_disabled_account_is_signed_out(client, resident) -> None:
    await Account.filter(id=resident).update(
        status=AccountStatus.DISABLED, disabled_at=dt.datetime.now(dt.UTC)
    )
    assert (await client.get(ME)).status_code == 401


def _signed(claims: dict, key: str) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


async def _tampered_values(app, resident: int, real: str) -> list[str]:
    key = app.state.ctx.settings.secret_key
    exp = int((dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).timestamp())
    with warnings.catch_warnings():  # a short key for HS512 is the point here
        warnings.simplefilter("ignore")
        hs512 = jwt.encode({"sub": str(resident), "tok": "x", "exp": exp}, key, algorithm="HS512")
    header, payload, signature = real.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    return [
        "garbage",
        "",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",  # alg "none"
        f"{header}.{payload}.{flipped}",  # signature tampered
        f"{header}.{payload}",
        _signed({"sub": str(resident), "tok": new_token(), "exp": exp}, "another-key-" * 4),
        _signed({"sub": str(resident), "tok": new_token(), "exp": exp}, key),  # unknown token
        _signed({"sub": str(resident), "tok": 12345, "exp": exp}, key),
        _signed({"sub": str(resident), "exp": exp}, key),
        _signed({"sub": str(resident), "tok": "x", "exp": 1}, key),  # expired
        hs512,
        "\u00e9\u00ff",
        '"unbalanced',
    ]


async def test_tampered_or_garbage_cookies_are_treated_as_signed_out(app, client, resident) -> None:
    real = client.cookies.get("xinyi_session")
    for value in await _tampered_values(app, resident, real):
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
            cookie = f"xinyi_session={value}".encode("latin-1")
            me = await http.get(ME, headers={"cookie": cookie})
            assert me.status_code == 401, (value, me.text)
            assert me.json()["code"] == "unauthenticated"
            page = await http.get("/office", headers={"cookie": cookie})
            assert page.status_code == 303, (value, page.text)


async def test_a_valid_token_under_another_account_id_is_refused(app, client, resident) -> None:
    real = client.cookies.get("xinyi_session")
    claims = jwt.decode(real, app.state.ctx.settings.secret_key, algorithms=["HS256"])
    forged = _signed({**claims, "sub": str(resident + 1)}, app.state.ctx.settings.secret_key)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        assert (
            await http.get(ME, headers={"cookie": f"xinyi_session={forged}"})
        ).status_code == 401
        ok = await http.get(ME, headers={"cookie": f"xinyi_session={real}"})
        assert ok.status_code == 200


async def test_malformed_cookie_headers_are_not_errors(app) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        for cookie_header in (
            b"xinyi_session",
            b"=;=;",
            b"xinyi_session=\xff\xfe",
            b";;;;",
            b"a=b; xinyi_session=; c",
            b'xinyi_session="a\\"b"',
        ):
            me = await http.get(ME, headers={"cookie": cookie_header})
            assert me.status_code == 401, cookie_header


async def test_session_cookies_are_httponly_and_samesite(app, authenticator) -> None:
    who = await make_person(app.state.ctx.cipher)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        start = await http.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
        finish = await http.post(
            "/api/v1/enrolment/finish", json=authenticator.create(start.json())
        )
    set_cookies = finish.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith(f"{sessions.COOKIE}="))
    csrf_cookie = next(c for c in set_cookies if c.startswith(f"{sessions.CSRF_COOKIE}="))
    assert "httponly" in session.lower() and "samesite=lax" in session.lower()
    assert "httponly" not in csrf_cookie.lower() and "samesite=strict" in csrf_cookie.lower()
    assert finish.json()["csrf_token"] in csrf_cookie
