"""Signing in with a discoverable passkey: options, replays, unknown and cloned credentials."""

from __future__ import annotations

from backend.auth.models import WebSession
from tests.authenticator import SoftAuthenticator
from tests.factories import enrol, login, make_person


async def test_login_options_are_for_discoverable_credentials(client):
    options = (await client.post("/api/v1/login/start")).json()
    assert options["userVerification"] == "required"
    assert options.get("allowCredentials", []) == []
    assert options["rpId"] == "localhost"


async def test_replayed_assertion_is_refused(client, app, authenticator):
    who = await make_person(app.state.ctx.cipher)
    await enrol(client, authenticator, who)
    options = (await client.post("/api/v1/login/start")).json()
    assertion = authenticator.get(options)
    assert (await client.post("/api/v1/login/finish", json=assertion)).status_code == 200
    sessions_before = await WebSession.all().count()
    again = await client.post("/api/v1/login/finish", json=assertion)
    assert again.status_code == 400 and again.json()["code"] == "challenge_expired"
    assert await WebSession.all().count() == sessions_before


async def test_unknown_credential_cannot_sign_in(client, app, authenticator):
    stranger = SoftAuthenticator(origin=authenticator.origin)
    stranger.create({"rp": {"id": "localhost"}, "user": {"id": "AAAA"}, "challenge": "x"})
    response = await login(client, stranger)
    assert response.status_code == 400 and response.json()["reason"] == "unknown_credential"


async def test_cloned_authenticator_sign_count_is_refused(client, app, authenticator):
    who = await make_person(app.state.ctx.cipher)
    await enrol(client, authenticator, who)
    assert (await login(client, authenticator)).status_code == 200
    authenticator.credentials[0].sign_count = 0  # a clone replays an old counter
    response = await login(client, authenticator)
    assert response.status_code == 400 and response.json()["code"] == "webauthn_failed"
