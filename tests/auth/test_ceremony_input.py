"""Broken WebAuthn responses: always a 4xx problem, never a 500, and nothing stored."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import cbor2

from backend.auth.models import Passkey
from tests.authenticator import b64u, unb64u
from tests.dbstate import row_counts
from tests.factories import enrol, login, make_person

Mutation = Callable[[dict[str, Any]], None]


def _set(path: tuple[str, ...], value: Any) -> Mutation:
    def mutate(credential: dict[str, Any]) -> None:
        target = credential
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _drop(path: tuple[str, ...]) -> Mutation:
    def mutate(credential: dict[str, Any]) -> None:
        target = credential
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _client_data(value: bytes) -> Mutation:
    return _set(("response", "clientDataJSON"), b64u(value))


def _attestation(value: Any) -> Mutation:
    return _set(("response", "attestationObject"), b64u(cbor2.dumps(value)))


def _truncate_auth_data(credential: dict[str, Any]) -> None:
    att = cbor2.loads(unb64u(credential["response"]["attestationObject"]))
    att["authData"] = att["authData"][:40]
    credential["response"]["attestationObject"] = b64u(cbor2.dumps(att))


COMMON: list[tuple[str, Mutation]] = [
    ("no clientDataJSON", _drop(("response", "clientDataJSON"))),
    ("clientDataJSON not base64", _set(("response", "clientDataJSON"), "!!!")),
    ("clientDataJSON a number", _set(("response", "clientDataJSON"), 7)),
    ("clientDataJSON not JSON", _client_data(b"\xff\x00not json")),
    ("clientDataJSON a list", _client_data(b"[1, 2]")),
    ("clientDataJSON a string", _client_data(b'"x"')),
    ("challenge a number", _client_data(b'{"type": "webauthn.create", "challenge": 5}')),
    ("unknown challenge", _client_data(b'{"type": "webauthn.create", "challenge": "AAAA"}')),
    ("response empty", _set(("response",), {})),
]
REGISTRATION: list[tuple[str, Mutation]] = [
    *COMMON,
    ("no attestationObject", _drop(("response", "attestationObject"))),
    ("attestationObject garbage", _set(("response", "attestationObject"), b64u(b"\x00\x01\x02"))),
    ("attestationObject a list", _attestation([1, 2, 3])),
    ("attestationObject without authData", _attestation({"fmt": "none", "attStmt": {}})),
    (
        "unknown attestation format",
        _attestation({"fmt": "x", "attStmt": {}, "authData": b"\x00" * 37}),
    ),
    ("authData truncated", _truncate_auth_data),
    ("rawId differs from id", _set(("rawId",), b64u(b"other"))),
]
AUTHENTICATION: list[tuple[str, Mutation]] = [
    *COMMON,
    ("no signature", _drop(("response", "signature"))),
    ("signature garbage", _set(("response", "signature"), b64u(b"\x30\x02\x00\x00"))),
    ("authenticatorData short", _set(("response", "authenticatorData"), b64u(b"\x00" * 10))),
    ("userHandle of someone else", _set(("response", "userHandle"), b64u(b"nobody"))),
    ("userHandle a number", _set(("response", "userHandle"), 42)),
    ("unknown credential", _set(("rawId",), b64u(b"unknown-credential"))),
]


async def test_broken_registration_responses(client, app, authenticator) -> None:
    who = await make_person(app.state.ctx.cipher)
    for case, mutate in REGISTRATION:
        start = await client.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
        credential = copy.deepcopy(authenticator.create(start.json()))
        mutate(credential)
        before = await row_counts()
        response = await client.post("/api/v1/enrolment/finish", json=credential)
        assert 400 <= response.status_code < 500, (case, response.text)
        assert response.headers["content-type"] == "application/problem+json", case
        after = await row_counts()
        for table in ("Account", "Passkey", "WebSession"):
            assert after[table] == before[table], (case, table)


async def test_broken_authentication_responses(client, app, authenticator) -> None:
    who = await make_person(app.state.ctx.cipher)
    await enrol(client, authenticator, who)
    client.cookies.clear()
    for case, mutate in AUTHENTICATION:
        options = (await client.post("/api/v1/login/start")).json()
        assertion = copy.deepcopy(authenticator.get(options))
        mutate(assertion)
        before = await row_counts()
        response = await client.post("/api/v1/login/finish", json=assertion)
        assert 400 <= response.status_code < 500, (case, response.text)
        assert response.headers["content-type"] == "application/problem+json", case
        assert (await row_counts())["WebSession"] == before["WebSession"], case
        assert "xinyi_session" not in response.cookies, case
    # The untouched passkey still works afterwards.
    assert (await login(client, authenticator)).status_code == 200


async def test_junk_transports_are_ignored(client, app, authenticator) -> None:
    """`transports` is only a hint from the browser: junk there is dropped, not a 500."""
    for n, transports in enumerate([5, "internal", {"a": 1}, [1, None, "usb"]]):
        who = await make_person(app.state.ctx.cipher, name=f"用户{n}")
        start = await client.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
        credential = authenticator.create(start.json())
        credential["response"]["transports"] = transports
        response = await client.post("/api/v1/enrolment/finish", json=credential)
        assert response.status_code == 200, (transports, response.text)
        stored = await Passkey.get(account_id=response.json()["account_id"])
        assert stored.transports == ("usb" if isinstance(transports, list) else ""), transports
