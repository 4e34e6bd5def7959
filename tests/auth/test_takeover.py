"""An officer cannot take a resident's account over unseen (`auth.recovery`): a counter code
records the ID-card check, the officer and the counter; adding a passkey with it (or with a
recovery code) tells the resident, shows in their access log by whom and where, ends every
other session and removes the old passkeys not ticked to keep."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.auth.models import EnrolmentCode, Passkey, WebSession
from backend.notices.models import Notice
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.factories import csrf, enrol, login, make_person, make_staff

START = "/api/v1/enrolment/start"
FINISH = "/api/v1/enrolment/finish"
COUNTER = "黄石港区政务服务中心 3号窗口"


@pytest.fixture
async def officer(client, authenticator) -> httpx.AsyncClient:
    await make_staff(client, authenticator, ["officer"], name="王办事")
    return client


@pytest.fixture
async def new_phone(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.20.30.41", 1234))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


@pytest.fixture
async def resident(app, other_client):
    who = await make_person(app.state.ctx.cipher, name="刘洋")
    old_phone = SoftAuthenticator(origin=ORIGIN)
    enrolled = await enrol(other_client, old_phone, who)
    return who, old_phone, int(enrolled["account_id"])


async def counter_code(officer: httpx.AsyncClient, who) -> str:
    issued = await officer.post(
        "/api/v1/enrolment-codes",
        json={"name": who.name, "id_number": who.id_number, "purpose": "换手机",
              "id_card_checked": True, "counter": COUNTER},
        headers=csrf(officer),
    )  # fmt: skip
    assert issued.status_code == 201, issued.text
    return str(issued.json()["code"])


async def test_a_counter_code_records_the_id_card_check_the_officer_and_the_counter(
    officer, resident
) -> None:
    who, _, _ = resident
    await counter_code(officer, who)
    row = await EnrolmentCode.get(person_id=who.person.id)
    officer_id = (await officer.get("/api/v1/me")).json()["id"]
    assert row.issued_by_id == officer_id and row.counter == COUNTER
    assert row.id_card_checked_at is not None
    entry = await AuditEntry.get(action="enrolment_code.issued")
    assert entry.details["id_card_checked"] is True and entry.details["counter"] == COUNTER


async def test_a_passkey_added_at_the_counter_is_seen_and_the_old_phone_is_shut_out(
    officer, resident, other_client, new_phone
) -> None:
    who, old_phone, account_id = resident
    code = await counter_code(officer, who)
    start = await new_phone.post(START, json={"enrolment_code": code})
    assert start.status_code == 200, start.text
    old = await Passkey.get(account_id=account_id)
    assert [p["id"] for p in start.json()["existing_passkeys"]] == [old.id]
    finish = await new_phone.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json())
    )
    assert finish.status_code == 200, finish.text

    # The old phone's session is over and its passkey is gone: it cannot sign in again.
    assert (await other_client.get("/api/v1/me")).status_code == 401
    assert not await Passkey.filter(id=old.id).exists()
    assert (await login(other_client, old_phone)).status_code == 400
    assert await WebSession.filter(account_id=account_id, revoked_at=None).count() == 1

    # The access log names the officer and the counter, not the resident.
    log = (await new_phone.get("/api/v1/me/access-log")).json()["items"]
    added = [i for i in log if i["action"] == "passkey.added_via_counter_code"]
    assert len(added) == 1, log
    assert added[0]["who"].startswith("王办事") and added[0]["organisation"] == COUNTER
    assert added[0]["purpose_key"] == "access.purpose.passkey_counter_code"
    # …and the resident is told in their inbox, on every device they sign in on.
    notice = await Notice.get(person_id=who.person.id, kind="account_security")
    assert notice.params["via"] == "enrolment-code" and notice.params["counter"] == COUNTER
    assert notice.params["passkeys_removed"] == 1 and notice.params["sessions_ended"] == 1
    inbox = (await new_phone.get("/api/v1/me/notifications")).json()
    assert any(n["kind"] == "account_security" for n in inbox["items"])


async def test_the_resident_may_keep_old_passkeys_they_tick(
    officer, resident, other_client, new_phone
) -> None:
    who, old_phone, account_id = resident
    code = await counter_code(officer, who)
    start = await new_phone.post(START, json={"enrolment_code": code})
    keep = [p["id"] for p in start.json()["existing_passkeys"]]
    credential = SoftAuthenticator(origin=ORIGIN).create(start.json())
    finish = await new_phone.post(FINISH, json={**credential, "keep_passkeys": keep})
    assert finish.status_code == 200, finish.text
    assert await Passkey.filter(account_id=account_id).count() == 2
    # Sessions end anyway; the kept passkey signs in again.
    assert (await other_client.get("/api/v1/me")).status_code == 401
    assert (await login(other_client, old_phone)).status_code == 200


async def test_keep_passkeys_is_bounded(officer, resident, new_phone) -> None:
    who, _, account_id = resident
    code = await counter_code(officer, who)
    start = await new_phone.post(START, json={"enrolment_code": code})
    credential = SoftAuthenticator(origin=ORIGIN).create(start.json())
    for bad in (list(range(1, 30)), ["x"], "all"):
        refused = await new_phone.post(FINISH, json={**credential, "keep_passkeys": bad})
        assert refused.status_code == 422, (bad, refused.text)
    assert await Passkey.filter(account_id=account_id).count() == 1


async def test_a_recovery_code_shuts_the_old_devices_out_and_tells_the_resident(
    resident, other_client, new_phone
) -> None:
    who, _, account_id = resident
    codes = await other_client.post("/api/v1/me/recovery-codes", headers=csrf(other_client))
    start = await new_phone.post(
        START, json={"id_number": who.id_number, "recovery_code": codes.json()["codes"][0]}
    )
    assert start.status_code == 200, start.text
    assert len(start.json()["existing_passkeys"]) == 1
    finish = await new_phone.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json())
    )
    assert finish.status_code == 200, finish.text
    assert (await other_client.get("/api/v1/me")).status_code == 401
    assert await Passkey.filter(account_id=account_id).count() == 1
    log = (await new_phone.get("/api/v1/me/access-log")).json()["items"]
    assert any(i["action"] == "passkey.added_via_recovery_code" for i in log), log
    assert await Notice.filter(person_id=who.person.id, kind="account_security").count() == 1


async def test_adding_a_passkey_while_signed_in_revokes_nothing(resident, other_client) -> None:
    _, _, account_id = resident
    start = await other_client.post("/api/v1/me/passkeys/start", headers=csrf(other_client))
    added = await other_client.post(
        "/api/v1/me/passkeys/finish",
        json=SoftAuthenticator(origin=ORIGIN).create(start.json()),
        headers=csrf(other_client),
    )
    assert added.status_code == 200, added.text
    assert await Passkey.filter(account_id=account_id).count() == 2
    assert (await other_client.get("/api/v1/me")).status_code == 200
    assert not await Notice.filter(kind="account_security").exists()
