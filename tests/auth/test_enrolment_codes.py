"""One-time enrolment codes (一次性注册码) issued by an officer after an in-person ID check."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import pytest

from backend.audit.models import AuditEntry
from backend.auth.models import Account, EnrolmentCode, Passkey, Throttle
from backend.core.crypto import CODE_ALPHABET
from backend.residents import idnumber
from tests.authenticator import SoftAuthenticator
from tests.conftest import ORIGIN
from tests.dbstate import row_counts
from tests.factories import csrf, enrol, login, make_person, make_staff

ISSUE = "/api/v1/enrolment-codes"
START = "/api/v1/enrolment/start"
FINISH = "/api/v1/enrolment/finish"


@pytest.fixture
async def officer(client, authenticator) -> httpx.AsyncClient:
    await make_staff(client, authenticator, ["officer"], name="王办事")
    return client


@pytest.fixture
async def fresh_client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("10.20.30.40", 1234))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as http:
        yield http


async def issue(officer: httpx.AsyncClient, who, **overrides) -> httpx.Response:
    body = {
        "name": who.name,
        "id_number": who.id_number,
        "purpose": "换手机，现场核验身份证",
        "id_card_checked": True,
        **overrides,
    }
    return await officer.post(ISSUE, json=body, headers=csrf(officer))


async def test_issued_code_enrols_a_new_resident(officer, fresh_client, app) -> None:
    who = await make_person(app.state.ctx.cipher, name="陈静", male=False)
    issued = await issue(officer, who)
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["id_number_masked"] == idnumber.mask(who.id_number)
    assert who.id_number not in issued.text
    groups = body["code"].split("-")
    assert [len(g) for g in groups] == [4, 4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)
    row = await EnrolmentCode.get(person_id=who.person.id)
    assert row.code_hash != body["code"] and body["code"] not in row.code_hash  # stored hashed
    assert row.expires_at - dt.datetime.now(dt.UTC) > dt.timedelta(hours=23)

    phone = SoftAuthenticator(origin=ORIGIN)
    start = await fresh_client.post(START, json={"enrolment_code": body["code"].lower()})
    assert start.status_code == 200, start.text
    finish = await fresh_client.post(FINISH, json=phone.create(start.json()))
    assert finish.status_code == 200, finish.text
    account = await Account.get(id=finish.json()["account_id"])
    assert account.person_id == who.person.id and account.kind == "resident"
    assert (await fresh_client.get("/api/v1/me")).json()["person"]["name"] == "陈静"


async def test_lost_phone_code_replaces_the_passkey_on_the_same_account(
    officer, fresh_client, other_client, app
) -> None:
    who = await make_person(app.state.ctx.cipher, name="刘洋")
    old_phone = SoftAuthenticator(origin=ORIGIN)
    enrolled = await enrol(other_client, old_phone, who)

    code = (await issue(officer, who)).json()["code"]
    new_phone = SoftAuthenticator(origin=ORIGIN)
    start = await fresh_client.post(START, json={"enrolment_code": code})
    assert start.status_code == 200, start.text
    options = start.json()
    assert [c["id"] for c in options["excludeCredentials"]] == [
        (await Passkey.get(account_id=enrolled["account_id"])).credential_id
    ]
    finish = await fresh_client.post(FINISH, json=new_phone.create(options))
    assert finish.status_code == 200, finish.text
    assert finish.json()["account_id"] == enrolled["account_id"]
    assert await Account.filter(person_id=who.person.id).count() == 1
    # The lost phone's passkey is removed (nothing ticked to keep) and its session ended.
    assert await Passkey.filter(account_id=enrolled["account_id"]).count() == 1
    assert (await other_client.get("/api/v1/me")).status_code == 401

    # The new phone signs in to the same account.
    await fresh_client.post("/api/v1/logout", headers=csrf(fresh_client))
    signed = await login(fresh_client, new_phone)
    assert signed.status_code == 200 and signed.json()["account_id"] == enrolled["account_id"]


async def test_a_code_works_once(officer, fresh_client, other_client, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    code = (await issue(officer, who)).json()["code"]
    start = await fresh_client.post(START, json={"enrolment_code": code})
    finish = await fresh_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json())
    )
    assert finish.status_code == 200

    again = await other_client.post(START, json={"enrolment_code": code})
    assert again.status_code == 400
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "code_invalid"


async def test_two_ceremonies_started_with_one_code_register_only_one_passkey(
    officer, fresh_client, other_client, app
) -> None:
    who = await make_person(app.state.ctx.cipher)
    code = (await issue(officer, who)).json()["code"]
    first = await fresh_client.post(START, json={"enrolment_code": code})
    second = await other_client.post(START, json={"enrolment_code": code})
    assert first.status_code == second.status_code == 200
    done = await fresh_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(first.json())
    )
    assert done.status_code == 200
    before = await row_counts()
    late = await other_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(second.json())
    )
    assert late.status_code == 400 and late.json()["code"] == "code_invalid"
    after = await row_counts()
    assert after["Passkey"] == before["Passkey"] == 2  # the officer's and the resident's
    assert after["Account"] == before["Account"]
    assert after["WebSession"] == before["WebSession"]


async def test_an_expired_code_is_refused(officer, fresh_client, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    code = (await issue(officer, who)).json()["code"]
    await EnrolmentCode.filter(person_id=who.person.id).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    refused = await fresh_client.post(START, json={"enrolment_code": code})
    assert refused.status_code == 400 and refused.json()["code"] == "code_invalid"


async def test_a_code_that_expires_during_the_ceremony_is_refused(
    officer, fresh_client, app
) -> None:
    who = await make_person(app.state.ctx.cipher)
    code = (await issue(officer, who)).json()["code"]
    start = await fresh_client.post(START, json={"enrolment_code": code})
    assert start.status_code == 200
    await EnrolmentCode.filter(person_id=who.person.id).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    finish = await fresh_client.post(
        FINISH, json=SoftAuthenticator(origin=ORIGIN).create(start.json())
    )
    assert finish.status_code == 400 and finish.json()["code"] == "code_invalid"
    assert await Account.filter(person_id=who.person.id).count() == 0


async def test_unknown_codes_are_refused_and_throttled(fresh_client) -> None:
    for _ in range(3):
        miss = await fresh_client.post(START, json={"enrolment_code": "ABCD-EFGH-JKMN-PQRS"})
        assert miss.status_code == 400 and miss.json()["code"] == "code_invalid"
    slowed = await fresh_client.post(START, json={"enrolment_code": "ABCD-EFGH-JKMN-PQRS"})
    assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) >= 1


async def test_the_id_card_must_have_been_checked(officer, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    before = await row_counts()
    refused = await issue(officer, who, id_card_checked=False)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "id_card_checked"
    missing = await officer.post(
        ISSUE, json={"name": who.name, "id_number": who.id_number}, headers=csrf(officer)
    )
    assert missing.status_code == 422
    assert await row_counts() == before


async def test_a_wrong_name_is_refused(officer, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    before = await row_counts()
    refused = await issue(officer, who, name="李四")
    assert refused.status_code == 422 and refused.json()["code"] == "identity_not_matched"
    bad = await issue(officer, who, id_number=who.id_number[:-1])
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_id_number"
    # Only the officer's look-up quota and one audited miss (never the number).
    assert await row_counts(without=(Throttle, AuditEntry)) == {
        k: v for k, v in before.items() if k not in ("Throttle", "AuditEntry")
    }
    missed = await AuditEntry.get(action="person.lookup_missed")
    assert who.id_number not in repr(missed.details) + missed.purpose


@pytest.mark.parametrize("role", ["auditor", "counter_operator", "department_submitter"])
async def test_staff_without_the_permission_get_403(client, authenticator, app, role) -> None:
    await make_staff(client, authenticator, [role])
    who = await make_person(app.state.ctx.cipher)
    refused = await issue(client, who)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert await EnrolmentCode.filter(person_id=who.person.id).count() == 0


async def test_a_resident_gets_403(client, authenticator, app) -> None:
    me = await make_person(app.state.ctx.cipher, name="张伟明")
    await enrol(client, authenticator, me)
    other = await make_person(app.state.ctx.cipher, name="李秀英", male=False)
    for who in (me, other):
        refused = await issue(client, who)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert await EnrolmentCode.all().count() == 0


async def test_anonymous_gets_401(fresh_client, app) -> None:
    who = await make_person(app.state.ctx.cipher)
    refused = await issue(fresh_client, who)
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"


async def test_issuance_shows_in_the_residents_access_log_but_own_sign_ins_do_not(
    officer, fresh_client, other_client, app
) -> None:
    who = await make_person(app.state.ctx.cipher, name="周敏", male=False)
    phone = SoftAuthenticator(origin=ORIGIN)
    await enrol(other_client, phone, who)
    await other_client.post("/api/v1/logout", headers=csrf(other_client))
    assert (await login(other_client, phone)).status_code == 200

    issued = await issue(officer, who, purpose="补办：现场核验身份证")
    assert issued.status_code == 201

    log = await other_client.get("/api/v1/me/access-log")
    assert log.status_code == 200, log.text
    items = log.json()["items"]
    assert [i["action"] for i in items] == ["enrolment_code.issued"]
    assert items[0]["who"] == "王办事 (officer)"
    assert items[0]["organisation"] == "黄石市信用办"
    assert items[0]["purpose"] == "补办：现场核验身份证"
    assert "details" not in items[0] and "hash" not in items[0]

    # The resident's own registrations, sign-ins and sign-outs are audited, just not listed.
    own = await AuditEntry.filter(subject_person_id=who.person.id).values_list("action", flat=True)
    assert {"passkey.registered", "auth.login", "auth.logout"} <= set(own)
