"""Managing my passkeys (通行密钥): list, add, rename, remove — and nobody else's."""

from __future__ import annotations

import asyncio

import httpx
import pytest

import tests.authenticator as soft
from backend.audit.models import AuditEntry
from backend.auth.models import Account, Passkey
from tests.authenticator import SoftAuthenticator, unb64u
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import csrf, enrol, login, make_person

MINE = "/api/v1/me/passkeys"


async def add_passkey(client, auth: SoftAuthenticator):
    start = await client.post(f"{MINE}/start", headers=csrf(client))
    assert start.status_code == 200, start.text
    return await client.post(f"{MINE}/finish", json=auth.create(start.json()), headers=csrf(client))


@pytest.fixture
async def resident(client, authenticator, app):
    who = await make_person(app.state.ctx.cipher, name="杨帆")
    signed = await enrol(client, authenticator, who)
    return signed["account_id"]


@pytest.fixture
async def neighbour(other_client, app):
    who = await make_person(app.state.ctx.cipher, name="邻居甲")
    auth = SoftAuthenticator(origin=ORIGIN)
    signed = await enrol(other_client, auth, who)
    return signed["account_id"], auth


async def test_list_add_rename_remove(client, resident) -> None:
    listed = await client.get(MINE)
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert len(items) == 1 and items[0]["nickname"]
    assert set(items[0]) == {"id", "nickname", "created_at", "last_used_at", "backed_up"}

    tablet = SoftAuthenticator(origin=ORIGIN)
    added = await add_passkey(client, tablet)
    assert added.status_code == 200, added.text
    assert added.json()["account_id"] == resident
    items = (await client.get(MINE)).json()["items"]
    assert len(items) == 2
    first, second = items[0]["id"], items[1]["id"]

    renamed = await client.patch(
        f"{MINE}/{second}", json={"nickname": "  平板  "}, headers=csrf(client)
    )
    assert renamed.status_code == 200 and renamed.json() == {"id": second, "nickname": "平板"}
    assert (await Passkey.get(id=second)).nickname == "平板"

    removed = await client.delete(f"{MINE}/{first}", headers=csrf(client))
    assert removed.status_code == 204
    assert [p["id"] for p in (await client.get(MINE)).json()["items"]] == [second]

    # The remaining passkey signs in; the removed one no longer does.
    await client.post("/api/v1/logout", headers=csrf(client))
    assert (await login(client, tablet)).status_code == 200


async def test_a_removed_passkey_cannot_sign_in(client, authenticator, resident) -> None:
    await add_passkey(client, SoftAuthenticator(origin=ORIGIN))
    first = (await client.get(MINE)).json()["items"][0]["id"]
    assert (await client.delete(f"{MINE}/{first}", headers=csrf(client))).status_code == 204
    refused = await login(client, authenticator)
    assert refused.status_code == 400 and refused.json()["reason"] == "unknown_credential"


async def test_the_last_passkey_cannot_be_removed(client, resident) -> None:
    only = (await client.get(MINE)).json()["items"][0]["id"]
    refused = await client.delete(f"{MINE}/{only}", headers=csrf(client))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["reason"] == "last_passkey"
    assert await Passkey.filter(id=only).exists()


async def test_removing_both_passkeys_at_once_leaves_one(client, resident) -> None:
    await add_passkey(client, SoftAuthenticator(origin=ORIGIN))
    both = [p["id"] for p in (await client.get(MINE)).json()["items"]]
    answers = await asyncio.gather(
        *(client.delete(f"{MINE}/{pid}", headers=csrf(client)) for pid in both)
    )
    assert sorted(a.status_code for a in answers) == [204, 409]
    assert [a.json()["reason"] for a in answers if a.status_code == 409] == ["last_passkey"]
    assert await Passkey.filter(account_id=resident).count() == 1
    assert await AuditEntry.filter(action="passkey.removed").count() == 1


