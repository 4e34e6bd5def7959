"""Printable recovery codes (恢复码): ten at a time, each registers one new passkey once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.auth.models import Account, Passkey, RecoveryCode
from backend.core.crypto import CODE_ALPHABET
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import csrf, enrol, login, make_person

CODES = "/api/v1/me/recovery-codes"
START = "/api/v1/enrolment/start"
FINISH = "/api/v1/enrolment/finish"


@pytest.fixture
async def resident(client, authenticator, app):
    who = await make_person(app.state.ctx.cipher, name="黄丽", male=False)
    signed = await enrol(client, authenticator, who)
    return who, signed["account_id"]


@pytest.fixture
async def new_phone_client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.50.50.50", 999))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


async def new_codes(client: httpx.AsyncClient) -> list[str]:
    response = await client.post(CODES, headers=csrf(client))
    assert response.status_code == 201, response.text
    return response.json()["codes"]


async def recover(http: httpx.AsyncClient, id_number: str, code: str) -> httpx.Response:
    return await http.post(START, json={"id_number": id_number, "recovery_code": code})


async def test_ten_distinct_codes_stored_hashed(client, resident) -> None:
    _, account_id = resident
    codes = await new_codes(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        groups = code.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(CODE_ALPHABET)
    hashes = await RecoveryCode.filter(account_id=account_id).values_list("code_hash", flat=True)
    assert len(hashes) == 10
    assert not set(hashes) & set(codes)
    assert (await client.get("/api/v1/me")).json()["recovery_codes_left"] == 10


async def test_a_code_and_the_id_number_register_a_new_passkey_on_the_same_account(
    client, resident, new_phone_client
) -> None:
    who, account_id = resident
    codes = await new_codes(client)
    start = await recover(new_phone_client, who.id_number, codes[3])
    assert start.status_code == 200, start.text
    phone = SoftAuthenticator(origin=ORIGIN)
    finish = await new_phone_client.post(FINISH, json=phone.create(start.json()))
    assert finish.status_code == 200, finish.text
    assert finish.json()["account_id"] == account_id
    assert await Passkey.filter(account_id=account_id).count() == 1  # the old one is removed
    assert await Account.all().count() == 1
    assert (await client.get("/api/v1/me")).status_code == 401  # the old session ended
    me = (await new_phone_client.get("/api/v1/me")).json()
    assert me["id"] == account_id and me["recovery_codes_left"] == 9

    await new_phone_client.post("/api/v1/logout", headers=csrf(new_phone_client))
    assert (await login(new_phone_client, phone)).json()["account_id"] == account_id


async def test_codes_are_accepted_in_lowercase_without_dashes(
    client, resident, new_phone_client
) -> None:
    who, _ = resident
    code = (await new_codes(client))[0]
    start = await recover(new_phone_client, who.id_number, code.replace("-", " ").lower())
    assert start.status_code == 200, start.text


async def test_a_code_is_used_once(client, resident, new_phone_client, other_client) -> None:
    who, _ = resident
    code = (await new_codes(client))[0]
    start = await recover(new_phone_client, who.id_number, code)
    finish = await new_phone_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json())
    )
    assert finish.status_code == 200
    again = await recover(other_client, who.id_number, code)
    assert again.status_code == 400 and again.json()["code"] == "code_invalid"


async def test_a_code_started_twice_registers_only_once(
    client, resident, new_phone_client, other_client
) -> None:
    who, account_id = resident
    code = (await new_codes(client))[0]
    first = await recover(new_phone_client, who.id_number, code)
    second = await recover(other_client, who.id_number, code)
    assert first.status_code == second.status_code == 200
    ok = await new_phone_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(first.json())
    )
    assert ok.status_code == 200
    late = await other_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(second.json())
    )
    assert late.status_code == 400 and late.json()["code"] == "code_invalid"
    assert await Passkey.filter(account_id=account_id).count() == 1


async def test_regenerating_invalidates_the_old_codes(client, resident, new_phone_client) -> None:
    who, account_id = resident
    old = await new_codes(client)
    new = await new_codes(client)
    assert not set(old) & set(new)
    assert await RecoveryCode.filter(account_id=account_id).count() == 10
    refused = await recover(new_phone_client, who.id_number, old[0])
    assert refused.status_code == 400 and refused.json()["code"] == "code_invalid"
    accepted = await recover(new_phone_client, who.id_number, new[0])
    assert accepted.status_code == 200


async def test_a_code_only_works_with_its_own_id_number(
    client, resident, new_phone_client, app
) -> None:
    code = (await new_codes(client))[0]
    stranger = await make_person(app.state.ctx.cipher, name="孙强")
    refused = await recover(new_phone_client, stranger.id_number, code)
    assert refused.status_code == 400 and refused.json()["code"] == "code_invalid"


async def test_wrong_codes_are_refused_and_throttled(client, resident, new_phone_client) -> None:
    who, _ = resident
    codes = await new_codes(client)
    before = await row_counts()
    for _ in range(3):
        wrong = await recover(new_phone_client, who.id_number, "ABCD-EFGH-JKMN-PQRS")
        assert wrong.status_code == 400 and wrong.json()["code"] == "code_invalid"
    after = await row_counts()
    assert after["Challenge"] == before["Challenge"] and after["Throttle"] > before["Throttle"]
    # Now even a right code from this client waits.
    slowed = await recover(new_phone_client, who.id_number, codes[0])
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1


async def test_failures_for_one_id_number_throttle_other_clients_too(
    client, resident, new_phone_client, other_client
) -> None:
    who, _ = resident
    codes = await new_codes(client)
    for http in (new_phone_client, new_phone_client, other_client):
        await recover(http, who.id_number, "ABCD-EFGH-JKMN-PQRS")
    slowed = await recover(client, who.id_number, codes[0])
    assert slowed.status_code == 429


async def test_an_unknown_id_number_reads_like_a_wrong_code(
    client, resident, new_phone_client, app
) -> None:
    who, _ = resident
    code = (await new_codes(client))[0]
    nobody = await make_person(app.state.ctx.cipher, name="无账户")
    await nobody.person.delete()
    unknown = await recover(new_phone_client, nobody.id_number, code)
    wrong = await recover(new_phone_client, who.id_number, "ABCD-EFGH-JKMN-PQRS")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.content == wrong.content


async def test_generating_codes_needs_csrf_and_a_session(
    client, resident, new_phone_client
) -> None:
    _, account_id = resident
    assert (await client.post(CODES)).status_code == 403
    assert (await new_phone_client.post(CODES)).status_code == 401
    assert await RecoveryCode.filter(account_id=account_id).count() == 0
