"""Real-name enrolment (实名注册), driven with the software authenticator; the resident then
signs in with the new passkey."""

from __future__ import annotations

import datetime as dt

from backend.auth.models import Account, Challenge, Passkey
from backend.core import clock
from backend.core.crypto import IdCipher
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.factories import csrf, enrol, login, make_person


async def test_resident_enrols_then_signs_in_with_passkey(
    client, app, authenticator: SoftAuthenticator
):
    cipher: IdCipher = app.state.ctx.cipher
    who = await make_person(cipher, name="李秀英")
    start = await client.post(
        "/api/v1/enrolment/start", json={"name": "李秀英", "id_number": who.id_number}
    )
    assert start.status_code == 200
    options = start.json()
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == idnumber.mask(who.id_number)
    finish = await client.post("/api/v1/enrolment/finish", json=authenticator.create(options))
    assert finish.status_code == 200, finish.text
    assert finish.json()["kind"] == "resident"
    assert "xinyi_session" in client.cookies

    me = await client.get("/api/v1/me")
    assert me.status_code == 200
    body = me.json()
    assert body["person"]["name"] == "李秀英"
    assert body["person"]["id_number_masked"] == idnumber.mask(who.id_number)
    assert who.id_number not in me.text  # never the full number

    await client.post("/api/v1/logout", headers=csrf(client))
    assert (await client.get("/api/v1/me")).status_code == 401

    signed = await login(client, authenticator)
    assert signed.status_code == 200, signed.text
    assert (await client.get("/api/v1/me")).json()["id"] == body["id"]
    passkey = await Passkey.get(account_id=body["id"])
    assert passkey.sign_count == 1 and passkey.last_used_at is not None


async def test_second_real_name_enrolment_is_refused(client, app, authenticator, other_client):
    who = await make_person(app.state.ctx.cipher)
    await enrol(client, authenticator, who)
    again = await other_client.post(
        "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
    )
    assert again.status_code == 409
    assert again.json()["reason"] == "already_enrolled"
    assert await Passkey.all().count() == 1


async def test_replayed_registration_is_refused_and_stores_nothing(client, app, authenticator):
    who = await make_person(app.state.ctx.cipher)
    options = (
        await client.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
    ).json()
    credential = authenticator.create(options)
    assert (await client.post("/api/v1/enrolment/finish", json=credential)).status_code == 200
    replay = await client.post("/api/v1/enrolment/finish", json=credential)
    assert replay.status_code == 400
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.json()["code"] == "challenge_expired"
    assert await Account.all().count() == 1 and await Passkey.all().count() == 1


async def test_expired_challenge_is_refused(client, app, authenticator):
    who = await make_person(app.state.ctx.cipher)
    options = (
        await client.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
    ).json()
    await Challenge.all().update(expires_at=clock.now() - dt.timedelta(seconds=1))
    response = await client.post("/api/v1/enrolment/finish", json=authenticator.create(options))
    assert response.status_code == 400 and response.json()["code"] == "challenge_expired"
    assert await Account.all().count() == 0


async def test_wrong_origin_and_missing_user_verification_fail(client, app, authenticator):
    who = await make_person(app.state.ctx.cipher)
    options = (
        await client.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
    ).json()
    bad = await client.post(
        "/api/v1/enrolment/finish",
        json=authenticator.create(options, origin="https://evil.example"),
    )
    assert bad.status_code == 400 and bad.json()["code"] == "webauthn_failed"
    options = (
        await client.post(
            "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
        )
    ).json()
    no_uv = SoftAuthenticator(origin=authenticator.origin, user_verified=False)
    bad = await client.post("/api/v1/enrolment/finish", json=no_uv.create(options))
    assert bad.status_code == 400 and bad.json()["code"] == "webauthn_failed"
    assert await Account.all().count() == 0