async def test_another_users_passkey_is_404_and_untouched(client, resident, neighbour) -> None:
    await add_passkey(client, SoftAuthenticator(origin=ORIGIN))  # so removing is otherwise allowed
    neighbour_id, _ = neighbour
    theirs = await Passkey.get(account_id=neighbour_id)
    before = await row_counts()
    for response in (
        await client.delete(f"{MINE}/{theirs.id}", headers=csrf(client)),
        await client.patch(
            f"{MINE}/{theirs.id}", json={"nickname": "mine now"}, headers=csrf(client)
        ),
        await client.delete(f"{MINE}/987654321", headers=csrf(client)),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["code"] == "not_found"
    assert await row_counts() == before
    assert (await Passkey.get(id=theirs.id)).nickname == theirs.nickname
    # The answer for someone else's passkey reads exactly like one that does not exist.
    a = await client.delete(f"{MINE}/{theirs.id}", headers=csrf(client))
    b = await client.delete(f"{MINE}/987654321", headers=csrf(client))
    assert a.json()["detail"] == b.json()["detail"]


async def test_non_numeric_ids_are_422(client, resident) -> None:
    before = await row_counts()
    for bad_id in ("abc", "-1", "1.5", "1e3", "0x10", "9" * 19, "%20"):
        response = await client.delete(f"{MINE}/{bad_id}", headers=csrf(client))
        assert response.status_code == 422, (bad_id, response.text)
        assert response.json()["errors"][0]["field"] == "passkey_id"
        body = {"nickname": "x"}
        response = await client.patch(f"{MINE}/{bad_id}", json=body, headers=csrf(client))
        assert response.status_code == 422, bad_id
    assert await row_counts() == before


async def test_bad_nicknames_are_422(client, resident) -> None:
    mine = (await client.get(MINE)).json()["items"][0]
    for nickname in ("", "x" * 65, None, 5):
        body = {"nickname": nickname}
        response = await client.patch(f"{MINE}/{mine['id']}", json=body, headers=csrf(client))
        assert response.status_code == 422, nickname
    assert (await Passkey.get(id=mine["id"])).nickname == mine["nickname"]


async def test_an_add_ceremony_cannot_be_finished_by_another_session(
    client, resident, other_client, neighbour, app
) -> None:
    start = await client.post(f"{MINE}/start", headers=csrf(client))
    credential = SoftAuthenticator(origin=ORIGIN).create(start.json())
    before = await row_counts()

    # Another signed-in user…
    stolen = await other_client.post(f"{MINE}/finish", json=credential, headers=csrf(other_client))
    assert stolen.status_code == 400 and stolen.json()["code"] == "webauthn_failed"
    assert (await row_counts())["Passkey"] == before["Passkey"]
    assert (await row_counts())["WebSession"] == before["WebSession"]

    # …and an anonymous browser on the public endpoint.
    start = await client.post(f"{MINE}/start", headers=csrf(client))
    credential = SoftAuthenticator(origin=ORIGIN).create(start.json())
    transport = httpx.ASGITransport(app=app, client=("10.7.7.7", 1))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as anonymous:
        stolen = await anonymous.post("/api/v1/enrolment/finish", json=credential)
    assert stolen.status_code == 400 and stolen.json()["code"] == "webauthn_failed"
    assert "xinyi_session" not in stolen.cookies
    assert await Passkey.filter(account_id=resident).count() == 1


async def test_adding_a_passkey_excludes_the_ones_i_have(client, authenticator, resident) -> None:
    start = await client.post(f"{MINE}/start", headers=csrf(client))
    excluded = [c["id"] for c in start.json()["excludeCredentials"]]
    assert excluded == [(await Passkey.get(account_id=resident)).credential_id]
    with pytest.raises(ValueError, match="InvalidStateError"):
        authenticator.create(start.json())


def create_with_id(options: dict, credential_id: bytes) -> dict:
    """A new authenticator that (wrongly) reuses an existing credential id."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(soft.os, "urandom", lambda n: credential_id)
        return SoftAuthenticator(origin=ORIGIN).create(options)


async def test_registering_an_existing_credential_id_is_409(
    client, resident, other_client, app
) -> None:
    """A (malicious or broken) authenticator that reuses a credential id already stored for
    another account: refused, and the half-made account is not kept."""
    taken = await Passkey.get(account_id=resident)
    victim_id = unb64u(taken.credential_id)
    who = await make_person(app.state.ctx.cipher, name="冒用者")
    start = await other_client.post(
        "/api/v1/enrolment/start", json={"name": who.name, "id_number": who.id_number}
    )
    assert start.status_code == 200
    credential = create_with_id(start.json(), victim_id)
    assert credential["id"] == taken.credential_id

    before = await row_counts()
    response = await other_client.post("/api/v1/enrolment/finish", json=credential)
    assert response.status_code == 409, response.text
    assert response.json()["reason"] == "credential_exists"
    after = await row_counts()
    assert {k: after[k] for k in ("Account", "Passkey", "WebSession", "AuditEntry")} == {
        k: before[k] for k in ("Account", "Passkey", "WebSession", "AuditEntry")
    }
    assert not await Account.filter(person_id=who.person.id).exists()
    assert (await Passkey.get(credential_id=taken.credential_id)).account_id == resident  # type: ignore[attr-defined]


async def test_adding_my_own_credential_again_is_409(client, authenticator, resident) -> None:
    """Ignoring excludeCredentials does not create a duplicate either."""
    start = await client.post(f"{MINE}/start", headers=csrf(client))
    options = {**start.json(), "excludeCredentials": []}
    credential = create_with_id(options, authenticator.credentials[0].credential_id)
    response = await client.post(f"{MINE}/finish", json=credential, headers=csrf(client))
    assert response.status_code == 409
    assert await Passkey.filter(account_id=resident).count() == 1


async def test_managing_passkeys_needs_a_session(other_client) -> None:
    assert (await other_client.get(MINE)).status_code == 401
    assert (await other_client.post(f"{MINE}/start")).status_code == 401
    assert (await other_client.delete(f"{MINE}/1")).status_code == 401


async def test_the_add_route_stores_nothing_for_someone_elses_enrolment(client, app, authenticator):
    """Finishing another person's real-name ceremony on the add-passkey route is refused
    before anything is stored: no account, no passkey for them."""
    me = await make_person(app.state.ctx.cipher, name="甲某")
    other = await make_person(app.state.ctx.cipher, name="乙某")
    await enrol(client, authenticator, me)
    options = await client.post(
        "/api/v1/enrolment/start", json={"name": other.name, "id_number": other.id_number}
    )
    before = await row_counts()
    response = await client.post(
        "/api/v1/me/passkeys/finish",
        json=SoftAuthenticator(origin=ORIGIN).create(options.json()),
        headers=csrf(client),
    )
    assert response.status_code == 400 and response.json()["code"] == "webauthn_failed"
    after = await row_counts()
    assert after["Account"] == before["Account"] and after["Passkey"] == before["Passkey"]
    assert not await Account.filter(person_id=other.person.id).exists()
